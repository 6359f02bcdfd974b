/**
 * The silver model of a table, written once as SQL generated from its contract (lib/olist/contracts.ts):
 * cleanse each text cell, cast it, check its domain, and judge the row. The semantics are those of the
 * reference implementation lib/olist/cleanse.ts; silver.test.ts checks the two agree row by row.
 *
 * Every identifier and literal here comes from a contract or a validated name, never from user text.
 */
import type { CleanseStep, ColumnContract, ColumnType, TableContract } from '../../olist/contract-types';
import { CAST_PATTERNS } from '../../olist/contract-types';
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';

/** DuckDB type of each contract type (the adapter maps these again for Athena). */
export const DUCK_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  double: 'DOUBLE',
  'decimal(12,2)': 'DECIMAL(12,2)',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

const WS_EDGES = quoteLiteral('^[ \\t\\r\\n]+|[ \\t\\r\\n]+$');
const WS_RUNS = quoteLiteral('[ \\t\\r\\n]+');

function step(expr: string, s: CleanseStep): string {
  switch (s.op) {
    case 'trim':
      return `regexp_replace(${expr}, ${WS_EDGES}, '', 'g')`;
    case 'collapse_spaces':
      return `regexp_replace(${expr}, ${WS_RUNS}, ' ', 'g')`;
    case 'lower':
      return `lower(${expr})`;
    case 'upper':
      return `upper(${expr})`;
    case 'strip_accents':
      return `strip_accents(${expr})`;
    case 'pad_left':
      // Never lpad alone: it truncates longer values, turning a bad zip into a plausible one.
      return `CASE WHEN length(${expr}) > 0 AND length(${expr}) < ${s.width} THEN lpad(${expr}, ${s.width}, ${quoteLiteral(s.fill)}) ELSE ${expr} END`;
  }
}

/** The cleansed text of a column, NULL when empty. */
export function cleansedText(column: ColumnContract, source: string): string {
  let expr = source;
  for (const s of column.cleanse) expr = step(expr, s);
  return `NULLIF(${expr}, '')`;
}

/** The typed value of cleansed text `t`, NULL when it does not cast (the pattern decides, not the engine's leniency). */
export function castValue(type: ColumnType, t: string): string {
  const pattern = CAST_PATTERNS[type];
  const gate = (body: string) => `CASE WHEN regexp_full_match(${t}, ${quoteLiteral(pattern!)}) THEN ${body} END`;
  switch (type) {
    case 'string':
      return t;
    case 'integer':
      return gate(`TRY_CAST(split_part(${t}, '.', 1) AS BIGINT)`);
    case 'double':
      return gate(`TRY_CAST(${t} AS DOUBLE)`);
    case 'decimal(12,2)':
      // Cut to 3 decimals, then round half away from zero to 2: exactly lib/olist/cleanse.ts's toMoney.
      return gate(`CAST(round(TRY_CAST(regexp_extract(${t}, '^[+-]?[0-9]*(\\.[0-9]{0,3})?') AS DECIMAL(16,3)), 2) AS DECIMAL(12,2))`);
    case 'timestamp':
      return gate(`TRY_CAST(${t} AS TIMESTAMP)`);
    case 'date':
      return gate(`CAST(TRY_CAST(${t} AS TIMESTAMP) AS DATE)`);
  }
}

/** A boolean SQL expression: does value `v` lie in the column's domain? Undefined when there is no domain. */
export function domainCheck(column: ColumnContract, v: string): string | undefined {
  const parts: string[] = [];
  if (column.accepted) parts.push(`${v} IN (${column.accepted.map(quoteLiteral).join(', ')})`);
  if (column.pattern) parts.push(`regexp_full_match(${v}, ${quoteLiteral(column.pattern)})`);
  const r = column.range;
  if (r?.min !== undefined) parts.push(`${v} ${r.minExclusive ? '>' : '>='} ${r.min}`);
  if (r?.max !== undefined) parts.push(`${v} ${r.maxExclusive ? '<' : '<='} ${r.max}`);
  return parts.length ? parts.join(' AND ') : undefined;
}

