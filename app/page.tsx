import Link from 'next/link';
import { appCatalog, appConfig } from '@/components/server-context';
import { requireUser } from '@/components/auth/session';
import { getOverview } from '@/lib/console/overview';
import { readIngestorStatus } from '@/lib/console/ingestor-status';
import { formatBytes, formatCount, formatDuration, formatWhen } from '@/components/format';
import { ChecksSummary, RunStatus } from '@/components/jobs/run-status';
import { IngestorCard } from '@/components/overview/ingestor-card';

export const dynamic = 'force-dynamic';

const LAYER_TEXT = {
  bronze: 'Raw, immutable Parquet: every row traceable to its upload or stream batch.',
  silver: 'Cleansed, typed, de-duplicated; partitioned by year / month / day.',
  gold: 'Star schema and metric marts, ready for SQL and dashboards.',
} as const;

const title = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export default async function OverviewPage() {
  await requireUser('analyst', '/');
  const config = appConfig();
  const { db } = await appCatalog();
  const [overview, ingestor] = await Promise.all([getOverview(db), readIngestorStatus(config)]);
  return (
    <>
      <h1>Overview</h1>
      <p className="subtitle">
        The lake at a glance · storage <b>{config.storage.kind}</b> · engine <b>{config.engine.kind}</b>
      </p>

      {overview.failing.length > 0 ? (
        <section className="attention" aria-label="Needs attention">
          <h2 className="section-title">Needs attention</h2>
          <ul>
            {overview.failing.map((r) => (
              <li key={r.id}>
                <RunStatus status={r.status} /> The latest <b>{r.job}</b> run failed {formatWhen(r.finishedAt)}:{' '}
                <span className="error-text">{r.failingCheck ? `${r.failingCheck.name}${r.failingCheck.message ? ` — ${r.failingCheck.message}` : ''}` : r.error}</span>{' '}
                <Link href={`/jobs/${r.id}`}>Open the run</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {overview.running.length > 0 ? (
        <section className="running" aria-label="Running now">
          {overview.running.map((r) => (
            <p key={r.id}>
              <RunStatus status="running" /> <b>{r.job}</b> {r.progress ? `— ${r.progress.step} (${r.progress.done}/${r.progress.total})` : ''} · <Link href={`/jobs/${r.id}`}>Follow it</Link>
            </p>
          ))}
        </section>
      ) : null}

      <div className="cards" data-testid="layers">
        {overview.layers.map((l) => (
          <section key={l.layer} className={`card layer-${l.layer}`} aria-label={`${l.layer} layer`}>
            <h2>
              <span className="layer-dot" />
              <Link href={`/layers/${l.layer}`}>{title(l.layer)}</Link>
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
              <span data-testid={`${l.layer}-rows`}>{formatCount(l.rows)}</span>
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
        <IngestorCard initial={ingestor} />
      </div>

      <h2 className="section-title">Recent runs</h2>
      {overview.recentRuns.length === 0 ? (
        <div className="empty">
          No runs yet. <Link href="/ingest">Ingest files</Link>, then run the pipeline.
        </div>
      ) : (
        <table className="grid" aria-label="Recent runs">
          <thead>
            <tr>
              <th>Job</th>
              <th>Status</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Rows out</th>
              <th>Checks</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {overview.recentRuns.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link href={`/jobs/${r.id}`}>{r.job}</Link>
                </td>
                <td>
                  <RunStatus status={r.status} />
                </td>
                <td>{formatWhen(r.startedAt ?? r.createdAt)}</td>
                <td>{formatDuration(r.durationMs)}</td>
                <td>{r.rowsOut === null ? '—' : formatCount(r.rowsOut)}</td>
                <td>
                  <ChecksSummary checks={r.checks} />
                </td>
                <td className="error-text clip">{r.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 className="section-title spaced">Datasets</h2>
      {overview.datasets.length === 0 ? (
        <div className="empty">The lake is empty.</div>
      ) : (
        <table className="grid" aria-label="Datasets">
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Kind</th>
              <th className="num">Rows</th>
              <th className="num">Size</th>
              <th className="num">Files</th>
              <th>Last update</th>
            </tr>
          </thead>
          <tbody>
            {overview.datasets.map((d) => (
              <tr key={`${d.layer}.${d.name}`}>
                <td>
                  <span className={`layer-tag layer-${d.layer}`}>{d.layer}</span>{' '}
                  <Link href={`/datasets/${d.layer}/${d.name}`}>
                    {d.layer}.{d.name}
                  </Link>
                </td>
                <td>{d.kind}</td>
                <td className="num">{d.rows === null ? '—' : formatCount(d.rows)}</td>
                <td className="num">{d.bytes === null ? '—' : formatBytes(d.bytes)}</td>
                <td className="num">{d.files ?? '—'}</td>
                <td>{formatWhen(d.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
