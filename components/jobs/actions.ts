'use server';
/**
 * Start a pipeline job from the console (engineers only — checked here, so a forged call by an analyst
 * is refused). The run goes on in the server process after this returns; the page follows it.
 */
import { revalidatePath } from 'next/cache';
import { requireUserForAction } from '@/components/auth/session';
import { appLake } from '@/components/server-context';
import { actionFailure, type ActionFailure } from '@/components/action-result';
import { parseJob, startJob } from '@/lib/console/jobs';

export type StartJobState = { ok: true; runId: string; job: string } | ActionFailure | { ok: null };

export async function startJobAction(_prev: StartJobState, form: FormData): Promise<StartJobState> {
  try {
    const user = await requireUserForAction('engineer');
    const job = parseJob(form.get('job'));
    const ctx = await appLake();
    const { runId } = await startJob(ctx, job, { userId: user.id, skipLanding: form.get('skipLanding') === '1' });
    revalidatePath('/jobs');
    return { ok: true, runId, job };
  } catch (e) {
    return actionFailure(e, 'startJob');
  }
}
