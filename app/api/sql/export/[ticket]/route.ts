/** Step two of a CSV export: streams every row of the result as CSV, read from the engine as the browser downloads. */
import crypto from 'node:crypto';
import { appLake } from '@/components/server-context';
import { withUser } from '@/components/api/respond';
import { csvStream } from '@/lib/sql/csv';
import { exportFileName, exportTickets } from '@/lib/sql/exports';
import { startQuery } from '@/lib/sql/run';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ ticket: string }> }): Promise<Response> {
  return withUser('analyst', 'download csv', async (user) => {
    const { ticket } = await params;
    const req = exportTickets().redeem(ticket, user.id);
    const lake = await appLake();
    const q = await startQuery(lake, {
      user,
      queryId: `export-${crypto.randomBytes(9).toString('base64url')}`,
      sql: req.sql,
      parameters: req.parameters ?? [],
      values: req.values ?? {},
      savedQueryId: req.savedQueryId ?? null,
      // An export may take longer than an interactive query.
      timeoutMs: 60 * 60_000,
    });
    request.signal.addEventListener('abort', () => void q.stop('cancelled').catch(() => undefined), { once: true });
    const file = exportFileName(req.name);
    return new Response(csvStream(q.columns, q.batches), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
        'cache-control': 'no-store',
        'x-query-id': q.queryId,
      },
    });
  });
}
