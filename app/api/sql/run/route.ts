/**
 * Runs SQL for the editor and streams the result as NDJSON (see lib/sql/protocol.ts). The grid gets
 * at most GRID_MAX_ROWS rows; the CSV export has them all. A client that goes away stops the query.
 */
import { appLake } from '@/components/server-context';
import { errorResponse } from '@/components/api/respond';
import { requireUserForAction } from '@/components/auth/session';
import { errorMessage, isKeystoneError, userMessage } from '@/lib/errors';
import { GRID_MAX_ROWS, type RunMessage } from '@/lib/sql/protocol';
import { parseBody, resolveSql, runBody } from '@/lib/sql/requests';
import { billFor } from '@/lib/sql/estimate';
import { startQuery } from '@/lib/sql/run';

export const dynamic = 'force-dynamic';

const encoder = new TextEncoder();
const line = (m: RunMessage) => encoder.encode(JSON.stringify(m) + '\n');

export async function POST(request: Request): Promise<Response> {
  try {
    const user = await requireUserForAction('analyst');
    const body = parseBody(runBody, await request.json().catch(() => ({})));
    const lake = await appLake();
    const resolved = await resolveSql(lake.catalog.db, body);
    const q = await startQuery(lake, {
      user,
      queryId: body.queryId,
      sql: resolved.sql,
      parameters: resolved.parameters,
      values: resolved.values,
      savedQueryId: resolved.savedQueryId,
      ...(body.timeoutSeconds ? { timeoutMs: Math.round(body.timeoutSeconds * 1000) } : {}),
    });
    let sent = 0;
    request.signal.addEventListener('abort', () => void q.stop('cancelled').catch(() => undefined), { once: true });
    const stream = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          controller.enqueue(line({ type: 'start', queryId: q.queryId, engine: q.engine, columns: q.columns, maxRows: GRID_MAX_ROWS, ...(q.estimate ? { estimate: q.estimate } : {}) }));
        },
        async pull(controller) {
          try {
            const next = await q.batches.next();
            if (!next.done) {
              let rows = next.value;
              const room = GRID_MAX_ROWS - sent;
              if (rows.length >= room) {
                rows = rows.slice(0, room);
                sent += rows.length;
                controller.enqueue(line({ type: 'rows', rows }));
                await q.stop('truncated');
              } else {
                sent += rows.length;
                controller.enqueue(line({ type: 'rows', rows }));
                return;
              }
            }
            const end = await q.ended;
            if (end.status === 'succeeded') {
              controller.enqueue(
                line({ type: 'end', rows: end.rows, elapsedMs: end.stats.elapsedMs, truncated: end.truncated, ...(end.stats.bytesScanned !== undefined ? billFor(end.stats.bytesScanned) : {}) }),
              );
            } else {
              controller.enqueue(line({ type: 'error', code: end.error.code, message: userMessage(end.error) }));
            }
            controller.close();
          } catch (e) {
            controller.enqueue(line({ type: 'error', code: isKeystoneError(e) ? e.code : 'internal:sql', message: isKeystoneError(e) ? userMessage(e) : errorMessage(e) }));
            controller.close();
          }
        },
        cancel() {
          void q.stop('cancelled').catch(() => undefined);
        },
      },
      { highWaterMark: 4 },
    );
    return new Response(stream, {
      headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
    });
  } catch (e) {
    return errorResponse(e, 'run sql');
  }
}
