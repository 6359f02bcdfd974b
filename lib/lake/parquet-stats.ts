/**
 * Facts about Parquet files read from their footers (no data scan): rows, row groups, compression and
 * per-column min / max / null counts. The catalog stores them per file; the partition inspector and the
 * Athena cost estimate read them back.
 */
import type { ColumnStats } from '../../db/schema';
import { quoteLiteral } from '../catalog/identifiers';
import type { QueryEngine } from '../engine/engine';

export interface ParquetFileFacts {
  path: string;
  rows: number;
  rowGroups: number;
  compression: string | null;
  columns: Record<string, ColumnStats>;
}

function better(a: string | number | null | undefined, b: string | number | null | undefined, pick: 'min' | 'max') {
  if (a === null || a === undefined) return b ?? null;
  if (b === null || b === undefined) return a;
  const na = Number(a);
  const nb = Number(b);
  const numeric = typeof a === 'number' || (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb) && typeof b !== 'object');
  const aLess = numeric ? na < nb : String(a) < String(b);
  return pick === 'min' ? (aLess ? a : b) : aLess ? b : a;
}

export async function readParquetFacts(engine: QueryEngine, paths: string[]): Promise<Map<string, ParquetFileFacts>> {
  const out = new Map<string, ParquetFileFacts>();
  // DuckDB lists thousands of files in one call happily, but statements get long; batch them.
  for (let i = 0; i < paths.length; i += 500) {
    const list = `[${paths.slice(i, i + 500).map(quoteLiteral).join(', ')}]`;
    const meta = await engine.query(
      `SELECT file_name, row_group_id, row_group_num_rows, path_in_schema, compression, stats_min_value, stats_max_value, stats_null_count
         FROM parquet_metadata(${list})`,
      { timeoutMs: 120_000 },
    );
    const groups = new Map<string, Set<number>>();
    const groupRows = new Map<string, Map<number, number>>();
    for (const r of meta.rows) {
      const [file, rg, rgRows, column, compression, min, max, nulls] = r as [string, number | string, number | string, string, string, string | null, string | null, number | string | null];
      let f = out.get(file);
      if (!f) {
        f = { path: file, rows: 0, rowGroups: 0, compression, columns: {} };
        out.set(file, f);
        groups.set(file, new Set());
        groupRows.set(file, new Map());
      }
      groups.get(file)!.add(Number(rg));
      groupRows.get(file)!.set(Number(rg), Number(rgRows));
      const c = (f.columns[column] ??= { nulls: 0 });
      c.min = better(c.min, min, 'min');
      c.max = better(c.max, max, 'max');
      c.nulls = (c.nulls ?? 0) + Number(nulls ?? 0);
      if (compression && f.compression !== compression) f.compression = f.compression ?? compression;
    }
    for (const [file, f] of out) {
      f.rowGroups = groups.get(file)?.size ?? 0;
      f.rows = [...(groupRows.get(file)?.values() ?? [])].reduce((a, b) => a + b, 0);
    }
  }
  return out;
}
