/** A run's log lines after the `after` sequence number: the Jobs page polls with the last one it has. */
import { appCatalog } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { MAX_LOG_PAGE, readRunLogs } from '@/lib/console/runs';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withUser('analyst', 'run logs', async () => {
    const { id } = await params;
    const search = new URL(request.url).searchParams;
    const after = Number(search.get('after') ?? 0);
    const limit = Number(search.get('limit') ?? MAX_LOG_PAGE);
    const { db } = await appCatalog();
    const lines = await readRunLogs(db, id, after, limit);
    return json({ lines, next: lines.length > 0 ? lines[lines.length - 1]!.seq : after, more: lines.length >= Math.min(limit, MAX_LOG_PAGE) });
  });
}
