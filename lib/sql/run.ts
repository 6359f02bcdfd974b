/**
 * Running SQL for a person: the one path every editor run, saved-query run and CSV export takes.
 *
 *   {{params}} → bound placeholders  →  lake views in sync  →  read-only guard (analysts)
 *   → history row (running)  →  registered as running (Cancel can reach it)  →  engine stream
 *   → batches to the caller  →  history row completed, registration dropped
 *
 * The caller drives the batches (a route handler streams them to the browser); stopping early —
 * because the grid has enough rows, or the client went away — interrupts the engine.
 */
import type { QueryParameter } from '../../db/schema';
import type { Catalog } from '../catalog/database';
import type { Column, QueryEngine, QueryStats, QueryStream, Row, Value } from '../engine/engine';
import { KeystoneError, errorMessage } from '../errors';
import type { StorageBackend } from '../storage/backend';
import type { KeystoneConfig } from '../config';
import { duckdbInspector } from './duckdb-inspector';
import { estimateScan, type ScanEstimate } from './estimate';
import { toGlueNames } from './glue-names';
import { assertReadOnly, type SqlInspector } from './guard';
import { recordQueryEnd, recordQueryStart } from './history';
import { ensureLakeViews } from './lake-state';
import { bindValues, compileTemplate, parametersFor, type RawValue } from './parameters';
import { runningQueries, type RunningQueries } from './running';

export interface SqlServices {
  catalog: Catalog;
  storage: StorageBackend;
  engine: QueryEngine;
  /** Defaults to the process's registry. */
  running?: RunningQueries;
  /** Defaults to DuckDB's parser (and binder, when the engine is DuckDB). */
  inspector?: SqlInspector;
  /** For the scan estimate's table names on Athena (the lake context passes its own). */
  config?: Pick<KeystoneConfig, 'engine'>;
}

export interface SqlUser {
  id: string;
  role: 'engineer' | 'analyst';
}

export interface SqlRunRequest {
  user: SqlUser;
  /** Chosen by the client (see running.ts). */
  queryId: string;
  /** May contain `{{name}}` placeholders. */
  sql: string;
  /** Declared parameter types (a saved query's); undeclared `{{names}}` are strings. */
  parameters?: readonly QueryParameter[];
  values?: Readonly<Record<string, RawValue>>;
  savedQueryId?: string | null;
  timeoutMs?: number;
  /** Rows per batch (default: the engine's). */
  batchRows?: number;
}

/** Default and ceiling of a query's time limit in the console. */
export const DEFAULT_SQL_TIMEOUT_MS = 5 * 60_000;
export const MAX_SQL_TIMEOUT_MS = 60 * 60_000;

export interface BoundSql {
  sql: string;
  params: Value[];
  /** The values by name, as recorded in history. */
  named: Record<string, Value>;
}

/** `{{names}}` → engine placeholders and typed values. Pure: no engine needed. */
export function bindSql(text: string, parameters: readonly QueryParameter[] | undefined, values: Readonly<Record<string, RawValue>> | undefined, engineKind: QueryEngine['kind']): BoundSql {
  const declared = parametersFor(text, parameters ?? []);
  const compiled = compileTemplate(text, declared, engineKind === 'athena' ? 'qmark' : 'dollar');
  const params = bindValues(compiled.order, declared, values ?? {});
  const named: Record<string, Value> = {};
  compiled.order.forEach((name, i) => (named[name] = params[i]!));
  return { sql: compiled.sql, params, named };
}

export type QueryEnd =
  | { status: 'succeeded'; rows: number; truncated: boolean; stats: QueryStats }
  | { status: 'failed' | 'cancelled'; rows: number; error: KeystoneError };

export interface StartedQuery {
  queryId: string;
  engine: QueryEngine['kind'];
  columns: Column[];
  historyId: number;
  /** What the query should scan (and cost on Athena), from the catalog's statistics; null when it could not be estimated. */
  estimate: ScanEstimate | null;
  /** Read once. Stop early with `stop()` (or by leaving a for-await loop). */
  batches: AsyncIterableIterator<Row[]>;
  /** Stops reading: 'truncated' ends as a success with the rows read so far; 'cancelled' as cancelled. */
  stop(reason: 'truncated' | 'cancelled'): Promise<void>;
  /** Settles when the query is over, however it ended; never rejects. */
  ended: Promise<QueryEnd>;
}

function keystoneError(e: unknown): KeystoneError {
  return e instanceof KeystoneError ? e : new KeystoneError('internal:sql', errorMessage(e), { cause: e });
}

const statusOf = (e: KeystoneError) => (e.kind === 'cancelled' ? 'cancelled' : 'failed') as 'cancelled' | 'failed';

/** Refuses SQL an analyst may not run (see guard.ts). Engineers pass. */
export async function guardFor(user: SqlUser, sql: string, services: SqlServices): Promise<void> {
  if (user.role === 'engineer') return;
  const inspector = services.inspector ?? duckdbInspector({ bind: services.engine.kind === 'duckdb' });
  await assertReadOnly(sql, inspector);
}

/** Makes `bronze.x`, `silver.x`, `gold.x` current in the engine (DuckDB views; Athena keeps its own tables). */
export async function prepareLake(services: SqlServices): Promise<void> {
  await ensureLakeViews(services);
}