const t = (c: string) => quoteIdent(`t__${c}`);
const v = (c: string) => quoteIdent(`v__${c}`);
const p = (c: string) => quoteIdent(`p__${c}`);

/**
 * SELECT judging every bronze row of `source` (a relation with the contract's columns as text plus
 * bronze lineage columns). Output: the typed columns (NULL where an optional value failed), the lineage
 * columns, `_reason` / `_reason_column` (NULL for a surviving row) and `_nulled` (optional values that
 * failed and became NULL).
 */
export function judgeRowsSql(contract: Pick<TableContract, 'columns'>, source: string, opts: { strictOptional?: boolean } = {}): string {
  const cols = contract.columns;
  const texts = cols.map((c) => `${cleansedText(c, quoteIdent(c.name))} AS ${t(c.name)}`);
  const casts = cols.map((c) => `${castValue(c.type, t(c.name))} AS ${v(c.name)}`);
  const problems = cols.map((c) => {
    const dom = domainCheck(c, v(c.name));
    return `CASE WHEN ${t(c.name)} IS NULL THEN 'missing' WHEN ${v(c.name)} IS NULL THEN 'uncastable'${dom ? ` WHEN NOT (${dom}) THEN 'out_of_domain'` : ''} END AS ${p(c.name)}`;
  });
  // A column fails its row when required (any problem), or — for a generic source whose types were
  // inferred — when a value is present but no longer casts (the column changed type between uploads).
  const fails = (c: ColumnContract) =>
    c.required ? `${p(c.name)} IS NOT NULL` : opts.strictOptional ? `${p(c.name)} IN ('uncastable', 'out_of_domain')` : undefined;
  const judged = cols.filter((c) => fails(c) !== undefined);
  const reason = [
    `WHEN _parse_error IS NOT NULL THEN 'malformed'`,
    ...judged.map((c) => `WHEN ${fails(c)} THEN CASE ${p(c.name)} WHEN 'missing' THEN 'missing_required' ELSE ${p(c.name)} END`),
  ];
  const reasonColumn = [`WHEN _parse_error IS NOT NULL THEN NULL`, ...judged.map((c) => `WHEN ${fails(c)} THEN ${quoteLiteral(c.name)}`)];
  const rawValue = [`WHEN _parse_error IS NOT NULL THEN _raw_line`, ...judged.map((c) => `WHEN ${fails(c)} THEN ${quoteIdent(c.name)}`)];
  const optional = cols.filter((c) => !c.required);
  const nulled = optional.length
    ? `(${optional.map((c) => `CASE WHEN ${p(c.name)} IN ('uncastable', 'out_of_domain') THEN 1 ELSE 0 END`).join(' + ')})`
    : '0';
  const finalCols = cols.map((c) =>
    c.required ? `${v(c.name)} AS ${quoteIdent(c.name)}` : `CASE WHEN ${p(c.name)} IS NULL THEN ${v(c.name)} END AS ${quoteIdent(c.name)}`,
  );
  return `WITH s1 AS (SELECT *, ${texts.join(', ')} FROM ${source}),
  s2 AS (SELECT *, ${casts.join(', ')} FROM s1),
  s3 AS (SELECT *, ${problems.join(', ')} FROM s2)
SELECT ${finalCols.join(', ')},
  _ingest_id, _source_file, _source_row, _ingested_at, _raw_line, _parse_error,
  CASE ${reason.join(' ')} END AS _reason,
  CASE ${reasonColumn.join(' ')} END AS _reason_column,
  CASE ${rawValue.join(' ')} END AS _reason_raw,
  ${nulled} AS _nulled
FROM s3`;
}

/** Typed silver columns in contract order (for CAST of an empty relation and the catalog schema). */
export function silverColumns(contract: Pick<TableContract, 'columns'>): { name: string; type: string; nullable: boolean }[] {
  return contract.columns.map((c) => ({ name: c.name, type: DUCK_TYPES[c.type], nullable: !c.required }));
}
