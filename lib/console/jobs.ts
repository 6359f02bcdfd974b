/**
 * Starting work from the console: pipeline jobs and upload commits, launched in the server process so
 * they outlive the request (background.ts). Each resolves with the run id as soon as the run exists, or
 * rejects with why it could not start — `conflict:job_running` names the run already holding the job.
 */
import { KeystoneError } from '../errors';
import type { LakeContext } from '../lake/context';
import { JOBS, runJob, type Job } from '../pipeline/jobs';
import { commitUploads, type CommitRequest } from '../uploads/commit';
import { launchRun } from './background';

export function parseJob(value: unknown): Job {
  if (typeof value === 'string' && (JOBS as readonly string[]).includes(value)) return value as Job;
  throw new KeystoneError('bad_request:job', `Unknown job ${JSON.stringify(value)}: use one of ${JOBS.join(', ')}.`);
}

export interface StartJobOptions {
  userId: string | null;
  /**
   * Skip the landing folder for bronze / all (the Ingest page's "Run pipeline": its files were just
   * committed as uploads). Default: a bronze or all run ingests `<data dir>/landing/`, as the CLI does.
   */
  skipLanding?: boolean;
}

export async function startJob(ctx: LakeContext, job: Job, opts: StartJobOptions): Promise<{ runId: string }> {
  const { runId } = await launchRun(ctx.log, `${job} job`, (onStart) =>
    runJob(ctx, job, { userId: opts.userId, onStart, ...(opts.skipLanding ? { files: [] } : {}) }),
  );
  return { runId };
}

export async function startUploadCommit(ctx: LakeContext, requests: CommitRequest[], userId: string | null): Promise<{ runId: string }> {
  const { runId } = await launchRun(ctx.log, 'upload commit', (onStart) => commitUploads(ctx, requests, { userId, onStart }));
  return { runId };
}
