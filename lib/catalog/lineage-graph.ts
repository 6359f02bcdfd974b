/**
 * Lineage for the console's graph: nodes placed in layer columns (sources → bronze → silver → gold
 * dimensions and facts → gold marts) and links labelled with the run that made them, centred on a
 * dataset or on a run and walked upstream and downstream to a depth. Extends `lineage.ts` (which the
 * CLI prints) with what a picture needs: each node's layer, kind and row count, sources named by
 * their namespace (file, upload, stream), and a run-centred view.
 *
 * Edges are collapsed to dataset level here (a silver run writes one edge per partition; the graph
 * shows one link), and only the newest run per (from, to) pair is kept, so a graph does not grow with
 * history. A node cap keeps the largest graphs drawable; the result says when it was reached.
 */
import type { Catalog } from './database';

export type LineageColumn = 'source' | 'bronze' | 'silver' | 'gold' | 'mart';
export const LINEAGE_COLUMNS: readonly LineageColumn[] = ['source', 'bronze', 'silver', 'gold', 'mart'];

export interface GraphNode {
  /** `bronze.orders` for a dataset, `file:olist_orders_dataset.csv` for a source. */
  id: string;
  kind: 'dataset' | 'source';
  column: LineageColumn;
  /** Short label: the dataset or source name. */
  label: string;
  /** Dataset layer, or the source namespace (file, upload, stream, …). */
  group: string;
  /** For datasets: the catalog's kind (table, quarantine, dead_letter) or the gold model kind. */
  detail?: string;
  rows?: number | null;
  /** Where clicking the node goes. */
  href?: string;
}

export interface GraphLink {
  from: string;
  to: string;
  runId: string;
  job: string;
  at: string;
}

export interface LineageGraphResult {
  nodes: GraphNode[];
  links: GraphLink[];
  /** Ids of the nodes the graph is centred on (one dataset, or a run's inputs and outputs). */
  centre: string[];
  /** Set when the node cap was reached and the outer nodes were left out. */
  truncated: boolean;
}

export type LineageCentre = { dataset: string } | { run: string };

export const MAX_GRAPH_NODES = 600;
const DATASET_RE = /^(bronze|silver|gold)\.[a-z][a-z0-9_]*$/;
const LAKE_NAMESPACE = /^keystone:\/\//;

interface EdgeRow {
  run_id: string;
  direction: 'input' | 'output';
  namespace: string;
  name: string;
  step: string;
  job: string;
  at: Date;
}

function nodeId(namespace: string, name: string): string {
  return LAKE_NAMESPACE.test(namespace) && DATASET_RE.test(name) ? name : `${namespace}:${name}`;
}

/** Dataset-level edges of every run (or of one run), distinct over partitions and files. */
async function edgeRows(catalog: Catalog, runId?: string): Promise<EdgeRow[]> {
  const r = await catalog.pool.query<EdgeRow>(
    `select distinct e.run_id, e.direction, e.namespace, e.name, coalesce(e.facets ->> 'step', '') as step, r.job, r.created_at as at
       from lineage_edges e join job_runs r on r.id = e.run_id
      ${runId ? 'where e.run_id = $1' : ''}`,
    runId ? [runId] : [],
  );
  return r.rows;
}

/** input → output links: within a run, an input feeds the outputs of the same step. Newest run per pair. */
function linksOf(rows: readonly EdgeRow[]): GraphLink[] {
  const byRunStep = new Map<string, { inputs: EdgeRow[]; outputs: EdgeRow[] }>();
  for (const row of rows) {
    const k = `${row.run_id}\u0000${row.step}`;
    const g = byRunStep.get(k) ?? { inputs: [], outputs: [] };
    (row.direction === 'input' ? g.inputs : g.outputs).push(row);
    byRunStep.set(k, g);
  }
  const newest = new Map<string, GraphLink>();
  for (const { inputs, outputs } of byRunStep.values()) {
    for (const i of inputs) {
      for (const o of outputs) {
        const from = nodeId(i.namespace, i.name);
        const to = nodeId(o.namespace, o.name);
        if (from === to) continue;
        const key = `${from}\u0000${to}`;
        const prev = newest.get(key);
        if (!prev || prev.at < o.at.toISOString()) newest.set(key, { from, to, runId: o.run_id, job: o.job, at: o.at.toISOString() });
      }
    }
  }
  return [...newest.values()];
}

/** The ids a run read or wrote. */
async function runNodeIds(catalog: Catalog, runId: string): Promise<string[]> {
  const rows = await edgeRows(catalog, runId);
  return [...new Set(rows.map((r) => nodeId(r.namespace, r.name)))];
}

