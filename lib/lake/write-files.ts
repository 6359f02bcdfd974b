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

const ROW_GROUP_ROWS = 122_880;

function statsOf(raw: unknown): NewFile['columnStats'] {
  const out: NonNullable<NewFile['columnStats']> = {};
  // The engine turns DuckDB's MAP(VARCHAR, MAP(VARCHAR, VARCHAR)) into nested objects; names come quoted.
  for (const [quoted, stats] of Object.entries((raw ?? {}) as Record<string, Record<string, string>>)) {
    const name = quoted.replace(/^"|"$/g, '').replace(/""/g, '"');
    const m = stats;
    out[name] = {
      ...(m.min !== undefined ? { min: m.min } : {}),
      ...(m.max !== undefined ? { max: m.max } : {}),
      nulls: Number(m.null_count ?? 0),
      ...(m.column_size_bytes !== undefined ? { bytes: Number(m.column_size_bytes) } : {}),
    };
  }
  return out;
}

/**
 * Write the result of `select` as ZSTD Parquet into a staged version, optionally partitioned, and
 * describe the files from DuckDB's own write statistics (no footer re-reads). On local storage DuckDB
 * writes straight into the version's folder; elsewhere into scratch, then each file is uploaded.
 */
export async function copyToVersion(
  engine: QueryEngine,
  staged: StagedVersion,
  select: string,
  opts: { partitionBy?: readonly string[]; scratch: () => string; fileName?: string; onlyPartition?: Record<string, string> },
): Promise<NewFile[]> {
  const inPlace = staged.localFolder?.();
  const base = inPlace ?? opts.scratch();
  let partitioned = (opts.partitionBy?.length ?? 0) > 0;
  let target = partitioned ? base : path.join(base, opts.fileName ?? 'part-0.parquet');
  // All rows in one known partition: write its file directly, as PARTITION_BY would have named it.
  // A partitioned COPY costs about twice a plain one even for a single partition (1M-row snapshots).
  const only = opts.onlyPartition;
  if (partitioned && only && opts.partitionBy!.every((k) => /^[0-9A-Za-z_-]+$/.test(only[k] ?? ''))) {
    const folder = path.join(base, ...opts.partitionBy!.map((k) => `${k}=${only[k]}`));
    fs.mkdirSync(folder, { recursive: true });
    target = path.join(folder, 'part-0.parquet');
    select = `SELECT * EXCLUDE (${opts.partitionBy!.map((k) => `"${k}"`).join(', ')}) FROM (${select})`;
    partitioned = false;
  }
  const options = ['FORMAT parquet', 'COMPRESSION zstd', 'RETURN_STATS true'];
  if (partitioned) options.push(`PARTITION_BY (${opts.partitionBy!.map((k) => `"${k}"`).join(', ')})`, `FILENAME_PATTERN 'part-{i}'`);
  const r = await engine.query(`COPY (${select}) TO '${target.replace(/'/g, "''")}' (${options.join(', ')})`, { timeoutMs: 60 * 60_000 });
  const files: NewFile[] = [];
  for (const row of r.rows) {
    const [file, count, size, , columnStats] = row as [string, string | number, string | number, unknown, unknown];
    const rows = Number(count);
    if (rows === 0 && (partitioned || only)) continue;
    const relative = path.relative(base, file).split(path.sep).join('/');
    if (inPlace) staged.adopt!([relative]);
    else await staged.putFile(relative, file);
    files.push({
      key: staged.prefix + relative,
      bytes: Number(size),
      rowCount: rows,
      rowGroups: Math.max(1, Math.ceil(rows / ROW_GROUP_ROWS)),
      compression: 'ZSTD',
      partition: partitionOf(relative),
      columnStats: statsOf(columnStats),
    });
  }
  await staged.seal();
  return files.sort((a, b) => (a.key < b.key ? -1 : 1));
}
