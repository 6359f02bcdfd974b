'use client';
/** The four jobs, each a button; a refusal (e.g. the job is already running) is shown right here. */
import Link from 'next/link';
import { useActionState } from 'react';
import { ActionStatus } from '@/components/action-status';
import { useQueryClient } from '@tanstack/react-query';
import { startJobAction, type StartJobState } from '@/components/jobs/actions';

const JOB_TEXT = {
  bronze: 'Ingest the files waiting in the landing folder',
  silver: 'Cleanse new bronze rows into silver',
  gold: 'Rebuild the star schema and marts',
  all: 'Bronze, then silver, then gold',
} as const;

export function StartJobs() {
  const client = useQueryClient();
  const [state, action, pending] = useActionState<StartJobState, FormData>(async (prev, form) => {
    const r = await startJobAction(prev, form);
    void client.invalidateQueries({ queryKey: ['runs'] });
    return r;
  }, { ok: null });
  return (
    <section className="card start-jobs" aria-label="Start a job">
      <h2>Start a job</h2>
      <form action={action} className="job-buttons">
        {(Object.keys(JOB_TEXT) as (keyof typeof JOB_TEXT)[]).map((job) => (
          <button key={job} type="submit" name="job" value={job} disabled={pending} title={JOB_TEXT[job]}>
            Run {job}
          </button>
        ))}
      </form>
      <ActionStatus state={state}>
        {state.ok === true ? (
          <>
            Started the {state.job} run. <Link href={`/jobs/${state.runId}`}>Follow it</Link>
          </>
        ) : null}
      </ActionStatus>
    </section>
  );
}
