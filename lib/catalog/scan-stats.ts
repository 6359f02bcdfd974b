/**
 * The file statistics a scan-cost estimate needs (lib/engine/cost), read from the catalog: for every
 * table's current version, each file's bytes, Hive partition values and per-column compressed bytes.
 *
 * Each table is listed under the names a query may use for it: `silver.orders` (the DuckDB views, and
 * how people write it) and, when an Athena database is given, `<database>.silver_orders` — the Glue
 * table the Athena plan creates (lib/pipeline/athena/statements.ts), so `"keystone"."silver_orders"`
 * or a bare `silver_orders` resolve too.
 */
import type { FileStats, TableFiles } from '../engine/cost';
import type { Catalog } from './database';

interface Row {
  layer: string;
  name: string;
  bytes: string | number;
  partition: Record<string, string> | null;
  column_stats: Record<string, { bytes?: number }> | null;
}

/**
 * Every query in the console is estimated, and the statistics only change when a version commits:
 * they are read again only when the set of current versions differs from the last read's.
 */
const cache = new WeakMap<Catalog, { key: string; tables: TableFiles }>();

export async function readScanStats(catalog: Catalog, athenaDatabase?: string): Promise<TableFiles> {
  const head = await catalog.pool.query<{ key: string | null }>(`select string_agg(current_version_id::text, ',' order by id) as key from datasets`);
  const key = `${athenaDatabase ?? ''}|${head.rows[0]?.key ?? ''}`;
  const hit = cache.get(catalog);
  if (hit?.key === key) return hit.tables;
  const tables = await readAll(catalog, athenaDatabase);
  cache.set(catalog, { key, tables });
  return tables;
}

async function readAll(catalog: Catalog, athenaDatabase: string | undefined): Promise<TableFiles> {
  const { rows } = await catalog.pool.query<Row>(
    `select d.layer, d.name, f.bytes, f.partition, f.column_stats
       from datasets d
       join version_files vf on vf.version_id = d.current_version_id
       join files f on f.id = vf.file_id`,
  );
  const tables: Record<string, FileStats[]> = {};
  for (const r of rows) {
    const columnBytes: Record<string, number> = {};
    for (const [column, s] of Object.entries(r.column_stats ?? {})) if (typeof s?.bytes === 'number') columnBytes[column] = s.bytes;
    const file: FileStats = {
      bytes: Number(r.bytes),
      partition: r.partition ?? {},
      ...(Object.keys(columnBytes).length > 0 ? { columnBytes } : {}),
    };
    const names = [`${r.layer}.${r.name}`];
    if (athenaDatabase) names.push(`${athenaDatabase}.${r.layer}_${r.name}`);
    for (const n of names) (tables[n] ??= []).push(file);
  }
  return tables;
}
