/**
 * Move the Parquet files DuckDB wrote into a staged version and describe them for the catalog: key,
 * size, rows, row groups, compression, partition values (from `key=value` folders) and column stats.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NewFile } from '../catalog/versions';
import type { QueryEngine } from '../engine/engine';
import type { StagedVersion } from '../storage/backend';
import { readParquetFacts } from './parquet-stats';

export function listParquetFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.parquet')) out.push(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

export function partitionOf(relative: string): Record<string, string> {
  const partition: Record<string, string> = {};
  for (const seg of relative.split('/').slice(0, -1)) {
    const eq = seg.indexOf('=');
    if (eq > 0) partition[seg.slice(0, eq)] = decodeURIComponent(seg.slice(eq + 1));
  }
  return partition;
}

/** Stage every Parquet file under `localDir`, keeping its relative path; returns catalog file records. */
export async function stageParquetFiles(engine: QueryEngine, staged: StagedVersion, localDir: string): Promise<NewFile[]> {
  const local = listParquetFiles(localDir);
  const facts = await readParquetFacts(engine, local);
  const out: NewFile[] = [];
  // A few at a time: renames are cheap, but each touches the directory tree.
  const queue = [...local];
  const workers = Array.from({ length: 8 }, async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const relative = path.relative(localDir, file).split(path.sep).join('/');
      const f = facts.get(file);
      const { bytes } = await staged.putFile(relative, file);
      out.push({
        key: staged.prefix + relative,
        bytes,
        rowCount: f?.rows ?? 0,
        rowGroups: f?.rowGroups ?? 0,
        compression: f?.compression ?? null,
        partition: partitionOf(relative),
        columnStats: f?.columns ?? {},
      });
    }
  });
  await Promise.all(workers);
  await staged.seal();
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}
