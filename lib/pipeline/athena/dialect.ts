/**
 * The SQL dialect adapter (dbt's idea): the medallion models are written once, in DuckDB's spelling
 * (lib/pipeline/silver/model-sql.ts, lib/pipeline/gold/models.ts), and every dialect-sensitive step is
 * one named operation here with a default (DuckDB) and an Athena (Trino / Hive DDL) override.
 *
 *   operation            default (DuckDB)                             Athena override
 *   columnType           VARCHAR, BIGINT, DECIMAL(12,2), …            DML: varchar, bigint, decimal(12,2), …; DDL: string, …
 *   translate            identity                                     REWRITES below, then refuse what is left over
 *   surrogateKey         CAST(('0x' || substr(md5(…),1,15)) AS BIGINT) from_base(substr(to_hex(md5(to_utf8(…))),1,15),16)
 *   partitionColumns     strftime(ts,'%Y') AS year, …                 date_format(ts,'%Y') AS year, …
 *   latestPerKey         SELECT * EXCLUDE (_rn) … WHERE _rn = 1        explicit column list (Trino has no EXCLUDE / QUALIFY)
 *   createTableAs        COPY (select) TO 'path' (FORMAT parquet, …)  CREATE TABLE … WITH (format='PARQUET', …) AS select
 *   insertInto           COPY (select) TO 'path' (… APPEND)           INSERT INTO table select
 *
 * The translation is mechanical where it can be: REWRITES is one table, one line per difference, each
 * with an example its unit test checks. A model that cannot be rewritten mechanically gets an explicit
 * override in ./overrides.ts, and `translate` refuses (throws, before anything is sent) any SQL that
 * still holds a DuckDB-only construct (REFUSED below).
 */
import { KeystoneError } from '../../errors';
import { quoteLiteral } from '../../catalog/identifiers';

/** One DuckDB → Athena difference. `apply` rewrites every occurrence; `example` is checked by a test. */
export interface Rewrite {
  name: string;
  duckdb: string;
  athena: string;
  why: string;
  apply: (sql: string) => string;
  example: { in: string; out: string };
}

/** A call `name(args…)` found in SQL text: where it starts and ends and its top-level arguments. */
interface Call {
  start: number;
  end: number;
  args: string[];
}

/**
 * Find calls of function `name` (case-insensitive, not preceded by an identifier character), with
 * their arguments split at top-level commas. Parentheses and commas inside '…' literals are skipped.
 */
function findCalls(sql: string, name: string): Call[] {
  const re = new RegExp(`(?<![A-Za-z0-9_."])${name}\\s*\\(`, 'gi');
  const calls: Call[] = [];
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    if (inLiteral(sql, m.index)) continue;
    let depth = 1;
    let i = m.index + m[0].length;
    let argStart = i;
    const args: string[] = [];
    for (; i < sql.length && depth > 0; i++) {
      const c = sql[i];
      if (c === "'") {
        i++;
        while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      } else if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ',' && depth === 1) {
        args.push(sql.slice(argStart, i).trim());
        argStart = i + 1;
      }
    }
    if (depth !== 0) throw new KeystoneError('internal:sql_rewrite', `unbalanced parentheses after ${name}( at ${m.index}`);
    args.push(sql.slice(argStart, i - 1).trim());
    calls.push({ start: m.index, end: i, args });
  }
  return calls;
}

/** Is position `pos` inside a '…' literal? */
function inLiteral(sql: string, pos: number): boolean {
  let inside = false;
  for (let i = 0; i < pos; i++) if (sql[i] === "'") inside = !inside;
  return inside;
}

/** Replace every call of `name` (innermost first, so nested calls are rewritten too). */
function rewriteCalls(sql: string, name: string, to: (args: string[]) => string): string {
  for (let guard = 0; guard < 10_000; guard++) {
    const calls = findCalls(sql, name);
    // The last call starting is never the outer one of another: rewrite it, then look again.
    const c = calls[calls.length - 1];
    if (!c) return sql;
    sql = sql.slice(0, c.start) + to(c.args) + sql.slice(c.end);
  }
  throw new KeystoneError('internal:sql_rewrite', `too many ${name}() calls`);
}

