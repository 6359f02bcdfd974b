/**
 * One spelling of the lake's tables for every engine: people (and saved queries and dashboards) write
 * `silver.orders`; on Athena that table is the Glue table `"<database>"."silver_orders"` (see
 * lib/pipeline/athena/statements.ts). This rewrites the lake's `layer.name` references, found by the
 * tokenizer (never inside strings, quoted text or comments), and leaves everything else alone.
 */
import { DATASET_NAME_RE, quoteIdent } from '../catalog/identifiers';
import { tokenize } from '../engine/cost/tokenize';

const LAYERS = new Set(['bronze', 'silver', 'gold']);

export function toGlueNames(sql: string, database: string): string {
  const t = tokenize(sql);
  let out = '';
  let at = 0;
  for (let i = 0; i + 2 < t.length; i++) {
    const layer = t[i]!;
    const dot = t[i + 1]!;
    const name = t[i + 2]!;
    if (!(layer.kind === 'word' || layer.kind === 'ident') || !LAYERS.has(layer.value)) continue;
    if (!(dot.kind === 'punct' && dot.value === '.') || dot.start !== layer.end || name.start !== dot.end) continue;
    if (!(name.kind === 'word' || name.kind === 'ident') || !DATASET_NAME_RE.test(name.value)) continue;
    // `x.silver.orders` names another catalog's schema, and `silver.orders.col` is a column: leave both.
    const before = t[i - 1];
    if (before && before.kind === 'punct' && before.value === '.' && before.end === layer.start) continue;
    const after = t[i + 3];
    if (after && after.kind === 'punct' && after.value === '.' && after.start === name.end) continue;
    out += sql.slice(at, layer.start) + `${quoteIdent(database)}.${quoteIdent(`${layer.value}_${name.value}`)}`;
    at = name.end;
    i += 2;
  }
  return out + sql.slice(at);
}
