/** Cancels a running query by its id: the owner or an engineer. Idempotent: a finished query answers `cancelled: false`. */
import { json, withUser } from '@/components/api/respond';
import { KeystoneError } from '@/lib/errors';
import { runningQueries } from '@/lib/sql/running';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withUser('analyst', 'cancel query', async (user) => {
    const body = (await request.json().catch(() => ({}))) as { queryId?: unknown };
    if (typeof body.queryId !== 'string') throw new KeystoneError('bad_request:query_id', 'Which query? Send its queryId.');
    return json({ cancelled: runningQueries().cancel(body.queryId, user) });
  });
}
