import Link from 'next/link';
import { appCatalog, appConfig } from '@/components/server-context';
import { getLayerSummaries, getRecentRuns } from '@/lib/catalog/lake-summary';
import { formatBytes, formatCount, formatWhen } from '@/components/format';

export const dynamic = 'force-dynamic';

const LAYER_TEXT = {
  bronze: 'Raw, immutable Parquet: every row traceable to its upload or stream batch.',
  silver: 'Cleansed, typed, de-duplicated; partitioned by year / month / day.',
  gold: 'Star schema and metric marts, ready for SQL and dashboards.',
} as const;

export default async function OverviewPage() {
  const config = appConfig();
  const { db } = await appCatalog();
  const [layers, runs] = await Promise.all([getLayerSummaries(db), getRecentRuns(db)]);
  return (
    <>
      <h1>Overview</h1>
      <p className="subtitle">
        The lake at a glance · storage <b>{config.storage.kind}</b> · engine <b>{config.engine.kind}</b>
      </p>
      <div className="cards" data-testid="layers">
        {layers.map((l) => (
          <section key={l.layer} className={`card layer-${l.layer}`} aria-label={`${l.layer} layer`}>
            <h2>
              <span className="layer-dot" />
              <Link href={`/layers/${l.layer}`}>{l.layer[0]!.toUpperCase() + l.layer.slice(1)}</Link>
            </h2>
            <p className="subtitle" style={{ fontSize: 13, marginBottom: 10 }}>
              {LAYER_TEXT[l.layer]}
            </p>
            <div className="stat">
              <span>Datasets</span>
              <span data-testid={`${l.layer}-datasets`}>{formatCount(l.datasets)}</span>
            </div>
            <div className="stat">
              <span>Rows</span>
              <span>{formatCount(l.rows)}</span>
            </div>
            <div className="stat">
              <span>Size</span>
              <span>{formatBytes(l.bytes)}</span>
            </div>
            <div className="stat">
              <span>Last update</span>
              <span>{formatWhen(l.lastUpdate)}</span>
            </div>
          </section>
        ))}
      </div>
      <h2 className="section-title">Recent runs</h2>
      {runs.length === 0 ? (
        <div className="empty">No runs yet. Ingest files, then run the pipeline.</div>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Job</th>
              <th>Status</th>
              <th>Started</th>
              <th>Rows out</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>{r.job}</td>
                <td className={`status status-${r.status}`}>{r.status}</td>
                <td>{formatWhen(r.startedAt ?? r.createdAt)}</td>
                <td>{r.rowsOut === null ? '—' : formatCount(r.rowsOut)}</td>
                <td>{r.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
