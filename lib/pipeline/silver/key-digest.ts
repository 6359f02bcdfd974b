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
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SchemaColumn } from '../../../db/schema';
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';
import { filesOfVersion } from '../../catalog/versions';
import type { LakeContext } from '../../lake/context';
import { tableScanSql } from '../../lake/views';
import { syncFileSystem } from '../../storage/fs-sync';
import type { TableContract } from '../../olist/contract-types';
import { CONTRACTS, contractFor, isTableName } from '../../olist/contracts';
import { listParquetFiles } from '../../lake/write-files';

/** Silver columns gold's reconciliation sums, by table: the digest carries them so silver's totals need no scan. */
export const RECONCILED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  order_items: ['price', 'freight_value'],
  order_payments: ['payment_value'],
};

/** Columns gold maps a customer, product or seller change to the orders naming it by. */
export const REFERENCE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  orders: ['customer_id'],
  order_items: ['product_id', 'seller_id'],
};

/** Digests kept per table: the current version's and a few before it (gold may have been built from one). */
const KEEP = 3;

export interface DigestModel {
  name: string;
  contract: Pick<TableContract, 'columns' | 'key' | 'partition'>;
}

/** The digest model of an Olist table (undefined for any other name). */
export function olistDigestModel(table: string): DigestModel | undefined {
  return isTableName(table) ? { name: table, contract: contractFor(table) } : undefined;
}

/** An Olist table that has a digest. */
export function hasOlistDigest(table: string): boolean {
  const m = olistDigestModel(table);
  return m !== undefined && hasDigest(m);
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
  return [...new Set([...keyColumns(model), ...(RECONCILED_COLUMNS[model.name] ?? []), ...(REFERENCE_COLUMNS[model.name] ?? [])]), '_ingest_id', '_source_row', 'year', 'month', 'day'];
}

/** The digest's select list over a relation holding the silver columns. */
export function digestSelect(model: DigestModel, alias?: string): string {
  return digestColumns(model)
    .map((c) => (alias ? `${alias}.${quoteIdent(c)}` : quoteIdent(c)))
    .join(', ');
}

/** The digests' layout (their columns and files): a digest written by code with another layout is never read. */
const LAYOUT = `l${createHash('sha256')
  .update(JSON.stringify(['month files', RECONCILED_COLUMNS, REFERENCE_COLUMNS, CONTRACTS.map((c) => [c.table, c.key])]))
  .digest('hex')
  .slice(0, 8)}`;

function folder(ctx: LakeContext, datasetId: string): string {
  return path.join(ctx.config.dataDir, 'keys', LAYOUT, datasetId);
}

/** A version's digest: a folder of one file per month (`year=/month=/`), so an update rewrites only the months it touches. */
export function digestPath(ctx: LakeContext, datasetId: string, versionId: number): string {
  return path.join(folder(ctx, datasetId), `v${versionId}`);
}

/** The SQL relation reading a digest folder: its files listed (no glob, so no character of the data dir's path is special). */
function relationOf(dir: string): string {
  return `read_parquet([${listParquetFiles(dir).map(quoteLiteral).join(', ')}], hive_partitioning = false)`;
}

/** The digest of that version as a relation, if one is cached (folders are only ever published whole, by a rename). */
export function cachedDigest(ctx: LakeContext, datasetId: string, versionId: number): string | undefined {
  const dir = digestPath(ctx, datasetId, versionId);
  return fs.existsSync(dir) ? relationOf(dir) : undefined;
}

const WRITE = '(FORMAT parquet, COMPRESSION lz4, PARTITION_BY (year, month), WRITE_PARTITION_COLUMNS true)';

/**
 * Write a version's digest into a fresh folder, then publish it by renaming — after checking that it
 * holds `expectedRows` rows: a digest that disagrees with the catalog is dropped, never used.
 * `fill` writes the folder's content; it is given the folder.
 */
