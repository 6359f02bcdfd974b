'use client';
/** One run, live: status, progress, steps, checks (failures first) and the log. */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import type { RunDetail } from '@/lib/console/runs';
import { formatCount, formatDuration, formatWhen } from '@/components/format';
import { RunStatus } from '@/components/jobs/run-status';
import { LogViewer } from '@/components/jobs/log-viewer';

async function fetchRun(id: string): Promise<RunDetail> {
  const res = await fetch(`/api/runs/${id}`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as { run: RunDetail }).run;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatCount(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const STEP_COLUMNS = ['step', 'source', 'status', 'rowsIn', 'rowsOut', 'quarantined', 'duplicates', 'updated', 'malformed', 'partitionsRewritten', 'ms'] as const;
const STEP_LABELS: Record<string, string> = { rowsIn: 'rows in', rowsOut: 'rows out', partitionsRewritten: 'partitions', ms: 'time' };

export function RunView({ initial }: { initial: RunDetail }) {
  const { data } = useQuery({
    queryKey: ['run', initial.id],
    queryFn: () => fetchRun(initial.id),
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.status === 'running' || q.state.data?.status === 'queued' ? 1_000 : false),
  });
  const run = data ?? initial;
  const running = run.status === 'running' || run.status === 'queued';
  const stepColumns = STEP_COLUMNS.filter((c) => run.steps.some((s) => s[c] !== undefined && s[c] !== null));
  const failedChecks = run.checkList.filter((c) => c.status === 'failed');
  return (
    <>
      <h1>
        {run.job} run <RunStatus status={run.status} />
      </h1>
      <p className="subtitle">
        <code>{run.id}</code> · started {formatWhen(run.startedAt ?? run.createdAt)}
        {run.startedBy ? ` by ${run.startedBy}` : ''} · {running ? 'running for' : 'took'} {formatDuration(run.durationMs)} · engine {run.engine ?? '—'}
      </p>
      {running && run.progress ? (
        <div className="progress-line" aria-label="Progress">
          <progress max={run.progress.total || 1} value={run.progress.done} /> {run.progress.done} of {run.progress.total} · {run.progress.step}
        </div>
      ) : null}
      {run.status === 'failed' ? (
        <div className="failure" role="alert">
          <p>
            <b>This run failed:</b> {run.error}
          </p>
          {failedChecks.length > 0 ? (
            <p>
              Failing check{failedChecks.length === 1 ? '' : 's'}:{' '}
              {failedChecks.map((c) => (
                <span key={c.id} className="failing-check">
                  <code>{c.name}</code>
                  {c.dataset ? ` on ${c.dataset}` : ''}
                  {c.message ? ` — ${c.message}` : ''}
                </span>
              ))}
            </p>
          ) : null}
        </div>
      ) : null}
      <div className="facts">
        <div>
          <span>Rows in</span>
          <b>{run.rowsIn === null ? '—' : formatCount(run.rowsIn)}</b>
        </div>
        <div>
          <span>Rows out</span>
          <b data-testid="run-rows-out">{run.rowsOut === null ? '—' : formatCount(run.rowsOut)}</b>
        </div>
        <div>
          <span>Checks</span>
          <b>
            {run.checks.passed} passed · {run.checks.warned} warned · {run.checks.failed} failed
          </b>
        </div>
      </div>

      <h2 className="section-title spaced">Steps</h2>
      {run.steps.length === 0 ? (
        <div className="empty">{running ? 'No step has finished yet.' : 'No steps were recorded.'}</div>
      ) : (
        <div className="scroll-x">
          <table className="grid" aria-label="Steps">
            <thead>
              <tr>
                {stepColumns.map((c) => (
                  <th key={c} className={c === 'step' || c === 'source' || c === 'status' ? '' : 'num'}>
                    {STEP_LABELS[c] ?? c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {run.steps.map((s, i) => (
                <tr key={i}>
                  {stepColumns.map((c) => (
                    <td key={c} className={c === 'step' || c === 'source' || c === 'status' ? '' : 'num'}>
                      {c === 'ms' ? formatDuration(typeof s.ms === 'number' ? s.ms : null) : cell(s[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 className="section-title spaced">Checks</h2>
      {run.checkList.length === 0 ? (
        <div className="empty">No checks were recorded.</div>
      ) : (
        <table className="grid" aria-label="Checks">
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Check</th>
              <th>On failure</th>
              <th>Result</th>
              <th>Observed</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {run.checkList.map((c) => (
              <tr key={c.id}>
                <td>{c.dataset ? <Link href={`/datasets/${c.dataset.replace('.', '/')}`}>{c.dataset}</Link> : '—'}</td>
                <td>
                  <code>{c.name}</code>
                </td>
                <td>{c.action}</td>
                <td className={`status status-${c.status}`}>{c.status}</td>
                <td className="clip">{cell(c.observed)}</td>
                <td className="muted">{c.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div className="spaced">
        <LogViewer runId={run.id} running={running} />
      </div>
    </>
  );
}
