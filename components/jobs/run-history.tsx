'use client';
/** Run history, kept live: polled every 2 s while something runs, every 15 s otherwise. */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import type { RunSummary } from '@/lib/console/runs';
import { formatCount, formatDuration, formatWhen } from '@/components/format';
import { ChecksSummary, RunStatus } from '@/components/jobs/run-status';

async function fetchRuns(): Promise<RunSummary[]> {
  const res = await fetch('/api/runs?limit=100', { cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as { runs: RunSummary[] }).runs;
}

export function RunHistory({ initial }: { initial: RunSummary[] }) {
  const { data } = useQuery({
    queryKey: ['runs'],
    queryFn: fetchRuns,
    initialData: initial,
    refetchInterval: (q) => ((q.state.data ?? []).some((r) => r.status === 'running') ? 2_000 : 15_000),
  });
  const runs = data ?? initial;
  if (runs.length === 0) return <div className="empty">No runs yet.</div>;
  return (
    <table className="grid" aria-label="Run history">
      <thead>
        <tr>
          <th>Run</th>
          <th>Status</th>
          <th>By</th>
          <th>Started</th>
          <th className="num">Duration</th>
          <th className="num">Rows in</th>
          <th className="num">Rows out</th>
          <th>Checks</th>
          <th>Why it failed</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-run-id={r.id} data-status={r.status}>
            <td>
              <Link href={`/jobs/${r.id}`}>{r.job}</Link>
              {Array.isArray(r.params.uploads) ? <span className="muted small"> (uploads)</span> : null}
            </td>
            <td>
              <RunStatus status={r.status} />
              {r.status === 'running' && r.progress ? <progress max={r.progress.total || 1} value={r.progress.done} aria-label={`${r.job} progress`} /> : null}
            </td>
            <td>{r.startedBy ?? '—'}</td>
            <td>{formatWhen(r.startedAt ?? r.createdAt)}</td>
            <td className="num">{formatDuration(r.durationMs)}</td>
            <td className="num">{r.rowsIn === null ? '—' : formatCount(r.rowsIn)}</td>
            <td className="num">{r.rowsOut === null ? '—' : formatCount(r.rowsOut)}</td>
            <td>
              <ChecksSummary checks={r.checks} />
            </td>
            <td className="error-text clip">{r.status === 'failed' ? (r.failingCheck ? `${r.failingCheck.name}: ${r.failingCheck.message ?? ''}` : r.error) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
