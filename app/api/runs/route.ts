/** Run history for the Jobs page (polled while runs are going). */
import { appCatalog } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { listRunHistory } from '@/lib/console/runs';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  return withUser('analyst', 'list runs', async () => {
    const { db } = await appCatalog();
    const params = new URL(request.url).searchParams;
    const job = params.get('job') ?? undefined;
    const limit = Number(params.get('limit') ?? 50);
    return json({ runs: await listRunHistory(db, { limit: Number.isFinite(limit) ? limit : 50, ...(job ? { job } : {}) }) });
  });
}