function goldColumn(name: string): LineageColumn {
  return /^gold\.mart_/.test(name) ? 'mart' : 'gold';
}

function goldDetail(name: string): string | undefined {
  const m = /^gold\.(dim|fact|mart)_/.exec(name);
  return m ? ({ dim: 'dimension', fact: 'fact', mart: 'mart' } as const)[m[1] as 'dim' | 'fact' | 'mart'] : undefined;
}

async function describeNodes(catalog: Catalog, ids: readonly string[]): Promise<GraphNode[]> {
  const datasetIds = ids.filter((id) => DATASET_RE.test(id));
  const info = new Map<string, { kind: string; rows: number | null }>();
  if (datasetIds.length > 0) {
    const r = await catalog.pool.query<{ id: string; kind: string; rows: string | null }>(
      `select d.layer || '.' || d.name as id, d.kind, v.row_count as rows
         from datasets d left join dataset_versions v on v.id = d.current_version_id
        where d.layer || '.' || d.name = any($1::text[])`,
      [datasetIds],
    );
    for (const row of r.rows) info.set(row.id, { kind: row.kind, rows: row.rows === null ? null : Number(row.rows) });
  }
  return ids.map((id) => {
    if (DATASET_RE.test(id)) {
      const [layer, name] = id.split('.') as [string, string];
      const i = info.get(id);
      const column: LineageColumn = layer === 'gold' ? goldColumn(id) : (layer as LineageColumn);
      const detail = (layer === 'gold' ? goldDetail(id) : undefined) ?? i?.kind;
      return { id, kind: 'dataset', column, label: name, group: layer, ...(detail ? { detail } : {}), rows: i?.rows ?? null, href: `/datasets/${layer}/${name}` };
    }
    const sep = id.indexOf(':');
    const namespace = id.slice(0, sep);
    return { id, kind: 'source', column: 'source', label: id.slice(sep + 1), group: namespace };
  });
}

/**
 * The graph around a dataset (`{ dataset: 'silver.orders' }`) or a run (`{ run: '<uuid>' }`), `depth`
 * hops upstream and downstream (1–10). Unknown centres give an empty graph, not an error.
 */
export async function lineageNeighbourhood(catalog: Catalog, centre: LineageCentre, depth = 3, maxNodes = MAX_GRAPH_NODES): Promise<LineageGraphResult> {
  const hops = Math.max(1, Math.min(10, Math.floor(depth) || 1));
  const links = linksOf(await edgeRows(catalog));
  const start = 'run' in centre ? await runNodeIds(catalog, centre.run) : [centre.dataset];
  const keep = new Set<string>(start);
  let truncated = false;
  let up = new Set(start);
  let down = new Set(start);
  for (let d = 0; d < hops && !truncated; d++) {
    const nextUp = new Set<string>();
    const nextDown = new Set<string>();
    for (const l of links) {
      if (up.has(l.to) && !keep.has(l.from)) nextUp.add(l.from);
      if (down.has(l.from) && !keep.has(l.to)) nextDown.add(l.to);
    }
    for (const id of [...nextUp, ...nextDown]) {
      if (keep.size >= maxNodes) {
        truncated = true;
        break;
      }
      keep.add(id);
    }
    up = nextUp;
    down = nextDown;
  }
  const chosen = links.filter((l) => keep.has(l.from) && keep.has(l.to));
  // A lone centre with no recorded lineage still shows, when it exists as a dataset.
  const nodes = await describeNodes(catalog, [...keep]);
  return { nodes, links: chosen, centre: start, truncated };
}

/** Datasets and recent runs that have lineage, for the page's pickers. */
export async function lineageChoices(catalog: Catalog, runLimit = 50): Promise<{ datasets: string[]; runs: { id: string; job: string; at: string; status: string }[] }> {
  const [ds, runs] = await Promise.all([
    catalog.pool.query<{ id: string }>(`select layer || '.' || name as id from datasets where current_version_id is not null order by case layer when 'bronze' then 1 when 'silver' then 2 else 3 end, name`),
    catalog.pool.query<{ id: string; job: string; at: Date; status: string }>(
      `select r.id, r.job, r.created_at as at, r.status from job_runs r
        where exists (select 1 from lineage_edges e where e.run_id = r.id)
        order by r.created_at desc limit $1`,
      [runLimit],
    ),
  ]);
  return { datasets: ds.rows.map((r) => r.id), runs: runs.rows.map((r) => ({ id: r.id, job: r.job, at: r.at.toISOString(), status: r.status })) };
}
