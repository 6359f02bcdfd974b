'use client';
/** What a run shows: status and figures (rows, elapsed, bytes scanned), the engine's error, and the grid. */
import type { MutableRefObject } from 'react';
import type { Row } from '@/lib/engine/engine';
import { formatBytes, formatCount, formatDuration } from '@/components/format';
import { ResultsGrid } from './results-grid';
import { dollars } from './scan-estimate';
import type { RunState } from './use-query-runner';
import styles from './sql.module.css';

export function ResultsPanel({ state, rows, onFirstPaint }: { state: RunState; rows: MutableRefObject<Row[]>; onFirstPaint: (at: number) => void }) {
  if (state.status === 'idle') return null;
  const busy = state.status === 'running' || state.status === 'streaming';
  return (
    <section aria-label="Results" className={styles.mainColumn} data-testid="results" data-status={state.status}
      data-answered-ms={state.answeredMs === undefined ? undefined : Math.round(state.answeredMs)}
      data-first-rows-ms={state.firstRowsMs === undefined ? undefined : Math.round(state.firstRowsMs)}
      data-loaded-ms={state.loadedMs === undefined ? undefined : Math.round(state.loadedMs)}>
      <div className={styles.resultBar} data-testid="result-status" aria-live="polite">
        {busy ? (
          <span>
            <span className={styles.runningDot} />
            {state.status === 'running' ? 'Running…' : `Receiving rows… ${formatCount(state.rowCount)}`}
          </span>
        ) : null}
        {state.status === 'done' ? (
          <>
            <span>
              <b data-testid="row-count">{formatCount(state.rowCount)}</b> row{state.rowCount === 1 ? '' : 's'}
              {state.truncated ? ` (the grid stops at ${formatCount(state.maxRows ?? state.rowCount)}; Export CSV has every row)` : ''}
            </span>
            <span>
              elapsed <b data-testid="elapsed">{formatDuration(state.elapsedMs)}</b>
            </span>
            <span>
              bytes scanned <b data-testid="bytes-scanned">{state.bytesScanned === undefined ? '—' : formatBytes(state.bytesScanned)}</b>
              {state.bytesScanned === undefined && state.engine === 'duckdb' ? <span className="small"> (DuckDB does not report it)</span> : null}
              {state.dollars !== undefined ? <span data-testid="billed"> · {dollars(state.dollars)}</span> : null}
            </span>
            {state.estimate ? (
              <span data-testid="estimated" title="Estimated before the run from the catalog's file statistics">
                estimated <b>{formatBytes(state.estimate.bytes)}</b> · {dollars(state.estimate.dollars)}
                {state.engine === 'duckdb' ? ' on Athena' : ''}
              </span>
            ) : null}
            {state.firstRowsMs !== undefined && state.answeredMs !== undefined ? (
              <span className="small">first rows on screen {formatDuration(Math.max(0, state.firstRowsMs - state.answeredMs))} after the engine answered</span>
            ) : null}
          </>
        ) : null}
      </div>
      {state.status === 'error' && state.error ? (
        <div className={styles.errorBox} role="alert" data-testid="query-error" data-code={state.error.code}>
          <div className={styles.errorTitle}>{state.error.code.startsWith('forbidden') ? 'Refused' : state.error.code.startsWith('timeout') ? 'Timed out' : 'The query failed'}</div>
          <pre>{state.error.message}</pre>
        </div>
      ) : null}
      {state.status === 'cancelled' ? (
        <div className={styles.cancelledBox} role="status" data-testid="query-cancelled">
          Cancelled: the engine stopped the query{state.rowCount > 0 ? ` after ${formatCount(state.rowCount)} rows` : ''}.
        </div>
      ) : null}
      {state.columns.length > 0 ? <ResultsGrid columns={state.columns} rows={rows} rowCount={state.rowCount} runNumber={state.runNumber} onFirstPaint={onFirstPaint} /> : null}
    </section>
  );
}
