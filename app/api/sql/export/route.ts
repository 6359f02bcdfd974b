/**
 * Step one of a CSV export: checks the SQL (parameters bound, the analyst guard) and answers with a
 * one-time download link. Step two is GET /api/sql/export/<ticket>, which streams the whole result.
 */
import { appLake } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { exportTickets } from '@/lib/sql/exports';
import { exportBody, parseBody, resolveSql } from '@/lib/sql/requests';
import { bindSql, guardFor, prepareLake } from '@/lib/sql/run';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return withUser('analyst', 'export csv', async (user) => {
    const body = parseBody(exportBody, await request.json().catch(() => ({})));
    const lake = await appLake();
    const resolved = await resolveSql(lake.catalog.db, body);
    // Refuse now, where the editor can show why, rather than in a download that fails.
    const bound = bindSql(resolved.sql, resolved.parameters, resolved.values, lake.engine.kind);
    await prepareLake(lake);
    await guardFor(user, bound.sql, lake);
    const ticket = exportTickets().issue(user.id, { ...resolved, name: body.name ?? resolved.name });
    return json({ url: `/api/sql/export/${ticket}` });
  });
}
