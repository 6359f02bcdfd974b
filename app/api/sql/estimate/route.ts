/**
 * The scan estimate for SQL in the editor, before it runs (Athena has no dry run; we estimate from the
 * catalog's file statistics). `{{parameters}}` are left unbound, so filters on them are not used for
 * pruning and the estimate errs high.
 */
import { appLake } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { KeystoneError } from '@/lib/errors';
import { estimateScan } from '@/lib/sql/estimate';

export const dynamic = 'force-dynamic';

const MAX_SQL = 200_000;

export async function POST(request: Request): Promise<Response> {
  return withUser('analyst', 'estimate query', async () => {
    const body = (await request.json().catch(() => ({}))) as { sql?: unknown };
    if (typeof body.sql !== 'string' || body.sql.length > MAX_SQL) throw new KeystoneError('bad_request:sql', `Send the SQL to estimate (at most ${MAX_SQL} characters).`);
    const lake = await appLake();
    return json(await estimateScan(lake.catalog, lake.config, body.sql.replace(/\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/g, 'NULL')));
  });
}
