/**
 * The read-only guard for analysts. Analysts may read the lake (`bronze.*`, `silver.*`, `gold.*`) with
 * SELECT-shaped SQL and nothing else: no statement that writes, creates, drops, attaches, copies,
 * installs or loads extensions, sets or pragmas, exports or imports, and no function that reads files
 * or URLs or runs SQL of its own. Engineers are not guarded.
 *
 * Three independent layers; a statement runs only when all three agree. Each layer on its own is
 * conservative (when unsure it refuses), so a gap in one is covered by the others:
 *
 *  1. Tokens (`lexer.ts`): outside comments, string literals and quoted identifiers, no forbidden
 *     keyword (INSERT, CREATE, ATTACH, COPY, SET, PRAGMA, …), no call to a file or SQL-running
 *     function (read_csv(…), glob(…), query(…), …) and no string literal read as a table
 *     (`FROM '/etc/passwd'`). Gives the clearest messages.
 *  2. DuckDB's parser (`json_serialize_sql`): it serialises SELECT statements only, so anything else
 *     fails there. The syntax tree is then walked: every table reference must name a lake schema (or a
 *     CTE, or a plain identifier: never a path), every table function must be on a short allow-list
 *     (range, generate_series, unnest, duckdb_* catalog listings), and no scalar function may read
 *     files, settings, environment or sequences.
 *  3. DuckDB's binder (engine DuckDB only): each statement is prepared — parsed and bound, never run —
 *     and its statement type must be SELECT (or EXPLAIN, when the text starts with EXPLAIN).
 *
 * The layers that need DuckDB come in through `SqlInspector`, so this file stays testable and
 * engine-neutral (under Athena the SQL is still parsed by DuckDB's parser; layer 3 is skipped).
 */
import { KeystoneError } from '../errors';
import { lex, significant, type Token } from './lexer';

export interface SerializedSql {
  error: boolean;
  error_type?: string;
  error_message?: string;
  statements?: { node: unknown }[];
}

export interface SqlInspector {
  /** DuckDB's `json_serialize_sql(sql)`. Throws `bad_request:sql` with DuckDB's message for a syntax error. */
  serialize(sql: string): Promise<SerializedSql>;
  /** Statement types after preparing each statement (e.g. ['SELECT']); absent when the engine is not DuckDB. */
  statementTypes?(sql: string): Promise<string[]>;
}

export type GuardVerdict = { ok: true } | { ok: false; reason: string; layer: 'tokens' | 'parser' | 'binder' };

/** Words that begin or make up a statement other than a read. Matched outside strings, comments and quoted names. */
export const FORBIDDEN_KEYWORDS: ReadonlySet<string> = new Set([
  'insert', 'update', 'delete', 'merge', 'upsert', 'truncate',
  'create', 'drop', 'alter',
  'attach', 'detach', 'use',
  'copy', 'export', 'import',
  'install', 'load',
  'set', 'reset', 'pragma',
  'call', 'execute', 'prepare', 'deallocate',
  'begin', 'commit', 'rollback', 'abort', 'transaction', 'savepoint',
  'checkpoint', 'vacuum', 'analyze',
  'grant', 'revoke',
]);

/** Functions that read files or URLs, run SQL of their own, or reveal the server's settings or environment. */
const FORBIDDEN_FUNCTIONS: ReadonlySet<string> = new Set([
  'glob', 'query', 'query_table', 'json_execute_serialized_sql',
  'current_setting', 'getenv', 'nextval', 'currval',
  'duckdb_secrets', 'duckdb_settings', 'duckdb_extensions', 'duckdb_databases', 'duckdb_temporary_files', 'duckdb_log', 'duckdb_logs',
  'which_secret', 'load_extension', 'checkpoint', 'force_checkpoint', 'enable_logging', 'disable_logging', 'truncate_duckdb_logs',
  'sniff_csv',
]);
const FORBIDDEN_FUNCTION_PATTERNS: readonly RegExp[] = [
  /^read_/, // read_csv, read_csv_auto, read_parquet, read_json*, read_ndjson*, read_text, read_blob, read_xlsx…
  /^parquet_/, // parquet_scan, parquet_metadata, parquet_schema, parquet_file_metadata, parquet_kv_metadata…
  /_scan$/, // delta_scan, iceberg_scan, sqlite_scan, postgres_scan, arrow_scan…
  /^(iceberg|delta|sqlite|postgres|mysql|httpfs|s3|aws|azure|gcs|ducklake|motherduck|md)_/,
  /^pragma_(?!table_info$|show$)/, // pragma_* table functions beyond describing a table
];