export async function startQuery(services: SqlServices, req: SqlRunRequest): Promise<StartedQuery> {
  const { engine, catalog } = services;
  const running = services.running ?? runningQueries();
  const timeoutMs = Math.min(req.timeoutMs ?? DEFAULT_SQL_TIMEOUT_MS, MAX_SQL_TIMEOUT_MS);
  if (!(timeoutMs > 0)) throw new KeystoneError('bad_request:query', 'The time limit must be a positive number of seconds.');
  if (req.sql.trim() === '') throw new KeystoneError('bad_request:sql', 'There is no SQL statement to run.');

  // Bind first: a parameter error is the person's to fix and needs no engine.
  const bound = bindSql(req.sql, req.parameters, req.values, engine.kind);
  // Before the engine sees it: on Athena this is the only cost figure there is until the query ends.
  const estimate = await estimateScan(catalog, services.config, bound.sql).catch(() => null);
  const historyId = await recordQueryStart(catalog.db, {
    estimatedBytes: estimate?.bytes ?? null,
    userId: req.user.id,
    sql: req.sql,
    params: Object.keys(bound.named).length > 0 ? bound.named : null,
    savedQueryId: req.savedQueryId ?? null,
    engine: engine.kind,
  });
  const started = Date.now();
  const fail = async (e: unknown): Promise<never> => {
    const error = keystoneError(e);
    await recordQueryEnd(catalog.db, historyId, { status: statusOf(error), rowCount: 0, elapsedMs: Date.now() - started, error: error.visibleToUser ? error.message : 'internal error' });
    throw error;
  };

  let registration;
  try {
    await prepareLake(services);
    await guardFor(req.user, bound.sql, services);
    registration = running.start(req.queryId, req.user.id, req.sql);
  } catch (e) {
    return fail(e);
  }
  const { controller } = registration;

  let stream: QueryStream;
  try {
    // People write silver.orders on every engine; Athena knows it as "<database>"."silver_orders".
    const engineSql = engine.kind === 'athena' && services.config?.engine.kind === 'athena' ? toGlueNames(bound.sql, services.config.engine.database) : bound.sql;
    stream = await engine.stream(engineSql, {
      params: bound.params.length > 0 ? bound.params : undefined,
      signal: controller.signal,
      timeoutMs,
      ...(req.batchRows ? { batchRows: req.batchRows } : {}),
    });
  } catch (e) {
    running.finish(req.queryId);
    return fail(e);
  }

  let rows = 0;
  let stopReason: 'truncated' | 'cancelled' | undefined;
  let resolveEnded!: (end: QueryEnd) => void;
  const ended = new Promise<QueryEnd>((resolve) => (resolveEnded = resolve));
  let finished = false;
  const finish = async (end: QueryEnd) => {
    if (finished) return;
    finished = true;
    running.finish(req.queryId);
    const elapsedMs = end.status === 'succeeded' ? end.stats.elapsedMs : Date.now() - started;
    try {
      await recordQueryEnd(catalog.db, historyId, {
        status: end.status,
        rowCount: end.rows,
        elapsedMs,
        bytesScanned: end.status === 'succeeded' ? (end.stats.bytesScanned ?? null) : null,
        error: end.status === 'succeeded' ? null : end.error.visibleToUser ? end.error.message : 'internal error',
      });
    } finally {
      resolveEnded(end);
    }
  };

  const source = stream.batches[Symbol.asyncIterator]();
  const batches: AsyncIterableIterator<Row[]> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (finished || stopReason) return { done: true, value: undefined };
      try {
        const r = await source.next();
        if (r.done) {
          const stats = await stream.stats().catch(() => ({ rows, elapsedMs: Date.now() - started }));
          await finish({ status: 'succeeded', rows, truncated: false, stats: { ...stats, rows } });
          return { done: true, value: undefined };
        }
        rows += r.value.length;
        return { done: false, value: r.value };
      } catch (e) {
        const error = keystoneError(e);
        await finish({ status: statusOf(error), rows, error });
        throw error;
      }
    },
    async return() {
      await stop('cancelled');
      return { done: true, value: undefined };
    },
  };

  const stop = async (reason: 'truncated' | 'cancelled') => {
    if (finished || stopReason) return;
    stopReason = reason;
    await source.return?.();
    if (reason === 'truncated') {
      await finish({ status: 'succeeded', rows, truncated: true, stats: { rows, elapsedMs: Date.now() - started } });
    } else {
      await finish({ status: 'cancelled', rows, error: new KeystoneError('cancelled:query', 'The query was cancelled.') });
    }
  };

  // A cancel from the registry while nobody is reading (the client stalled) still ends the query.
  controller.signal.addEventListener('abort', () => void stop('cancelled').catch(() => undefined), { once: true });

  return { queryId: req.queryId, engine: engine.kind, columns: stream.columns, historyId, estimate, batches, stop, ended };
}

/** Runs and collects (for dashboards and tests): at most `maxRows` rows. */
export async function runToEnd(services: SqlServices, req: SqlRunRequest, maxRows = 10_000): Promise<{ columns: Column[]; rows: Row[]; end: QueryEnd }> {
  const q = await startQuery(services, req);
  const rows: Row[] = [];
  for await (const batch of q.batches) {
    for (const r of batch) rows.push(r);
    if (rows.length >= maxRows) {
      rows.length = maxRows;
      await q.stop('truncated');
      break;
    }
  }
  return { columns: q.columns, rows, end: await q.ended };
}
