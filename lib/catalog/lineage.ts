/**
 * Lineage questions: which runs wrote a dataset and from what, and what was made from it — as a graph of
 * datasets and sources joined by runs, walked upstream and downstream to a depth.
 */
import type { Catalog } from './database';

export interface LineageNode {
  id: string;
  kind: 'dataset' | 'source';
  name: string;
}
export interface LineageLink {
  from: string;
  to: string;
  runId: string;
  job: string;
  at: string;
}

/** All dataset-level edges (input name → output name per run), collapsed over partitions and files. */
async function allLinks(catalog: Catalog): Promise<LineageLink[]> {
  const r = await catalog.pool.query<{ from_name: string; to_name: string; run_id: string; job: string; at: Date }>(
    `select distinct i.name as from_name, o.name as to_name, r.id as run_id, r.job, r.created_at as at
       from lineage_edges i
       join lineage_edges o on o.run_id = i.run_id and o.direction = 'output'
       join job_runs r on r.id = i.run_id
      where i.direction = 'input'
        and i.name <> o.name
        -- within one run, an input feeds the outputs of the same step (one ingest, one silver table, one gold model).
        and coalesce(i.facets ->> 'step', '') = coalesce(o.facets ->> 'step', '')
      order by r.created_at`,
  );
  return r.rows.map((x) => ({ from: x.from_name, to: x.to_name, runId: x.run_id, job: x.job, at: x.at.toISOString() }));
}

export async function lineageGraph(catalog: Catalog, center: string, depth = 3): Promise<{ nodes: LineageNode[]; links: LineageLink[] }> {
  const links = await allLinks(catalog);
  // Keep the newest run per (from, to) so a graph does not repeat every historical run.
  const newest = new Map<string, LineageLink>();
  for (const l of links) newest.set(`${l.from}→${l.to}`, l);
  const unique = [...newest.values()];
  const keep = new Set<string>([center]);
  let frontierUp = new Set([center]);
  let frontierDown = new Set([center]);
  for (let d = 0; d < depth; d++) {
    const nextUp = new Set<string>();
    const nextDown = new Set<string>();
    for (const l of unique) {
      if (frontierUp.has(l.to) && !keep.has(l.from)) nextUp.add(l.from);
      if (frontierDown.has(l.from) && !keep.has(l.to)) nextDown.add(l.to);
    }
    nextUp.forEach((n) => keep.add(n));
    nextDown.forEach((n) => keep.add(n));
    frontierUp = nextUp;
    frontierDown = nextDown;
  }
  const chosen = unique.filter((l) => keep.has(l.from) && keep.has(l.to));
  const nodes = [...keep].map((name) => ({ id: name, name, kind: /^(bronze|silver|gold)\./.test(name) ? ('dataset' as const) : ('source' as const) }));
  return { nodes, links: chosen };
}
