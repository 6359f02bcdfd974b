import type { Metadata } from 'next';
import Link from 'next/link';
import { requireUser } from '@/components/auth/session';
import { appLake } from '@/components/server-context';
import { formatWhen } from '@/components/format';
import { LineageGraph } from '@/components/lineage/lineage-graph';
import styles from '@/components/lineage/lineage.module.css';
import { lineageChoices, lineageNeighbourhood, type LineageCentre } from '@/lib/catalog/lineage-graph';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Lineage · Keystone Nexus' };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function LineagePage({ searchParams }: { searchParams: Promise<Search> }) {
  await requireUser('analyst', '/lineage');
  const sp = await searchParams;
  const lake = await appLake();
  const choices = await lineageChoices(lake.catalog);
  const depth = Math.max(1, Math.min(10, Number(one(sp.depth)) || 3));
  const run = one(sp.run);
  const datasetParam = one(sp.dataset);
  const fallback = ['gold.fact_orders', 'silver.orders'].find((d) => choices.datasets.includes(d)) ?? choices.datasets[0];
  const centre: LineageCentre | undefined = run && UUID.test(run) ? { run } : (datasetParam ?? fallback) ? { dataset: (datasetParam ?? fallback)! } : undefined;
  const graph = centre ? await lineageNeighbourhood(lake.catalog, centre, depth) : undefined;
  const centreRun = centre && 'run' in centre ? choices.runs.find((r) => r.id === centre.run) : undefined;

  return (
    <>
      <h1>Lineage</h1>
      <p className="subtitle">From source files and stream batches through bronze and silver to gold tables and marts. Click a dataset to open it.</p>
      <form className={styles.bar} method="get" action="/lineage" aria-label="Centre and depth" data-testid="lineage-form">
        <label>
          Centre on a dataset
          <select name="dataset" defaultValue={centre && 'dataset' in centre ? centre.dataset : ''} aria-label="Dataset">
            <option value="">—</option>
            {choices.datasets.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label>
          or on a run
          <select name="run" defaultValue={centre && 'run' in centre ? centre.run : ''} aria-label="Run">
            <option value="">—</option>
            {choices.runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.job} · {formatWhen(r.at)} · {r.status}
              </option>
            ))}
          </select>
        </label>
        <label>
          Depth
          <input type="number" name="depth" min={1} max={10} defaultValue={depth} aria-label="Depth" />
        </label>
        <button type="submit" className="primary">
          Show
        </button>
        {graph ? (
          <span className="small muted" data-testid="lineage-summary">
            {graph.nodes.length} nodes, {graph.links.length} links{graph.truncated ? ' — the graph was cut at its node limit; lower the depth or pick a narrower centre' : ''}
            {centreRun ? (
              <>
                {' '}
                · run <Link href={`/jobs/${centreRun.id}`}>{centreRun.job}</Link>
              </>
            ) : null}
          </span>
        ) : null}
      </form>
      {!graph || graph.nodes.length === 0 ? (
        <div className="empty" data-testid="lineage-empty">
          No lineage recorded yet. <Link href="/ingest">Ingest</Link> files and run the pipeline: every run records what it read and wrote.
        </div>
      ) : (
        <LineageGraph nodes={graph.nodes} links={graph.links} centre={graph.centre} />
      )}
    </>
  );
}