function arity(name: string, args: string[], n: number): void {
  if (args.length !== n) throw new KeystoneError('internal:sql_rewrite', `${name}() with ${args.length} arguments, expected ${n}: ${args.join(', ')}`);
}

/** The text of a '…' literal, or undefined when `arg` is not one. */
function literalText(arg: string): string | undefined {
  return /^'(?:[^']|'')*'$/.test(arg) ? arg.slice(1, -1).replace(/''/g, "'") : undefined;
}

/** The surrogate key: DuckDB's spelling as `sk()` in gold/models.ts writes it, and Athena's. */
const SK_DUCK = /CAST\(\('0x' \|\| substr\(md5\(CAST\((.+?) AS VARCHAR\)\), 1, 15\)\) AS BIGINT\)/g;
export const athenaSurrogateKey = (expr: string) => `from_base(substr(to_hex(md5(to_utf8(CAST(${expr} AS varchar)))), 1, 15), 16)`;

/** strftime specifiers that mean the same in Trino's date_format (MySQL style); %M, %W… do not. */
const SAME_SPECIFIERS = /^(%[Ymd]|[-/ ])*$/;

/**
 * Every mechanical DuckDB → Athena rewrite, applied in this order (the surrogate key before md5).
 * `date_diff('day', a, b)`, `count(*) FILTER (WHERE …)`, `split_part`, `lpad`, `regexp_extract`,
 * `greatest`, `date_trunc`, `quarter`/`year`/`month`/`day` and window functions are spelled the same in
 * both and need no rule.
 */
