import type { Metadata } from 'next';
import { requireUser } from '@/components/auth/session';
import { appLake } from '@/components/server-context';
import { SqlWorkspace, type WorkspaceInitial } from '@/components/sql/sql-workspace';
import { toView } from '@/components/sql/saved-view';
import type { QueryParameter } from '@/db/schema';
import { isKeystoneError } from '@/lib/errors';
import { completionSchema } from '@/lib/sql/completion';
import { lakeHeads } from '@/lib/sql/lake-state';
import { PARAMETER_NAME_RE, PARAMETER_TYPES } from '@/lib/sql/parameters';
import { getSavedQuery, listSavedQueries } from '@/lib/sql/saved-queries';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'SQL · Keystone Nexus' };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `?params=[{name,type,default,label}]` from a dashboard's "Open in SQL editor" link; anything malformed is ignored. */
function parametersFrom(text: string | undefined): QueryParameter[] | undefined {
  if (!text) return undefined;
  try {
    const list = JSON.parse(text) as unknown;
    if (!Array.isArray(list)) return undefined;
    return list
      .filter((p): p is QueryParameter => !!p && typeof p === 'object' && PARAMETER_NAME_RE.test(String((p as QueryParameter).name)) && PARAMETER_TYPES.includes((p as QueryParameter).type))
      .map((p) => ({ name: p.name, type: p.type, ...(typeof p.default === 'string' ? { default: p.default } : {}), ...(typeof p.label === 'string' ? { label: p.label } : {}) }));
  } catch {
    return undefined;
  }
}

export default async function SqlPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser('analyst', '/sql');
  const lake = await appLake();
  const sp = await searchParams;
  const [heads, saved] = await Promise.all([lakeHeads(lake.catalog), listSavedQueries(lake.catalog.db)]);
  const schema = completionSchema(heads);

  let initial: WorkspaceInitial;
  const savedId = one(sp.saved);
  const openSaved = savedId ? await getSavedQuery(lake.catalog.db, savedId).catch((e: unknown) => (isKeystoneError(e, 'not_found') ? undefined : Promise.reject(e))) : undefined;
  if (openSaved) {
    initial = { sql: openSaved.sql, saved: toView(openSaved) };
  } else if (one(sp.sql)) {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(sp)) if (k.startsWith('p.') && typeof v === 'string') values[k.slice(2)] = v;
    const parameters = parametersFrom(one(sp.params));
    initial = { sql: one(sp.sql)!.slice(0, 200_000), ...(parameters ? { parameters } : {}), values };
  } else {
    const example = heads.some((h) => h.layer === 'gold' && h.name === 'mart_daily_sales')
      ? 'SELECT date, orders, gmv, avg_order_value\nFROM gold.mart_daily_sales\nORDER BY date DESC\nLIMIT 100'
      : 'SELECT 42 AS answer';
    initial = { sql: example };
  }

  return (
    <>
      <h1>SQL</h1>
      <p className="subtitle">
        Query the lake: every dataset is a table named <code>layer.name</code> ({schema.tables.length} tables). Ctrl/Cmd+Enter runs; results stream in; Export CSV has every row.
      </p>
      <SqlWorkspace schema={schema} engine={lake.engine.kind} role={user.role} userId={user.id} saved={saved.map(toView)} initial={initial} />
    </>
  );
}
