import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser } from '@/components/auth/session';
import { appLake } from '@/components/server-context';
import { SavedQueryRunner } from '@/components/sql/saved-query-runner';
import { toView } from '@/components/sql/saved-view';
import { isKeystoneError } from '@/lib/errors';
import { getSavedQuery } from '@/lib/sql/saved-queries';

export const dynamic = 'force-dynamic';

export default async function SavedQueryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireUser('analyst', `/sql/saved/${id}`);
  const lake = await appLake();
  let query;
  try {
    query = await getSavedQuery(lake.catalog.db, id);
  } catch (e) {
    if (isKeystoneError(e, 'not_found')) notFound();
    throw e;
  }
  return (
    <>
      <p className="crumbs">
        <Link href="/sql">SQL</Link> / saved queries
      </p>
      <h1>{query.name}</h1>
      <p className="subtitle">{query.description || 'A saved query.'} Fill in its parameters and run it.</p>
      <SavedQueryRunner query={toView(query)} engine={lake.engine.kind} />
    </>
  );
}