/** Table functions analysts may call: generators and catalog listings, nothing that reads outside the lake. */
const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'range', 'generate_series', 'unnest',
  'duckdb_tables', 'duckdb_views', 'duckdb_columns', 'duckdb_schemas', 'duckdb_types', 'duckdb_functions', 'duckdb_keywords', 'duckdb_constraints', 'duckdb_indexes',
  'pragma_table_info', 'pragma_show',
]);

/** Schemas a table reference may name: the lake's three layers and the standard catalog views. */
export const READABLE_SCHEMAS: ReadonlySet<string> = new Set(['bronze', 'silver', 'gold', 'information_schema', 'pg_catalog']);
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function isForbiddenFunction(name: string): boolean {
  const n = name.toLowerCase();
  return FORBIDDEN_FUNCTIONS.has(n) || FORBIDDEN_FUNCTION_PATTERNS.some((re) => re.test(n));
}

const refuse = (layer: 'tokens' | 'parser' | 'binder', reason: string): GuardVerdict => ({ ok: false, layer, reason });

/** Layer 1. Also says whether the text starts with EXPLAIN [ANALYZE] and where the explained statement begins. */
export function checkTokens(sql: string): GuardVerdict & { explainAt?: number } {
  const tokens = significant(lex(sql));
  let from = 0;
  let explainAt: number | undefined;
  if (tokens[0]?.kind === 'word' && tokens[0].value === 'explain') {
    from = tokens[1]?.kind === 'word' && tokens[1].value === 'analyze' ? 2 : 1;
    explainAt = tokens[from]?.start ?? sql.length;
  }
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next: Token | undefined = tokens[i + 1];
    const prev: Token | undefined = tokens[i - 1];
    if (t.kind === 'word') {
      // `x.set` or `t.load` is a column, not a keyword.
      const qualified = prev?.kind === 'punct' && prev.value === '.';
      if (!qualified && FORBIDDEN_KEYWORDS.has(t.value)) {
        return refuse('tokens', `${t.value.toUpperCase()} is not allowed: analysts may only read the lake (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN).`);
      }
      if (next?.kind === 'punct' && next.value === '(' && isForbiddenFunction(t.value)) {
        return refuse('tokens', `${t.value}() is not allowed: analysts read the lake through its tables (bronze.*, silver.*, gold.*), not files, URLs or settings.`);
      }
      if ((t.value === 'from' || t.value === 'join') && next?.kind === 'string') {
        return refuse('tokens', `Reading ${JSON.stringify(next.value)} by path is not allowed: analysts read the lake through its tables (bronze.*, silver.*, gold.*).`);
      }
    }
  }
  return explainAt === undefined ? { ok: true } : { ok: true, explainAt };
}

/** Layer 2: walks DuckDB's syntax tree of every statement. */
export function checkSerialized(serialized: SerializedSql): GuardVerdict {
  if (serialized.error) {
    if (/only select statements/i.test(serialized.error_message ?? '')) {
      return refuse('parser', 'Only SELECT statements are allowed: analysts may read the lake but not change it.');
    }
    return refuse('parser', `The SQL could not be checked: ${serialized.error_message ?? 'unknown parser error'}.`);
  }
  const statements = serialized.statements ?? [];
  if (statements.length === 0) return refuse('parser', 'There is no SQL statement to run.');
  for (const s of statements) {
    const problem = walk(s.node);
    if (problem) return refuse('parser', problem);
  }
  return { ok: true };
}

