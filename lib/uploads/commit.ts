/**
 * Commit uploads to bronze: one recorded `bronze` run (it holds the bronze lock, so it is refused while
 * another bronze or all run is going) that ingests each upload with `ingestFile` — lineage from the
 * upload to its bronze version, duplicates recognised by content — and then removes the staged bytes.
 */
import { and, eq, sql } from 'drizzle-orm';
import { uploads } from '../../db/schema';
import { validateDatasetName } from '../catalog/identifiers';
import { startRun } from '../catalog/runs';
import { KeystoneError, errorMessage } from '../errors';
import type { LakeContext } from '../lake/context';
import { ingestFile } from '../pipeline/bronze';
import type { UploadPreview } from './preview';
import { isUuid, localCopy } from './uploads';

export interface CommitRequest {
  uploadId: string;
  /** Bronze dataset for a non-Olist upload (default: the name the preview suggested). */
  dataset?: string;
}

export interface CommitOutcome {
  uploadId: string;
  fileName: string;
  status: 'committed' | 'duplicate' | 'failed' | 'skipped';
  dataset: string | null;
  rows: number;
  ingestId: string | null;
  error: string | null;
}

export interface CommitResult {
  runId: string;
  status: 'succeeded' | 'failed';
  outcomes: CommitOutcome[];
  error?: string;
}

interface Planned {
  id: string;
  fileName: string;
  stagingKey: string;
  dataset: string | undefined;
}

/** Checks everything that can be checked before a run starts, so a mistake comes back at once. */
async function plan(ctx: LakeContext, requests: CommitRequest[]): Promise<Planned[]> {
  if (requests.length === 0) throw new KeystoneError('bad_request:commit', 'Choose at least one upload to commit.');
  if (requests.length > 1000) throw new KeystoneError('bad_request:commit', 'At most 1,000 uploads can be committed at once.');
  const out: Planned[] = [];
  const seen = new Set<string>();
  for (const r of requests) {
    if (!isUuid(r.uploadId)) throw new KeystoneError('not_found:upload', 'There is no such upload.');
    if (seen.has(r.uploadId)) continue;
    seen.add(r.uploadId);
    const [row] = await ctx.catalog.db.select().from(uploads).where(eq(uploads.id, r.uploadId));
    if (!row) throw new KeystoneError('not_found:upload', 'There is no such upload.');
    if (row.status !== 'received') throw new KeystoneError('conflict:upload_state', `${row.fileName} is ${row.status}; only an upload waiting to be committed can be committed.`);
    const preview = row.preview as UploadPreview | null;
    let dataset: string | undefined;
    if (!row.detectedTable) {
      const wanted = r.dataset?.trim() || preview?.dataset || undefined;
      if (!wanted) {
        throw new KeystoneError('bad_request:dataset_name', `${row.fileName} is not an Olist table and no dataset name could be derived from its name; name the bronze dataset it should go to.`);
      }
      dataset = validateDatasetName(wanted);
    }
    out.push({ id: row.id, fileName: row.fileName, stagingKey: row.stagingKey, dataset });
  }
  return out;
}

export async function commitUploads(
  ctx: LakeContext,
  requests: CommitRequest[],
  opts: { userId?: string | null; onStart?: (runId: string) => void } = {},
): Promise<CommitResult> {
  const planned = await plan(ctx, requests);
  const run = await startRun(ctx.catalog, {
    job: 'bronze',
    params: { uploads: planned.map((p) => p.fileName), source: 'upload' },
    engine: ctx.engine.kind,
    userId: opts.userId ?? null,
    locks: ['bronze'],
  });
  opts.onStart?.(run.id);
  const outcomes: CommitOutcome[] = [];
  const db = ctx.catalog.db;
  try {
    run.info(`committing ${planned.length} upload(s) to bronze (run ${run.id})`);
    let i = 0;
    for (const p of planned) {
      await run.progress({ done: i++, total: planned.length, step: `bronze: ${p.fileName}` });
      const t0 = Date.now();
      // Under the bronze lock now: another commit may have taken this upload meanwhile.
      const [row] = await db.select({ status: uploads.status }).from(uploads).where(eq(uploads.id, p.id));
      if (row?.status !== 'received') {
        run.info(`${p.fileName}: already ${row?.status ?? 'gone'}; skipped`);
        outcomes.push({ uploadId: p.id, fileName: p.fileName, status: 'skipped', dataset: null, rows: 0, ingestId: null, error: null });
        continue;
      }
      const local = await localCopy(ctx, p.stagingKey);
      try {
        const r = await ingestFile(ctx, { path: local.path, displayName: p.fileName, sourceKind: 'upload', uploadId: p.id, ...(p.dataset ? { dataset: p.dataset } : {}) }, run);
        await db
          .update(uploads)
          .set({ status: r.status === 'duplicate' ? 'duplicate' : 'committed', ingestId: r.ingestId, updatedAt: sql`now()` })
          .where(and(eq(uploads.id, p.id), eq(uploads.status, 'received')));
        await run.step({ step: `bronze.${r.dataset}`, source: p.fileName, rowsIn: r.rows, rowsOut: r.status === 'ingested' ? r.rows : 0, malformed: r.malformed, ms: Date.now() - t0, status: r.status });
        outcomes.push({ uploadId: p.id, fileName: p.fileName, status: r.status === 'duplicate' ? 'duplicate' : 'committed', dataset: `bronze.${r.dataset}`, rows: r.rows, ingestId: r.ingestId, error: null });
      } catch (e) {
        const message = errorMessage(e);
        run.log('error', `${p.fileName}: ${message}`);
        await db.update(uploads).set({ status: 'failed', error: message, updatedAt: sql`now()` }).where(eq(uploads.id, p.id));
        await run.step({ step: 'bronze', source: p.fileName, status: 'failed', error: message, ms: Date.now() - t0 });
        outcomes.push({ uploadId: p.id, fileName: p.fileName, status: 'failed', dataset: null, rows: 0, ingestId: null, error: message });
      } finally {
        local.release();
      }
      // Bronze holds the data now (or the upload failed for good): the staged bytes are not needed.
      await ctx.storage.delete(ctx.bucket('bronze'), p.stagingKey).catch(() => undefined);
    }
    const failed = outcomes.filter((o) => o.status === 'failed');
    const ingested = outcomes.filter((o) => o.status === 'committed');
    const rows = ingested.reduce((a, o) => a + o.rows, 0);
    if (failed.length > 0) {
      const error = failed.length === 1 ? `${failed[0]!.fileName}: ${failed[0]!.error}` : `${failed.length} uploads were not ingested: ${failed.map((f) => f.fileName).join(', ')}`;
      run.log('error', `run failed: ${error}`);
      await run.finish('failed', { rowsIn: rows, rowsOut: rows, error });
      return { runId: run.id, status: 'failed', outcomes, error };
    }
    run.info(`bronze run finished: ${ingested.length} ingested, ${outcomes.length - ingested.length} skipped as duplicates`);
    await run.finish('succeeded', { rowsIn: rows, rowsOut: rows });
    return { runId: run.id, status: 'succeeded', outcomes };
  } catch (e) {
    const error = errorMessage(e);
    run.log('error', `run failed: ${error}`);
    await run.finish('failed', { error });
    return { runId: run.id, status: 'failed', outcomes, error };
  }
}
