/**
 * Uploads: bytes streamed from a browser into a staged object, previewed, then committed to bronze
 * (commit.ts) or discarded.
 *
 * The bytes go straight from the request stream to storage, one chunk at a time (storage writes to a
 * temp file and renames it into place only once complete), so memory does not grow with the file and
 * a cut-off upload leaves nothing behind. The staging key is built from the upload's id, never from
 * the file name, which is display text only (names.ts).
 *
 * Status: receiving → received (previewed, waiting for commit) → committed | duplicate, or failed /
 * discarded. Only `received` uploads are offered for commit.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { datasets, ingests, uploads } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError, errorMessage, isKeystoneError, userMessage } from '../errors';
import type { LakeContext } from '../lake/context';
import { sanitizeDisplayName } from './names';
import { previewFile, type UploadPreview } from './preview';

export type UploadStatus = 'receiving' | 'received' | 'committed' | 'duplicate' | 'failed' | 'discarded';

/** What pages and route handlers return about an upload: no storage keys, no user ids. */
export interface UploadView {
  id: string;
  fileName: string;
  bytes: number;
  sha256: string | null;
  status: UploadStatus;
  detectedTable: string | null;
  detectedFormat: string | null;
  preview: UploadPreview | null;
  error: string | null;
  ingestId: string | null;
  /** The same bytes are already in bronze: committing would be a no-op. */
  duplicateOf: { ingestId: string; dataset: string | null } | null;
  createdAt: string;
}

type UploadRow = typeof uploads.$inferSelect;

export const UPLOAD_AREA = '_uploads/';
/** How often the row of an upload in progress is touched, so an abandoned one can be told from a slow one. */
const PROGRESS_EVERY_MS = 2_000;
/** A `receiving` upload untouched this long was abandoned (the server stopped, the connection died). */
export const STALE_RECEIVING_MS = 2 * 60_000;

export function stagingKeyFor(uploadId: string): string {
  return `${UPLOAD_AREA}${uploadId}/data`;
}

function view(row: UploadRow, duplicateOf: UploadView['duplicateOf'] = null): UploadView {
  return {
    id: row.id,
    fileName: row.fileName,
    bytes: row.bytes,
    sha256: row.sha256,
    status: row.status,
    detectedTable: row.detectedTable,
    detectedFormat: row.detectedFormat,
    preview: (row.preview as UploadPreview | null) ?? null,
    error: row.error,
    ingestId: row.ingestId,
    duplicateOf,
    createdAt: row.createdAt.toISOString(),
  };
}

async function findDuplicate(db: CatalogDb, sha256: string | null): Promise<UploadView['duplicateOf']> {
  if (!sha256) return null;
  const rows = await db
    .select({ id: ingests.id, dataset: datasets.name })
    .from(ingests)
    .leftJoin(datasets, eq(datasets.id, ingests.datasetId))
    .where(eq(ingests.contentSha256, sha256))
    .limit(1);
  const r = rows[0];
  return r ? { ingestId: r.id, dataset: r.dataset ? `bronze.${r.dataset}` : null } : null;
}

/**
 * A local path to read the staged bytes from: the object itself on local storage, a scratch copy
 * otherwise. `release` removes the copy.
 */
