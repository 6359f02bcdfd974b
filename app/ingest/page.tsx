import Link from 'next/link';
import { appLake } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { canDo } from '@/lib/auth/sessions';
import { failStaleUploads, listPendingUploads } from '@/lib/uploads/uploads';
import { IngestPanel } from '@/components/ingest/ingest-panel';

export const dynamic = 'force-dynamic';

export default async function IngestPage() {
  const user = await requireUser('analyst', '/ingest');
  if (!canDo(user, 'engineer')) {
    return (
      <>
        <h1>Ingest</h1>
        <p className="note" role="note" data-testid="upload-refused">
          Uploading files needs the engineer role; you are signed in as {user.username}, an analyst. You can browse the <Link href="/layers/bronze">layers</Link> and run
          queries in <Link href="/sql">SQL</Link>.
        </p>
      </>
    );
  }
  const ctx = await appLake();
  await failStaleUploads(ctx.catalog.db);
  const pending = await listPendingUploads(ctx.catalog.db);
  return (
    <>
      <h1>Ingest</h1>
      <p className="subtitle">Upload files into bronze: they are previewed first, and land only when you commit them.</p>
      <IngestPanel initial={pending} />
    </>
  );
}
