'use server';
/**
 * Ingest actions, engineers only (checked here: a forged call by an analyst is refused). Uploading the
 * bytes is not an action — it streams through the /api/uploads route handler; these commit, discard and
 * start the pipeline, each returning `{ ok: false, error }` instead of throwing.
 */
import { revalidatePath } from 'next/cache';
import { requireUserForAction } from '@/components/auth/session';
import { appLake } from '@/components/server-context';
import { actionFailure, type ActionFailure } from '@/components/action-result';
import { KeystoneError } from '@/lib/errors';
import { startJob, startUploadCommit } from '@/lib/console/jobs';
import { discardUpload } from '@/lib/uploads/uploads';
import type { CommitRequest } from '@/lib/uploads/commit';

export type RunStarted = { ok: true; runId: string } | ActionFailure;

function parseRequests(value: unknown): CommitRequest[] {
  if (!Array.isArray(value) || value.length === 0) throw new KeystoneError('bad_request:commit', 'Choose at least one upload to commit.');
  return value.map((v: unknown) => {
    const r = v as { uploadId?: unknown; dataset?: unknown } | null;
    if (!r || typeof r.uploadId !== 'string') throw new KeystoneError('bad_request:commit', 'Each upload to commit needs its id.');
    if (r.dataset !== undefined && r.dataset !== null && typeof r.dataset !== 'string') throw new KeystoneError('bad_request:commit', 'A dataset name must be text.');
    return { uploadId: r.uploadId, ...(typeof r.dataset === 'string' && r.dataset.trim() ? { dataset: r.dataset.trim() } : {}) };
  });
}

/** Commit received uploads to bronze as one run; resolves once the run has started. */
export async function commitUploadsAction(requests: unknown): Promise<RunStarted> {
  try {
    const user = await requireUserForAction('engineer');
    const ctx = await appLake();
    const { runId } = await startUploadCommit(ctx, parseRequests(requests), user.id);
    revalidatePath('/jobs');
    return { ok: true, runId };
  } catch (e) {
    return actionFailure(e, 'commitUploads');
  }
}

export async function discardUploadAction(uploadId: unknown): Promise<{ ok: true } | ActionFailure> {
  try {
    await requireUserForAction('engineer');
    const ctx = await appLake();
    await discardUpload(ctx, String(uploadId));
    return { ok: true };
  } catch (e) {
    return actionFailure(e, 'discardUpload');
  }
}

/** "Run pipeline" after a commit: silver and gold (bronze already has the uploads; the landing folder is left alone). */
export async function runPipelineAction(): Promise<RunStarted> {
  try {
    const user = await requireUserForAction('engineer');
    const ctx = await appLake();
    const { runId } = await startJob(ctx, 'all', { userId: user.id, skipLanding: true });
    revalidatePath('/jobs');
    return { ok: true, runId };
  } catch (e) {
    return actionFailure(e, 'runPipeline');
  }
}
