'use client';
/** The ingestor's status and throughput, refreshed every few seconds. */
import { useQuery } from '@tanstack/react-query';
import type { IngestorStatus } from '@/lib/console/ingestor-status';
import { headlineMetrics } from '@/lib/console/ingestor-status';
import { formatBytes, formatCount } from '@/components/format';

async function fetchStatus(): Promise<IngestorStatus> {
  const res = await fetch('/api/ingestor', { cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as { status: IngestorStatus }).status;
}

export function IngestorCard({ initial }: { initial: IngestorStatus }) {
  const { data } = useQuery({ queryKey: ['ingestor-status'], queryFn: fetchStatus, initialData: initial, refetchInterval: 3_000 });
  const status = data ?? initial;
  const figures = status.running ? headlineMetrics(status.metrics) : [];
  return (
    <section className="card" aria-label="Ingestor">
      <h2>
        <span className={`dot ${status.running ? 'dot-ok' : 'dot-off'}`} />
        Stream ingestor
      </h2>
      {status.running ? (
        <>
          <p className="status-ok" data-testid="ingestor-state">
            running
          </p>
          {figures.map((m) => (
            <div className="stat" key={m.label}>
              <span>{m.label}</span>
              <span>
                {typeof m.value !== 'number'
                  ? m.value
                  : m.unit === 'B/s'
                    ? `${formatBytes(m.value)}/s`
                    : m.unit === 'B'
                      ? formatBytes(m.value)
                      : `${formatCount(Math.round(m.value * 10) / 10)}${m.unit === 'ms' ? ' ms' : ''}`}
              </span>
            </div>
          ))}
          {figures.length === 0 ? <p className="muted">No figures yet.</p> : null}
        </>
      ) : (
        <>
          <p className="muted" data-testid="ingestor-state">
            not running
          </p>
          <p className="small muted">{status.reason}</p>
        </>
      )}
    </section>
  );
}
