/** One run: status, progress, steps and checks (polled while it runs). */
import { appCatalog } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { getRunDetail } from '@/lib/console/runs';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return withUser('analyst', 'run detail', async () => {
    const { id } = await params;
    const { db } = await appCatalog();
    return json({ run: await getRunDetail(db, id) });
  });
}