function walk(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const n of node) {
      const p = walk(n);
      if (p) return p;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const o = node as Record<string, unknown>;
  if (o.type === 'BASE_TABLE') {
    const p = checkTableRef(o);
    if (p) return p;
  } else if (o.type === 'TABLE_FUNCTION') {
    const fn = (o.function ?? {}) as Record<string, unknown>;
    const name = String(fn.function_name ?? '').toLowerCase();
    if (!ALLOWED_TABLE_FUNCTIONS.has(name) || isForbiddenFunction(name)) {
      return `The table function ${name}() is not allowed: analysts read the lake through its tables (bronze.*, silver.*, gold.*).`;
    }
    const p = checkQualifier(fn.catalog, fn.schema, `${name}()`);
    if (p) return p;
  } else if (o.class === 'FUNCTION') {
    const name = String(o.function_name ?? '').toLowerCase();
    if (isForbiddenFunction(name)) return `${name}() is not allowed: analysts may not read files, URLs, settings or sequences.`;
  }
  for (const v of Object.values(o)) {
    const p = walk(v);
    if (p) return p;
  }
  return undefined;
}

function checkQualifier(catalog: unknown, schema: unknown, what: string): string | undefined {
  const c = String(catalog ?? '').toLowerCase();
  const s = String(schema ?? '').toLowerCase();
  if (c !== '' && c !== 'memory' && c !== 'system') return `${what} names the database ${JSON.stringify(c)}: analysts read the lake only.`;
  if (s !== '' && s !== 'main' && !READABLE_SCHEMAS.has(s)) return `${what} is in the schema ${JSON.stringify(s)}: analysts read bronze, silver and gold.`;
  return undefined;
}

function checkTableRef(o: Record<string, unknown>): string | undefined {
  const table = String(o.table_name ?? '');
  const schema = String(o.schema_name ?? '').toLowerCase();
  const catalog = String(o.catalog_name ?? '').toLowerCase();
  const shown = [catalog, schema, table].filter(Boolean).join('.');
  if (!PLAIN_NAME.test(table)) {
    return `Reading ${JSON.stringify(table)} is not allowed: a table is named layer.name (bronze.*, silver.*, gold.*), never a file path or URL.`;
  }
  if (catalog !== '' && catalog !== 'memory') return `${shown} names the database ${JSON.stringify(catalog)}: analysts read the lake only.`;
  if (schema === '') return undefined; // a CTE, or a name DuckDB resolves in its own catalog (never a file: see PLAIN_NAME)
  if (!READABLE_SCHEMAS.has(schema)) return `${shown} is not in the lake: analysts read bronze.*, silver.* and gold.*.`;
  return undefined;
}

/** Layer 3: the prepared statement types. */
export function checkStatementTypes(types: readonly string[], explain: boolean): GuardVerdict {
  if (types.length === 0) return refuse('binder', 'There is no SQL statement to run.');
  for (const t of types) {
    const allowed = t === 'SELECT' || (explain && t === 'EXPLAIN');
    if (!allowed) return refuse('binder', `${t} statements are not allowed: analysts may only read the lake.`);
  }
  return { ok: true };
}

/** All three layers. Syntax errors come back as thrown `bad_request:sql` with DuckDB's message (line and column). */
export async function checkReadOnly(sql: string, inspector: SqlInspector): Promise<GuardVerdict> {
  const tokens = checkTokens(sql);
  if (!tokens.ok) return tokens;
  const explain = tokens.explainAt !== undefined;
  const statement = explain ? sql.slice(tokens.explainAt) : sql;
  const tree = checkSerialized(await inspector.serialize(statement));
  if (!tree.ok) return tree;
  if (inspector.statementTypes) {
    const bound = checkStatementTypes(await inspector.statementTypes(sql), explain);
    if (!bound.ok) return bound;
  }
  return { ok: true };
}

/** Throws `forbidden:sql` with the reason when the SQL is not read-only. */
export async function assertReadOnly(sql: string, inspector: SqlInspector): Promise<void> {
  const verdict = await checkReadOnly(sql, inspector);
  if (!verdict.ok) {
    throw new KeystoneError('forbidden:sql', `Refused: ${verdict.reason}`, { details: { layer: verdict.layer } });
  }
}
