/** The signed-in person's query history, newest first (`?before=<id>` pages back). */
import { appCatalog } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { listHistory } from '@/lib/sql/history';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  return withUser('analyst', 'query history', async (user) => {
    const { db } = await appCatalog();
    const params = new URL(request.url).searchParams;
    const before = Number(params.get('before'));
    const limit = Number(params.get('limit') ?? 50);
    const entries = await listHistory(db, user.id, { limit: Number.isFinite(limit) ? limit : 50, ...(Number.isInteger(before) && before > 0 ? { before } : {}) });
    return json({ entries });
  });
}
