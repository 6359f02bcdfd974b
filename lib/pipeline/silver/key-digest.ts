/**
 * The key digest of a dated silver table: for one committed version, every row's natural key, its
 * bronze lineage (`_ingest_id`, `_source_row`), its partition, and the columns gold reconciles with
 * (price, freight, payment value) — in one local Parquet file.
 *
 * A dated table is hundreds of day-partition files, and opening them all is what an incremental run
 * would otherwise spend its time on: finding the partitions that hold an older row of an incoming key,
 * the partition of a payment's order, which orders changed since gold was built, silver's totals. The
 * digest answers each from one file.
 *
 * It is a cache, never the truth: keyed by dataset id (a random uuid) and version id (immutable once
 * committed), built from the version's files when missing, and checked against the catalog's row count
 * whenever it is written. Deleting the folder costs one scan per table, nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SchemaColumn } from '../../../db/schema';
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';
import { filesOfVersion } from '../../catalog/versions';
import type { LakeContext } from '../../lake/context';
import { tableScanSql } from '../../lake/views';
import type { TableContract } from '../../olist/contract-types';

/** Silver columns gold's reconciliation sums, by table: the digest carries them so silver's totals need no scan. */
export const RECONCILED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  order_items: ['price', 'freight_value'],
  order_payments: ['payment_value'],
};

/** Digests kept per table: the current version's and a few before it (gold may have been built from one). */
const KEEP = 8;

export interface DigestModel {
  name: string;
  contract: Pick<TableContract, 'columns' | 'key' | 'partition'>;
}

/** Tables filed by an event date (or a looked-up one) have a digest; snapshot tables have a few files and need none. */
export function hasDigest(model: DigestModel): boolean {
  return model.contract.partition.kind !== 'ingest_date';
}

export function keyColumns(model: DigestModel): string[] {
  return model.contract.key.kind === 'columns' ? [...model.contract.key.columns] : model.contract.columns.map((c) => c.name);
}

/** The digest's columns, in order. */
export function digestColumns(model: DigestModel): string[] {
  return [...new Set([...keyColumns(model), ...(RECONCILED_COLUMNS[model.name] ?? [])]), '_ingest_id', '_source_row', 'year', 'month', 'day'];
}

/** The digest's select list over a relation holding the silver columns. */
export function digestSelect(model: DigestModel, alias?: string): string {
  return digestColumns(model)
    .map((c) => (alias ? `${alias}.${quoteIdent(c)}` : quoteIdent(c)))
    .join(', ');
}

function folder(ctx: LakeContext, datasetId: string): string {
  return path.join(ctx.config.dataDir, 'keys', datasetId);
}

export function digestPath(ctx: LakeContext, datasetId: string, versionId: number): string {
  return path.join(folder(ctx, datasetId), `v${versionId}.parquet`);
}

/** A digest file of that version, if one is cached (only ever written whole: a rename publishes it). */
export function cachedDigest(ctx: LakeContext, datasetId: string, versionId: number): string | undefined {
  const file = digestPath(ctx, datasetId, versionId);
  return fs.existsSync(file) ? file : undefined;
}

/**
 * Write the digest of a version from `rowsSql` (a query yielding `digestColumns`), and check it holds
 * `expectedRows` rows when that is known: a digest that disagrees with the catalog is removed, not used.
 * Returns the file, or undefined when it was discarded.
 */
export async function writeDigest(
  ctx: LakeContext,
  datasetId: string,
  versionId: number,
  rowsSql: string,
  expectedRows?: number,
): Promise<string | undefined> {
  const dir = folder(ctx, datasetId);
  fs.mkdirSync(dir, { recursive: true });
  const file = digestPath(ctx, datasetId, versionId);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    await ctx.localEngine().execute(`COPY (${rowsSql}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`, { timeoutMs: 60 * 60_000 });
    if (expectedRows !== undefined) {
      const r = await ctx.localEngine().query(`SELECT count(*) FROM read_parquet(${quoteLiteral(tmp)})`);
      const rows = Number(r.rows[0]?.[0] ?? -1);
      if (rows !== expectedRows) {
        ctx.log.warn('silver key digest disagrees with the catalog; discarded (the next run scans instead)', { datasetId, versionId, rows, expectedRows });
        fs.rmSync(tmp, { force: true });
        return undefined;
      }
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  prune(dir);
  return file;
}

function prune(dir: string) {
  const versions = fs
    .readdirSync(dir)
    .map((f) => /^v(\d+)\.parquet$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const v of versions.slice(KEEP)) fs.rmSync(path.join(dir, `v${v}.parquet`), { force: true });
}

/**
 * The digest of a committed version: the cached file, or one built now by scanning that version's
 * files (after a restore or a compaction, on a lake from before digests, or when the cache was cleared).
 */
export async function digestOf(
  ctx: LakeContext,
  silver: { id: string; bucket: string; schema: SchemaColumn[] },
  model: DigestModel,
  versionId: number,
): Promise<string | undefined> {
  const cached = cachedDigest(ctx, silver.id, versionId);
  if (cached) return cached;
  const files = await filesOfVersion(ctx.catalog.db, versionId);
  const scan = tableScanSql({
    paths: await ctx.readable(silver.bucket, files.map((f) => f.key)),
    partitionKeys: ['year', 'month', 'day'],
    schema: silver.schema,
  });
  const rows = files.reduce((a, f) => a + f.rowCount, 0);
  return writeDigest(ctx, silver.id, versionId, `SELECT ${digestSelect(model)} FROM (${scan})`, rows);
}