export const REWRITES: readonly Rewrite[] = [
  {
    name: 'surrogate key',
    duckdb: "CAST(('0x' || substr(md5(CAST(x AS VARCHAR)), 1, 15)) AS BIGINT)",
    athena: 'from_base(substr(to_hex(md5(to_utf8(CAST(x AS varchar)))), 1, 15), 16)',
    why: "Trino cannot cast '0x…' text to bigint; from_base parses the same 15 hex digits (60 bits), so the key is the same number on both engines",
    apply: (sql) => sql.replace(SK_DUCK, (_, expr: string) => athenaSurrogateKey(expr)),
    example: {
      in: "CAST(('0x' || substr(md5(CAST(o.order_id AS VARCHAR)), 1, 15)) AS BIGINT)",
      out: 'from_base(substr(to_hex(md5(to_utf8(CAST(o.order_id AS varchar)))), 1, 15), 16)',
    },
  },
  {
    name: 'md5 of text',
    duckdb: 'md5(x)',
    athena: 'lower(to_hex(md5(to_utf8(x))))',
    why: "Trino's md5 takes and returns varbinary; DuckDB's returns lower-case hex text",
    // A call already on to_utf8(…) (the surrogate key rule's output) is Trino's md5 and stays.
    apply: (sql) =>
      rewriteCalls(sql, 'md5', (a) => (arity('md5', a, 1), a[0]!.startsWith('to_utf8(') ? `__MD5__(${a[0]})` : `lower(to_hex(__MD5__(to_utf8(${a[0]}))))`)).replace(/__MD5__/g, 'md5'),
    example: { in: 'md5(customer_id)', out: 'lower(to_hex(md5(to_utf8(customer_id))))' },
  },
  {
    name: 'full regex match',
    duckdb: "regexp_full_match(x, 'p')",
    athena: "regexp_like(x, '^(?:p)$')",
    why: 'Trino has no full-match function; regexp_like finds a match anywhere, so the pattern is anchored',
    apply: (sql) =>
      rewriteCalls(sql, 'regexp_full_match', (a) => {
        arity('regexp_full_match', a, 2);
        const text = literalText(a[1]!);
        return `regexp_like(${a[0]}, ${text !== undefined ? quoteLiteral(`^(?:${text})$`) : `concat('^(?:', ${a[1]}, ')$')`})`;
      }),
    example: { in: "regexp_full_match(\"t__x\", '^[0-9]{5}$')", out: "regexp_like(\"t__x\", '^(?:^[0-9]{5}$)$')" },
  },
  {
    name: 'global regex replace',
    duckdb: "regexp_replace(x, p, r, 'g')",
    athena: 'regexp_replace(x, p, r)',
    why: "DuckDB replaces only the first match without the 'g' option; Trino always replaces every match and has no options argument (model SQL always passes 'g')",
    apply: (sql) =>
      rewriteCalls(sql, 'regexp_replace', (a) => {
        if (a.length === 4 && a[3] === "'g'") return `__RR__(${a.slice(0, 3).join(', ')})`;
        // Three arguments: already Trino's (global) form, e.g. the strip accents rule's output.
        return `__RR__(${a.join(', ')})`;
      }).replace(/__RR__/g, 'regexp_replace'),
    example: { in: "regexp_replace(x, '[ ]+', ' ', 'g')", out: "regexp_replace(x, '[ ]+', ' ')" },
  },
  {
    name: 'strip accents',
    duckdb: 'strip_accents(x)',
    athena: "regexp_replace(normalize(x, NFD), '\\p{Mn}', '')",
    why: 'Trino has no strip_accents: decompose, then drop the combining marks',
    apply: (sql) => rewriteCalls(sql, 'strip_accents', (a) => (arity('strip_accents', a, 1), `regexp_replace(normalize(${a[0]}, NFD), '\\p{Mn}', '')`)),
    example: { in: 'strip_accents(lower(x))', out: "regexp_replace(normalize(lower(x), NFD), '\\p{Mn}', '')" },
  },
  {
    name: 'try_cast',
    duckdb: 'TRY_CAST(x AS T)',
    athena: 'try_cast(x AS T)',
    why: 'same meaning (NULL when the cast fails); spelled in lower case to match Trino’s documentation',
    apply: (sql) => sql.replace(/\bTRY_CAST\(/g, 'try_cast('),
    example: { in: 'TRY_CAST(x AS DOUBLE)', out: 'try_cast(x AS DOUBLE)' },
  },
  {
    name: 'format a date',
    duckdb: "strftime(ts, '%Y%m%d')",
    athena: "date_format(ts, '%Y%m%d')",
    why: 'Trino formats with MySQL-style date_format; only %Y %m %d are passed through (%M, %W… mean other things)',
    apply: (sql) =>
      rewriteCalls(sql, 'strftime', (a) => {
        arity('strftime', a, 2);
        const fmt = literalText(a[1]!);
        if (fmt === undefined || !SAME_SPECIFIERS.test(fmt)) throw new KeystoneError('internal:sql_rewrite', `strftime format ${a[1]} has no checked date_format equivalent`);
        return `date_format(${a[0]}, ${a[1]})`;
      }),
    example: { in: "strftime(CAST(x AS DATE), '%Y%m%d')", out: "date_format(CAST(x AS DATE), '%Y%m%d')" },
  },
  {
    name: 'median',
    duckdb: 'median(x)',
    athena: 'approx_percentile(x, 0.5)',
    why: 'Trino has no exact median; approx_percentile is approximate and does not average the two middle values',
    apply: (sql) => rewriteCalls(sql, 'median', (a) => (arity('median', a, 1), `approx_percentile(${a[0]}, 0.5)`)),
    example: { in: 'median(geolocation_lat)', out: 'approx_percentile(geolocation_lat, 0.5)' },
  },
  {
    name: 'ISO day of week',
    duckdb: 'isodow(d)',
    athena: 'day_of_week(d)',
    why: 'both are ISO: Monday 1 … Sunday 7',
    apply: (sql) => rewriteCalls(sql, 'isodow', (a) => (arity('isodow', a, 1), `day_of_week(${a[0]})`)),
    example: { in: 'isodow(d) >= 6', out: 'day_of_week(d) >= 6' },
  },
  {
    name: 'day name',
    duckdb: 'dayname(d)',
    athena: "date_format(d, '%W')",
    why: 'Trino has no dayname; %W is the English weekday name in date_format',
    apply: (sql) => rewriteCalls(sql, 'dayname', (a) => (arity('dayname', a, 1), `date_format(${a[0]}, '%W')`)),
    example: { in: 'dayname(d)', out: "date_format(d, '%W')" },
  },
  {
    name: 'month name',
    duckdb: 'monthname(d)',
    athena: "date_format(d, '%M')",
    why: 'Trino has no monthname; %M is the English month name in date_format',
    apply: (sql) => rewriteCalls(sql, 'monthname', (a) => (arity('monthname', a, 1), `date_format(${a[0]}, '%M')`)),
    example: { in: 'monthname(d)', out: "date_format(d, '%M')" },
  },
  {
    name: 'interval literal',
    duckdb: 'INTERVAL 1 DAY',
    athena: "INTERVAL '1' DAY",
    why: 'Trino requires the quantity as a string literal',
    apply: (sql) => sql.replace(/\bINTERVAL (\d+) (YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)\b/g, "INTERVAL '$1' $2"),
    example: { in: 'hi + INTERVAL 1 YEAR - INTERVAL 1 DAY', out: "hi + INTERVAL '1' YEAR - INTERVAL '1' DAY" },
  },
  {
    name: 'ratio literals',
    duckdb: '1.0 / 0.0',
    athena: '1e0 / 0e0',
    why: "Trino reads 1.0 as DECIMAL(2,1) and avg(decimal) keeps scale 1, so avg(CASE … THEN 1.0 …) would be rounded to 0.9; a double literal keeps DuckDB's result",
    apply: (sql) => sql.replace(/(?<![\w.'])([01])\.0(?![\w.'])/g, '$1e0'),
    example: { in: 'avg(CASE WHEN on_time THEN 1.0 ELSE 0.0 END)', out: 'avg(CASE WHEN on_time THEN 1e0 ELSE 0e0 END)' },
  },
];

/**
 * DuckDB-only constructs with no mechanical rewrite. SQL still holding one after REWRITES is refused:
 * the model needs an override (./overrides.ts) or the operation an Athena spelling.
 */
export const REFUSED: readonly { name: string; pattern: RegExp; instead: string }[] = [
  { name: 'generate_series', pattern: /\bgenerate_series\s*\(/i, instead: 'CROSS JOIN UNNEST(sequence(lo, hi, INTERVAL \'1\' DAY)) AS t(d)' },
  { name: 'mode', pattern: /(?<![\w.])mode\s*\(/i, instead: 'max_by(value, n) over per-value counts' },
  { name: 'EXCLUDE', pattern: /\*\s*EXCLUDE\b/i, instead: 'an explicit column list (latestPerKey)' },
  { name: 'QUALIFY', pattern: /\bQUALIFY\b/i, instead: 'a subquery filtering on the window value' },
  { name: 'DISTINCT ON', pattern: /\bDISTINCT ON\b/i, instead: 'row_number() in a subquery, or arbitrary() with GROUP BY' },
  { name: 'COPY … TO', pattern: /\bCOPY\s*\(/i, instead: 'createTableAs / insertInto (CTAS with external_location, INSERT INTO)' },
  { name: 'read_parquet', pattern: /\bread_parquet\s*\(/i, instead: 'a table registered in the Glue catalog' },
  { name: ':: cast', pattern: /::/, instead: 'CAST(x AS type)' },
  { name: 'SEMI JOIN', pattern: /\bSEMI JOIN\b/i, instead: 'WHERE EXISTS (…)' },
  { name: 'strip_accents', pattern: /\bstrip_accents\s*\(/i, instead: 'the strip accents rewrite' },
  { name: 'regexp_full_match', pattern: /\bregexp_full_match\s*\(/i, instead: 'the full regex match rewrite' },
];

/** Apply every rewrite, then refuse what is left that Athena would not run (or would run differently). */
export function translateToAthena(sql: string): string {
  let out = sql;
  for (const r of REWRITES) out = r.apply(out);
  const left = REFUSED.filter((r) => r.pattern.test(stripLiterals(out)));
  if (left.length > 0) {
    throw new KeystoneError(
      'bad_request:athena_dialect',
      `SQL cannot be translated to Athena mechanically (${left.map((l) => `${l.name}: use ${l.instead}`).join('; ')}); give the model an Athena override`,
    );
  }
  return out;
}

function stripLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''");
}

/** Portable type names: DuckDB's (our schemas) → Athena DML (Trino) and DDL (Hive) spellings. */
export const TYPE_MAP: Readonly<Record<string, { dml: string; ddl: string }>> = {
  VARCHAR: { dml: 'varchar', ddl: 'string' },
  BIGINT: { dml: 'bigint', ddl: 'bigint' },
  INTEGER: { dml: 'integer', ddl: 'int' },
  DOUBLE: { dml: 'double', ddl: 'double' },
  'DECIMAL(12,2)': { dml: 'decimal(12,2)', ddl: 'decimal(12,2)' },
  TIMESTAMP: { dml: 'timestamp', ddl: 'timestamp' },
  DATE: { dml: 'date', ddl: 'date' },
  BOOLEAN: { dml: 'boolean', ddl: 'boolean' },
};

export function athenaType(duckType: string, where: 'dml' | 'ddl'): string {
  const m = TYPE_MAP[duckType.toUpperCase().replace(/\s+/g, '')];
  if (!m) throw new KeystoneError('bad_request:athena_type', `no Athena type for ${duckType}`);
  return m[where];
}

/** Where a table's data goes and how it is laid out (dbt's job settings). */
export interface TableSpec {
  /** Already quoted, qualified name (Athena) or a file path (DuckDB). */
  name: string;
  location: string;
  partitionedBy?: readonly string[];
}

/** The operations a dialect owns. */
export interface Dialect {
  name: 'duckdb' | 'athena';
  columnType(duckType: string): string;
  translate(sql: string): string;
  surrogateKey(expr: string): string;
  /** year / month / day partition columns (text) of a timestamp expression. */
  partitionColumns(ts: string): string;
  /** One row per key, the latest by (_ingest_id, _source_row) descending; `columns` are the output columns. */
  latestPerKey(rows: string, keys: readonly string[], columns: readonly string[]): string;
  createTableAs(spec: TableSpec, select: string): string;
  insertInto(spec: TableSpec, select: string): string;
}

const partitionBy = (p?: readonly string[]) => (p?.length ? `, PARTITION_BY (${p.join(', ')})` : '');

/** The default: DuckDB's own spelling (what the embedded pipeline runs). */
export const DUCKDB_DIALECT: Dialect = {
  name: 'duckdb',
  columnType: (t) => t,
  translate: (sql) => sql,
  surrogateKey: (expr) => `CAST(('0x' || substr(md5(CAST(${expr} AS VARCHAR)), 1, 15)) AS BIGINT)`,
  partitionColumns: (ts) => `strftime(${ts}, '%Y') AS year, strftime(${ts}, '%m') AS month, strftime(${ts}, '%d') AS day`,
  latestPerKey: (rows, keys) =>
    `SELECT * EXCLUDE (_rn) FROM (SELECT *, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM ${rows}) WHERE _rn = 1`,
  createTableAs: (spec, select) => `COPY (${select}) TO ${quoteLiteral(spec.location)} (FORMAT parquet, COMPRESSION zstd${partitionBy(spec.partitionedBy)})`,
  insertInto: (spec, select) => `COPY (${select}) TO ${quoteLiteral(spec.location)} (FORMAT parquet, COMPRESSION zstd${partitionBy(spec.partitionedBy)}, APPEND)`,
};

/** Athena (Trino for queries, Hive DDL for tables): overrides every operation. */
export const ATHENA_DIALECT: Dialect = {
  name: 'athena',
  columnType: (t) => athenaType(t, 'dml'),
  translate: translateToAthena,
  surrogateKey: athenaSurrogateKey,
  partitionColumns: (ts) => `date_format(${ts}, '%Y') AS year, date_format(${ts}, '%m') AS month, date_format(${ts}, '%d') AS day`,
  latestPerKey: (rows, keys, columns) =>
    `SELECT ${columns.join(', ')} FROM (SELECT *, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY _ingest_id DESC, _source_row DESC) AS _rn FROM ${rows}) WHERE _rn = 1`,
  createTableAs: (spec, select) => {
    const props = [
      `format = 'PARQUET'`,
      `parquet_compression = 'ZSTD'`,
      ...(spec.partitionedBy?.length ? [`partitioned_by = ARRAY[${spec.partitionedBy.map(quoteLiteral).join(', ')}]`] : []),
      `external_location = ${quoteLiteral(spec.location)}`,
    ];
    return `CREATE TABLE ${spec.name}\nWITH (${props.join(', ')}) AS\n${select}`;
  },
  insertInto: (spec, select) => `INSERT INTO ${spec.name}\n${select}`,
};

export function dialectFor(engine: 'duckdb' | 'athena'): Dialect {
  return engine === 'athena' ? ATHENA_DIALECT : DUCKDB_DIALECT;
}
