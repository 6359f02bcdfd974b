/**
 * A silver model for a source that is not an Olist table: its columns' types are inferred from the first
 * data that reaches silver (the narrowest of integer, double, timestamp, string that every non-empty value
 * casts to) and then fixed; a later value that no longer casts quarantines its row as `uncastable`
 * (a column that changed type between two uploads never silently becomes NULL).
 */
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';
import type { Dataset } from '../../catalog/versions';
import type { QueryEngine } from '../../engine/engine';
import { CAST_PATTERNS, type ColumnContract, type ColumnType } from '../../olist/contract-types';
import type { SilverModel } from './silver-table';

const LINEAGE = new Set(['_ingest_id', '_source_file', '_source_row', '_ingested_at', '_raw_line', '_parse_error']);
const CANDIDATES: ColumnType[] = ['integer', 'double', 'timestamp'];

export async function inferGenericModel(engine: QueryEngine, bronze: Dataset, bronzePaths: string[], known?: SilverModel): Promise<SilverModel> {
  if (known) return known;
  const cols = bronze.schema.filter((c) => !LINEAGE.has(c.name)).map((c) => c.name);
  const relation = `read_parquet([${bronzePaths.map(quoteLiteral).join(', ')}], union_by_name = true)`;
  const probes: string[] = [];
  for (const c of cols) {
    const t = `NULLIF(trim(${quoteIdent(c)}), '')`;
    probes.push(`count(${t})`);
    for (const type of CANDIDATES) {
      const castable = type === 'timestamp' ? `AND TRY_CAST(${t} AS TIMESTAMP) IS NOT NULL` : '';
      probes.push(`count(*) FILTER (WHERE regexp_full_match(${t}, ${quoteLiteral(CAST_PATTERNS[type]!)}) ${castable})`);
    }
  }
  const r = cols.length ? (await engine.query(`SELECT ${probes.join(', ')} FROM ${relation} WHERE _parse_error IS NULL`)).rows[0]! : [];
  const columns: ColumnContract[] = cols.map((name, i) => {
    const base = i * (1 + CANDIDATES.length);
    const nonEmpty = Number(r[base]);
    const type = nonEmpty === 0 ? 'string' : (CANDIDATES.find((_, k) => Number(r[base + 1 + k]) === nonEmpty) ?? 'string');
    return { name, type, required: false, cleanse: [{ op: 'trim' }] };
  });
  return {
    name: bronze.name,
    generic: true,
    contract: {
      columns,
      key: { kind: 'full_row', note: 'a generic source has no declared key: exact duplicate rows collapse' },
      partition: { kind: 'ingest_date', note: 'a generic source has no declared event date: filed by ingest date' },
    },
  };
}