export async function localCopy(ctx: LakeContext, key: string): Promise<{ path: string; release(): void }> {
  const bucket = ctx.bucket('bronze');
  if (ctx.storage.kind === 'local') return { path: ctx.storage.locate(bucket, key), release: () => undefined };
  const dir = ctx.scratch('upload');
  const file = path.join(dir, 'data');
  await pipeline(await ctx.storage.get(bucket, key), fs.createWriteStream(file));
  return { path: file, release: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface ReceiveInput {
  /** The name the browser sent: validated here, display only. */
  fileName: string;
  body: AsyncIterable<Uint8Array>;
  /** The size the client announced (Content-Length). A body that ends short of it was cut off. */
  expectedBytes?: number;
  userId: string | null;
}

function cutOff(fileName: string, received: number, expected: number): KeystoneError {
  return new KeystoneError('bad_request:upload_incomplete', `The upload of ${fileName} was cut off after ${received.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} bytes; nothing was kept. Upload the file again.`);
}

/**
 * Stream one upload into staging and preview it. Resolves with the `received` upload, or throws a
 * `bad_request:*` (bad name, empty, binary, cut off…) after recording the failure; nothing of a failed
 * upload stays in storage.
 */
export async function receiveUpload(ctx: LakeContext, input: ReceiveInput): Promise<UploadView> {
  const fileName = sanitizeDisplayName(input.fileName);
  if (input.expectedBytes === 0) throw new KeystoneError('bad_request:empty_file', `${fileName} is empty (0 bytes); there is nothing to upload.`);
  const db = ctx.catalog.db;
  const id = crypto.randomUUID();
  const stagingKey = stagingKeyFor(id);
  const bucket = ctx.bucket('bronze');
  await db.insert(uploads).values({ id, fileName, stagingKey, status: 'receiving', userId: input.userId });

  let received = 0;
  let lastTouch = Date.now();
  let touching: Promise<unknown> = Promise.resolve();
  const expected = input.expectedBytes;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of input.body) {
      received += chunk.byteLength;
      if (expected !== undefined && received > expected) throw new KeystoneError('bad_request:upload_size', `The upload sent more than the ${expected} bytes it announced; nothing was kept.`);
      if (Date.now() - lastTouch > PROGRESS_EVERY_MS) {
        lastTouch = Date.now();
        const n = received;
        touching = touching.then(() => db.update(uploads).set({ bytes: n, updatedAt: sql`now()` }).where(eq(uploads.id, id))).catch(() => undefined);
      }
      yield chunk;
    }
    if (expected !== undefined && received !== expected) throw cutOff(fileName, received, expected);
  }

  const fail = async (cause: unknown): Promise<never> => {
    await touching;
    await ctx.storage.delete(bucket, stagingKey).catch(() => undefined);
    // A connection reset or an aborted request is the client going away mid-upload: say so plainly.
    const e = isKeystoneError(cause)
      ? cause
      : expected !== undefined && received < expected
        ? cutOff(fileName, received, expected)
        : new KeystoneError('bad_request:upload_failed', `The upload of ${fileName} stopped after ${received.toLocaleString('en-US')} bytes (${errorMessage(cause)}); nothing was kept.`, { cause });
    if (!isKeystoneError(cause)) ctx.log.warn('upload failed', { upload: id, error: errorMessage(cause) });
    await db.update(uploads).set({ status: 'failed', bytes: received, error: e.visibleToUser ? e.message : userMessage(e), updatedAt: sql`now()` }).where(eq(uploads.id, id));
    throw e;
  };

  let put;
  try {
    put = await ctx.storage.put(bucket, stagingKey, Readable.from(counted(), { objectMode: false, highWaterMark: 1 << 16 }));
  } catch (e) {
    return fail(e);
  }
  await touching;
  if (put.bytes === 0) return fail(new KeystoneError('bad_request:empty_file', `${fileName} is empty (0 bytes); there is nothing to upload.`));

  let preview: UploadPreview;
  const local = await localCopy(ctx, stagingKey).catch(fail);
  try {
    preview = await previewFile(ctx.engine, local.path, fileName);
  } catch (e) {
    return fail(e);
  } finally {
    local.release();
  }
  const [row] = await db
    .update(uploads)
    .set({
      status: 'received',
      bytes: put.bytes,
      sha256: put.sha256,
      detectedTable: preview.table,
      detectedFormat: preview.format + (preview.compression === 'gzip' ? '+gzip' : ''),
      preview: preview as unknown as Record<string, unknown>,
      updatedAt: sql`now()`,
    })
    .where(eq(uploads.id, id))
    .returning();
  return view(row!, await findDuplicate(db, put.sha256));
}

export async function getUpload(db: CatalogDb, id: string): Promise<UploadView | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await db.select().from(uploads).where(eq(uploads.id, id));
  return row ? view(row, row.status === 'received' ? await findDuplicate(db, row.sha256) : null) : undefined;
}

export async function getUploads(db: CatalogDb, ids: string[]): Promise<UploadView[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  const rows = await db.select().from(uploads).where(inArray(uploads.id, valid));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return valid.flatMap((id) => (byId.has(id) ? [view(byId.get(id)!)] : []));
}

/** Uploads waiting to be committed (anyone's: engineers share the ingest queue), oldest first. */
export async function listPendingUploads(db: CatalogDb, limit = 100): Promise<UploadView[]> {
  const rows = await db.select().from(uploads).where(eq(uploads.status, 'received')).orderBy(uploads.createdAt).limit(limit);
  return Promise.all(rows.map(async (r) => view(r, await findDuplicate(db, r.sha256))));
}

export async function listRecentUploads(db: CatalogDb, limit = 50): Promise<UploadView[]> {
  const rows = await db.select().from(uploads).orderBy(desc(uploads.createdAt)).limit(limit);
  return rows.map((r) => view(r));
}

/** Throw the staged bytes away. Only a `received` upload can be discarded. */
export async function discardUpload(ctx: LakeContext, id: string): Promise<UploadView> {
  const db = ctx.catalog.db;
  if (!isUuid(id)) throw new KeystoneError('not_found:upload', 'There is no such upload.');
  const [row] = await db
    .update(uploads)
    .set({ status: 'discarded', updatedAt: sql`now()` })
    .where(and(eq(uploads.id, id), eq(uploads.status, 'received')))
    .returning();
  if (!row) {
    const current = await getUpload(db, id);
    if (!current) throw new KeystoneError('not_found:upload', 'There is no such upload.');
    throw new KeystoneError('conflict:upload_state', `${current.fileName} is ${current.status}; only an upload waiting to be committed can be discarded.`);
  }
  await ctx.storage.delete(ctx.bucket('bronze'), row.stagingKey).catch(() => undefined);
  return view(row);
}

/**
 * Uploads left `receiving` by a server that stopped (or a connection that died without an error) are
 * marked failed; their bytes never became an object (storage renames only complete files into place).
 */
export async function failStaleUploads(db: CatalogDb, olderThanMs = STALE_RECEIVING_MS): Promise<number> {
  const rows = await db
    .update(uploads)
    .set({ status: 'failed', error: 'The upload stopped before it was complete (the connection was lost or the server restarted); nothing was kept.', updatedAt: sql`now()` })
    .where(and(eq(uploads.status, 'receiving'), lt(uploads.updatedAt, new Date(Date.now() - olderThanMs))))
    .returning({ id: uploads.id });
  return rows.length;
}

export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
