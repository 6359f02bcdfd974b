/**
 * The partition inspector: a dataset's partitions (year / month / day for silver) with rows, bytes,
 * files and the run that last wrote each; and, for one partition, its files with row groups,
 * compression and per-column min / max / null counts read from the Parquet footers.
 */
import { sql } from 'drizzle-orm';
import type { ColumnStats } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { quoteLiteral } from '../catalog/identifiers';
import type { Dataset } from '../catalog/versions';
import { KeystoneError, errorMessage } from '../errors';
import type { LakeContext } from '../lake/context';

/** A partition whose files average less than this, with more than one file, should be compacted. */
export const SMALL_FILE_BYTES = 32 * 1024 * 1024;

export interface PartitionSummary {
  /** `year=2017/month=11/day=24` (values percent-encoded); `''` for an unpartitioned dataset. */
  id: string;
  values: Record<string, string>;
  rows: number;
  bytes: number;
  files: number;
  /** More than one file, averaging under SMALL_FILE_BYTES. */
  smallFiles: boolean;
  lastRunId: string | null;
  lastJob: string | null;
  lastWrittenAt: string | null;
}

export function partitionId(keys: readonly string[], values: Record<string, string>): string {
  return keys.map((k) => `${k}=${encodeURIComponent(values[k] ?? '')}`).join('/');
}

/** Parse a partition id from a URL against the dataset's partition keys; throws `not_found:partition`. */
export function parsePartitionId(keys: readonly string[], id: string): Record<string, string> {
  const bad = () => new KeystoneError('not_found:partition', `There is no partition ${JSON.stringify(id)}.`);
  if (keys.length === 0) {
    if (id !== '') throw bad();
    return {};
  }
  const parts = id.split('/');
  if (parts.length !== keys.length) throw bad();
  const out: Record<string, string> = {};
  parts.forEach((p, i) => {
    const eq = p.indexOf('=');
    if (eq <= 0 || p.slice(0, eq) !== keys[i]) throw bad();
    let v: string;
    try {
      v = decodeURIComponent(p.slice(eq + 1));
    } catch {
      throw bad();
    }
    if (v.length === 0 || v.length > 200) throw bad();
    out[keys[i]!] = v;
  });
  return out;
}

export function isSmall(files: number, bytes: number): boolean {
  return files > 1 && bytes / files < SMALL_FILE_BYTES;
}