async function publish(
  ctx: LakeContext,
  datasetId: string,
  versionId: number,
  expectedRows: number | undefined,
  emptySql: string,
  fill: (tmp: string) => Promise<void>,
): Promise<string | undefined> {
  const dir = digestPath(ctx, datasetId, versionId);
  const tmp = `${dir}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    await fill(tmp);
    if (listParquetFiles(tmp).length === 0) {
      // No rows: one empty file keeps the folder readable (with its columns).
      fs.mkdirSync(tmp, { recursive: true });
      await ctx.localEngine().execute(`COPY (${emptySql}) TO ${quoteLiteral(path.join(tmp, 'empty.parquet'))} (FORMAT parquet)`);
    }
    if (expectedRows !== undefined) {
      const r = await ctx.localEngine().query(`SELECT count(*) FROM ${relationOf(tmp)}`);
      const rows = Number(r.rows[0]?.[0] ?? -1);
      if (rows !== expectedRows) {
        ctx.log.warn('silver key digest disagrees with the catalog; discarded (the next run scans instead)', { datasetId, versionId, rows, expectedRows });
        fs.rmSync(tmp, { recursive: true, force: true });
        return undefined;
      }
    }
    // Durable before it is visible: a folder published after a crash must hold whole files.
    await syncFileSystem(tmp);
    if (fs.existsSync(dir)) {
      // Another job built the same version's digest meanwhile; versions never change, so keep theirs
      // (replacing it could pull it from under a query reading it).
      fs.rmSync(tmp, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, dir);
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  prune(folder(ctx, datasetId), versionId);
  return relationOf(dir);
}

/** Remove a digest (of a version that was never committed). */
export function dropDigest(ctx: LakeContext, datasetId: string, versionId: number): void {
  fs.rmSync(digestPath(ctx, datasetId, versionId), { recursive: true, force: true });
}

/** Write a version's digest whole from `rowsSql` (a query yielding `digestColumns`). */
export async function writeDigest(ctx: LakeContext, datasetId: string, versionId: number, rowsSql: string, expectedRows?: number): Promise<string | undefined> {
  return publish(ctx, datasetId, versionId, expectedRows, `SELECT * FROM (${rowsSql}) WHERE false`, async (tmp) => {
    await ctx.localEngine().execute(`COPY (${rowsSql}) TO ${quoteLiteral(tmp)} ${WRITE}`, { timeoutMs: 60 * 60_000 });
  });
}

/**
 * Write the digest of a version that rewrote some partitions of the one before: the months it did not
 * touch are the previous digest's files, hard-linked; the touched months are written from the previous
 * rows outside the rewritten partitions plus `rewrittenRowsSql` (the rewritten partitions' rows).
 */
export async function updateDigest(
  ctx: LakeContext,
  model: DigestModel,
  datasetId: string,
  previousVersionId: number,
  versionId: number,
  rewritten: readonly { year: string; month: string; day: string }[],
  rewrittenRowsSql: string,
  expectedRows: number,
): Promise<string | undefined> {
  const previous = digestPath(ctx, datasetId, previousVersionId);
  if (!fs.existsSync(previous)) return undefined;
  const touched = new Set(rewritten.map((p) => `year=${p.year}/month=${p.month}`));
  const months = listParquetFiles(previous)
    .map((f) => path.relative(previous, f))
    .filter((f) => f !== 'empty.parquet');
  const month = (f: string) => f.split(path.sep).slice(0, 2).join('/');
  return publish(ctx, datasetId, versionId, expectedRows, `SELECT ${digestSelect(model)} FROM (${rewrittenRowsSql}) WHERE false`, async (tmp) => {
    const old = months.filter((f) => touched.has(month(f))).map((f) => quoteLiteral(path.join(previous, f)));
    const values = rewritten.map((p) => `(${quoteLiteral(p.year)}, ${quoteLiteral(p.month)}, ${quoteLiteral(p.day)})`).join(', ');
    const kept =
      old.length > 0
        ? `SELECT ${digestSelect(model, 'd')} FROM read_parquet([${old.join(', ')}], hive_partitioning = false) d
           ANTI JOIN (VALUES ${values}) p(year, month, day) ON d.year = p.year AND d.month = p.month AND d.day = p.day UNION ALL `
        : '';
    await ctx.localEngine().execute(`COPY (${kept}SELECT ${digestSelect(model)} FROM (${rewrittenRowsSql})) TO ${quoteLiteral(tmp)} ${WRITE}`, { timeoutMs: 60 * 60_000 });
    for (const f of months.filter((f) => !touched.has(month(f)))) {
      const target = path.join(tmp, f);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      try {
        fs.linkSync(path.join(previous, f), target);
      } catch {
        // A file system without hard links: a copy is as good, only bigger.
        fs.copyFileSync(path.join(previous, f), target);
      }
    }
  });
}

/** Keep the newest digests and the one just published; drop the rest, and temp folders a crash left (after an hour). */
function prune(dir: string, published: number) {
  const entries = fs.readdirSync(dir);
  const versions = entries
    .map((f) => /^v(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  for (const v of versions.slice(KEEP)) if (v !== published) fs.rmSync(path.join(dir, `v${v}`), { recursive: true, force: true });
  for (const f of entries.filter((e) => e.endsWith('.tmp'))) {
    const full = path.join(dir, f);
    const age = Date.now() - (fs.statSync(full, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 60 * 60_000) fs.rmSync(full, { recursive: true, force: true });
  }
}

/**
 * The digest of a committed version as a relation: the cached one, or one built now by scanning that version's
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
