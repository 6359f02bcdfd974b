'use client';
/**
 * One query's life in the browser: running → streaming rows → done | error | cancelled. Rows go into
 * a plain array held in a ref (100k rows must not be copied into React state on every batch); the
 * state carries only the count, updated at most once per animation frame.
 *
 * Timings a person (and the benchmark) can check, all in ms from sending the query:
 *   answeredMs   the engine answered (the columns arrived)
 *   firstRowsMs  the first rows were painted in the grid (set by the grid, see `markFirstPaint`)
 *   loadedMs     the last row arrived
 */
import { useCallback, useRef, useState } from 'react';
import type { Column, Row } from '@/lib/engine/engine';
import type { ScanEstimate } from '@/lib/sql/estimate';
import type { RunRequestBody } from '@/lib/sql/protocol';
import { cancelQuery, newQueryId, runQuery, RunError } from './run-client';

export type RunStatus = 'idle' | 'running' | 'streaming' | 'done' | 'error' | 'cancelled';

export interface RunState {
  status: RunStatus;
  queryId?: string;
  engine?: 'duckdb' | 'athena';
  columns: Column[];
  rowCount: number;
  elapsedMs?: number;
  bytesScanned?: number;
  /** Athena's bill for the real scan (with the 10 MB minimum). */
  dollars?: number;
  /** The estimate made before the run (catalog statistics). */
  estimate?: ScanEstimate;
  truncated?: boolean;
  maxRows?: number;
  error?: { message: string; code: string };
  answeredMs?: number;
  firstRowsMs?: number;
  loadedMs?: number;
  /** Bumped on every new run, so the grid scrolls back to the top. */
  runNumber: number;
}

const initial: RunState = { status: 'idle', columns: [], rowCount: 0, runNumber: 0 };

export function useQueryRunner(onFinished?: () => void) {
  const [state, setState] = useState<RunState>(initial);
  const rows = useRef<Row[]>([]);
  const active = useRef<{ id: string; abort: AbortController; t0: number } | null>(null);
  const frame = useRef<number | null>(null);
  const startedAt = useRef(0);

  const flush = useCallback(() => {
    frame.current = null;
    setState((s) => (s.rowCount === rows.current.length ? s : { ...s, rowCount: rows.current.length }));
  }, []);

  const run = useCallback(
    async (body: Omit<RunRequestBody, 'queryId'>) => {
      if (active.current) return;
      const id = newQueryId();
      const abort = new AbortController();
      const t0 = performance.now();
      startedAt.current = t0;
      active.current = { id, abort, t0 };
      rows.current = [];
      setState((s) => ({ ...initial, status: 'running', queryId: id, runNumber: s.runNumber + 1 }));
      try {
        await runQuery(
          { ...body, queryId: id },
          (m) => {
            switch (m.type) {
              case 'start': {
                const answeredMs = performance.now() - t0;
                setState((s) => ({ ...s, status: 'streaming', engine: m.engine, columns: m.columns, maxRows: m.maxRows, answeredMs, ...(m.estimate ? { estimate: m.estimate } : {}) }));
                break;
              }
              case 'rows':
                for (const r of m.rows) rows.current.push(r);
                frame.current ??= requestAnimationFrame(flush);
                break;
              case 'end': {
                const loadedMs = performance.now() - t0;
                setState((s) => ({
                  ...s,
                  status: 'done',
                  rowCount: rows.current.length,
                  elapsedMs: m.elapsedMs,
                  truncated: m.truncated,
                  loadedMs,
                  ...(m.bytesScanned !== undefined ? { bytesScanned: m.bytesScanned } : {}),
                  ...(m.dollars !== undefined ? { dollars: m.dollars } : {}),
                }));
                break;
              }
              case 'error':
                setState((s) => ({ ...s, status: m.code.startsWith('cancelled') ? 'cancelled' : 'error', rowCount: rows.current.length, error: { message: m.message, code: m.code } }));
                break;
            }
          },
          abort.signal,
        );
      } catch (e) {
        const cancelled = abort.signal.aborted || (e instanceof RunError && e.code.startsWith('cancelled'));
        const error = e instanceof RunError ? { message: e.message, code: e.code } : { message: cancelled ? 'The query was cancelled.' : String(e), code: cancelled ? 'cancelled:query' : 'internal:network' };
        setState((s) => ({ ...s, status: cancelled ? 'cancelled' : 'error', rowCount: rows.current.length, error }));
      } finally {
        if (frame.current !== null) cancelAnimationFrame(frame.current);
        frame.current = null;
        active.current = null;
        setState((s) => (s.status === 'running' || s.status === 'streaming' ? { ...s, status: 'done', rowCount: rows.current.length } : s));
        onFinished?.();
      }
    },
    [flush, onFinished],
  );

  const cancel = useCallback(async () => {
    const a = active.current;
    if (!a) return;
    // Ask the server to stop the engine first (it may not have answered yet), then drop the connection.
    await cancelQuery(a.id).catch(() => false);
    a.abort.abort();
  }, []);

  /** Called by the grid in the frame that paints the first rows, with that frame's time. */
  const markFirstPaint = useCallback((at: number) => {
    const firstRowsMs = at - startedAt.current;
    setState((s) => (s.firstRowsMs !== undefined ? s : { ...s, firstRowsMs }));
  }, []);

  return { state, rows, run, cancel, markFirstPaint, running: state.status === 'running' || state.status === 'streaming' };
}
