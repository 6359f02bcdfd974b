import { appCatalog } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { canDo } from '@/lib/auth/sessions';
import { listRunHistory } from '@/lib/console/runs';
import { StartJobs } from '@/components/jobs/start-jobs';
import { RunHistory } from '@/components/jobs/run-history';

export const dynamic = 'force-dynamic';

export default async function JobsPage() {
  const user = await requireUser('analyst', '/jobs');
  const { db } = await appCatalog();
  const runs = await listRunHistory(db, { limit: 100 });
  return (
    <>
      <h1>Jobs</h1>
      <p className="subtitle">Start pipeline runs and follow them; every run is recorded with its steps, checks and logs.</p>
      {canDo(user, 'engineer') ? (
        <StartJobs />
      ) : (
        <p className="note" role="note">
          Starting jobs needs the engineer role; you are signed in as an analyst.
        </p>
      )}
      <h2 className="section-title spaced">Run history</h2>
      <RunHistory initial={runs} />
    </>
  );
}
