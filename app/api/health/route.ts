import { appCatalog } from '@/components/server-context';
import { databaseHealth } from '@/lib/health';

export const dynamic = 'force-dynamic';

/** Liveness for scripts and load balancers: 200 when the catalog answers, 503 otherwise. No secrets. */
export async function GET() {
  try {
    const catalog = await appCatalog();
    const db = await databaseHealth(catalog);
    return Response.json({ ok: db.ok, database: db.ok ? 'ok' : 'unavailable' }, { status: db.ok ? 200 : 503 });
  } catch {
    return Response.json({ ok: false, database: 'unavailable' }, { status: 503 });
  }
}
