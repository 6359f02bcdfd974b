import Link from 'next/link';
import { notFound } from 'next/navigation';
import { appCatalog } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { isKeystoneError } from '@/lib/errors';
import { getRunDetail } from '@/lib/console/runs';
import { RunView } from '@/components/jobs/run-view';

export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  await requireUser('analyst', `/jobs/${runId}`);
  const { db } = await appCatalog();
  let run;
  try {
    run = await getRunDetail(db, runId);
  } catch (e) {
    if (isKeystoneError(e, 'not_found')) notFound();
    throw e;
  }
  return (
    <>
      <p className="crumbs">
        <Link href="/jobs">Jobs</Link> / run
      </p>
      <RunView initial={run} />
    </>
  );
}