export async function listPartitions(db: CatalogDb, ds: Dataset): Promise<PartitionSummary[]> {
  if (!ds.currentVersionId) return [];
  const r = await db.execute<{ partition: Record<string, string>; files: number; rows: string; bytes: string; run_id: string | null; job: string | null; written: string | Date | null }>(
    sql`select f.partition, count(*)::int as files, sum(f.row_count)::text as rows, sum(f.bytes)::text as bytes,
            (array_agg(f.run_id order by f.created_in_version_id desc nulls last, f.id desc))[1] as run_id,
            (array_agg(r.job order by f.created_in_version_id desc nulls last, f.id desc))[1] as job,
            max(f.created_at) as written
       from version_files vf
       join files f on f.id = vf.file_id
       left join job_runs r on r.id = f.run_id
      where vf.version_id = ${ds.currentVersionId}
      group by f.partition`,
  );
  const keys = ds.partitionKeys;
  return r.rows
    .map((row) => {
      const rows = Number(row.rows);
      const bytes = Number(row.bytes);
      return {
        id: partitionId(keys, row.partition),
        values: row.partition,
        rows,
        bytes,
        files: row.files,
        smallFiles: isSmall(row.files, bytes),
        lastRunId: row.run_id,
        lastJob: row.job,
        lastWrittenAt: row.written ? new Date(row.written).toISOString() : null,
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface TreeNode {
  key: string;
  value: string;
  /** Partition id prefix, e.g. `year=2017/month=11`. */
  id: string;
  rows: number;
  bytes: number;
  files: number;
  partitions: number;
  smallFiles: number;
  children: TreeNode[];
  /** Set on leaves. */
  leaf?: PartitionSummary;
}

/** year → month → day (or whatever the keys are), each level with totals. */
export function partitionTree(keys: readonly string[], partitions: PartitionSummary[]): TreeNode[] {
  const root: TreeNode = { key: '', value: '', id: '', rows: 0, bytes: 0, files: 0, partitions: 0, smallFiles: 0, children: [] };
  for (const p of partitions) {
    let node = root;
    const path: TreeNode[] = [root];
    keys.forEach((k, depth) => {
      const value = p.values[k] ?? '';
      let child = node.children.find((c) => c.value === value);
      if (!child) {
        child = { key: k, value, id: partitionId(keys.slice(0, depth + 1), p.values), rows: 0, bytes: 0, files: 0, partitions: 0, smallFiles: 0, children: [] };
        node.children.push(child);
      }
      node = child;
      path.push(child);
    });
    node.leaf = p;
    for (const n of path) {
      n.rows += p.rows;
      n.bytes += p.bytes;
      n.files += p.files;
      n.partitions += 1;
      n.smallFiles += p.smallFiles ? 1 : 0;
    }
  }
  const sort = (n: TreeNode) => {
    n.children.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    n.children.forEach(sort);
  };
  sort(root);
  return root.children;
}

export interface ColumnFacts {
  name: string;
  type: string | null;
  compression: string | null;
  min: string | null;
  max: string | null;
  nulls: number | null;
  compressedBytes: number;
  uncompressedBytes: number;
}

export interface FileFacts {
  id: number;
  key: string;
  bytes: number;
  rows: number;
  runId: string | null;
  createdAt: string;
  compression: string | null;
  rowGroups: { id: number; rows: number; bytes: number }[];
  columns: ColumnFacts[];
  /** Where the figures came from: the file's footer now, or the catalog's copy taken when it was written. */
  source: 'footer' | 'catalog';
  problem: string | null;
}

export interface PartitionDetail {
  summary: PartitionSummary;
  /** The first `maxFiles` files in key order. */
  files: FileFacts[];
  totalFiles: number;
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/**
 * Files of one partition of the current version, with their Parquet metadata: the first `maxFiles`
 * (an unpartitioned bronze table may hold thousands, one per ingest).
 */
export async function inspectPartition(ctx: LakeContext, ds: Dataset, partition: Record<string, string>, maxFiles = 50): Promise<PartitionDetail> {
  const all = await listPartitions(ctx.catalog.db, ds);
  const id = partitionId(ds.partitionKeys, partition);
  const summary = all.find((p) => p.id === id);
  if (!summary) throw new KeystoneError('not_found:partition', `${ds.layer}.${ds.name} has no partition ${id || '(the whole table)'} in its current version.`);
  const fileRows = await ctx.catalog.db.execute<{ id: string; key: string; bytes: string; row_count: string; row_groups: number | null; compression: string | null; column_stats: Record<string, ColumnStats>; run_id: string | null; created_at: string | Date }>(
    sql`select f.id, f.key, f.bytes, f.row_count, f.row_groups, f.compression, f.column_stats, f.run_id, f.created_at
       from version_files vf join files f on f.id = vf.file_id
      where vf.version_id = ${ds.currentVersionId} and f.partition = ${JSON.stringify(partition)}::jsonb
      order by f.key
      limit ${Math.max(1, Math.min(maxFiles, 1000))}`,
  );
  const files: FileFacts[] = fileRows.rows.map((f) => ({
    id: Number(f.id),
    key: f.key,
    bytes: Number(f.bytes),
    rows: Number(f.row_count),
    runId: f.run_id,
    createdAt: new Date(f.created_at).toISOString(),
    compression: f.compression,
    rowGroups: [],
    columns: Object.entries(f.column_stats ?? {}).map(([name, s]) => ({ name, type: null, compression: f.compression, min: text(s.min), max: text(s.max), nulls: s.nulls ?? null, compressedBytes: 0, uncompressedBytes: 0 })),
    source: 'catalog',
    problem: null,
  }));
  const readable = await ctx.readable(ds.bucket, files.map((f) => f.key));
  const byPath = new Map(files.map((f, i) => [readable[i]!, f]));
  if (byPath.size > 0) {
    try {
      const meta = await ctx.localEngine().query(
        `SELECT file_name, row_group_id, row_group_num_rows, row_group_compressed_bytes, path_in_schema, type, compression,
                stats_min_value, stats_max_value, stats_null_count, total_compressed_size, total_uncompressed_size
           FROM parquet_metadata([${[...byPath.keys()].map(quoteLiteral).join(', ')}])
          ORDER BY file_name, row_group_id, column_id`,
        { timeoutMs: 60_000 },
      );
      const fresh = new Map<FileFacts, Map<string, ColumnFacts>>();
      for (const r of meta.rows) {
        const f = byPath.get(String(r[0]));
        if (!f) continue;
        let cols = fresh.get(f);
        if (!cols) {
          cols = new Map();
          fresh.set(f, cols);
          f.rowGroups = [];
          f.source = 'footer';
        }
        const rg = Number(r[1]);
        if (!f.rowGroups.some((g) => g.id === rg)) f.rowGroups.push({ id: rg, rows: Number(r[2]), bytes: Number(r[3] ?? 0) });
        const name = String(r[4]);
        const c = cols.get(name) ?? { name, type: text(r[5]), compression: text(r[6]), min: null, max: null, nulls: 0, compressedBytes: 0, uncompressedBytes: 0 };
        c.min = pick(c.min, text(r[7]), 'min', c.type);
        c.max = pick(c.max, text(r[8]), 'max', c.type);
        c.nulls = r[9] === null || c.nulls === null ? null : c.nulls + Number(r[9]);
        c.compressedBytes += Number(r[10] ?? 0);
        c.uncompressedBytes += Number(r[11] ?? 0);
        cols.set(name, c);
      }
      for (const [f, cols] of fresh) {
        f.columns = [...cols.values()];
        f.compression = [...new Set(f.columns.map((c) => c.compression).filter(Boolean))].join(', ') || f.compression;
      }
    } catch (e) {
      for (const f of files) f.problem = `The Parquet footer could not be read (${errorMessage(e)}); the figures are the catalog's, taken when the file was written.`;
    }
  }
  return { summary, files, totalFiles: summary.files };
}

function pick(a: string | null, b: string | null, which: 'min' | 'max', type: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  const numeric = type !== null && /INT|FLOAT|DOUBLE/.test(type) && Number.isFinite(Number(a)) && Number.isFinite(Number(b));
  const less = numeric ? Number(a) < Number(b) : a < b;
  return which === 'min' ? (less ? a : b) : less ? b : a;
}
