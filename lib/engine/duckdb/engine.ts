/**
 * The DuckDB engine: in-process, one shared instance, one pooled connection per running query.
 * Cancelling or timing out interrupts that query's connection; DuckDB checks for interrupts between
 * small tasks, so even a long aggregate stops within milliseconds.
 */
import type { DuckDBResult } from '@duckdb/node-api';
import { KeystoneError, errorMessage } from '../../errors';
import type { Column, QueryEngine, QueryOptions, QueryResult, QueryStats, QueryStream, Row } from '../engine';
import { DEFAULT_TIMEOUT_MS, QueryGuard } from '../guard';
import { BatchReader } from './batches';
import { toKeystoneError } from './error-mapping';
import { closeDuckDB, getDuckDB, type DuckDBOptions } from './instance';
import { Lease } from './lease';
import { ConnectionPool } from './pool';
import { affectedRows, endedInError, isReadOnly, readRows, runStatements, shapeOf, streamFailed } from './statements';

export { closeDuckDB, getDuckDB, type DuckDBOptions };

export interface DuckDBEngineOptions extends DuckDBOptions {
  /** Queries running at once; more wait for a free connection. Default: see `defaultMaxConnections`. */
  maxConnections?: number;
  /** Default 5 minutes. */
  defaultTimeoutMs?: number;
}

const DEFAULT_BATCH_ROWS = 2048;

/**
 * Every running DuckDB call holds one of libuv's worker threads (4 unless UV_THREADPOOL_SIZE says
 * otherwise), and file reads, DNS and crypto share them. Leaving one free keeps the rest of the
 * process responsive while long queries run; raising UV_THREADPOOL_SIZE raises the cap, up to 8.
 */
export function defaultMaxConnections(env: Record<string, string | undefined> = process.env): number {
  const uv = Number(env.UV_THREADPOOL_SIZE);
  const threads = Number.isInteger(uv) && uv > 0 ? uv : 4;
  return Math.max(1, Math.min(8, threads - 1));
}

export class DuckDBEngine implements QueryEngine {
  readonly kind = 'duckdb' as const;
  private readonly pool: ConnectionPool;
  private readonly running = new Set<QueryGuard>();
  private readonly defaultTimeoutMs: number;
  private closed = false;

  constructor(options: DuckDBEngineOptions = {}) {
    const { maxConnections, defaultTimeoutMs, ...instance } = options;
    // No instance options: use the process's instance as whoever opened it configured it.
    const instanceOptions = Object.values(instance).some((v) => v !== undefined) ? instance : undefined;
    this.pool = new ConnectionPool(async () => (await getDuckDB(instanceOptions)).connect(), maxConnections ?? defaultMaxConnections());
    this.defaultTimeoutMs = defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async query(sql: string, options: QueryOptions & { maxRows?: number } = {}): Promise<QueryResult> {
    const maxRows = options.maxRows ?? Infinity;
    if (!(maxRows >= 0)) throw new KeystoneError('bad_request:query', `maxRows must be 0 or more (got ${maxRows}).`);
    return this.withLease(options, async (lease, guard) => {
      // Without a row limit everything is read anyway, and a result DuckDB completes before the
      // first read reports its errors with their message (a streamed one cannot: see endedInError).
      const mode = maxRows === Infinity ? 'run' : 'stream';
      const ran = await lease.call(() => runStatements(lease.connection, sql, options.params, guard, mode));
      lease.reusable = ran.reusable;
      const read = await this.collect(ran.result, maxRows, lease, guard);
      if (read === 'failed') {
        if (!isReadOnly(ran.lastType)) throw streamFailed();
        // Rerun to completion to learn why: it fails again with DuckDB's message. The failure came
        // within the first `maxRows` rows read, so the rerun holds about that many rows at most.
        const again = await lease.call(() => ran.rerunLast());
        const second = await this.collect(again, maxRows, lease, guard);
        if (second === 'failed') throw streamFailed();
        return result(second, guard);
      }
      return result(read, guard);
    });
  }

  /** Reads up to `maxRows` rows; stops DuckDB (and spoils the connection for reuse) when cut short. */
  private async collect(
    source: DuckDBResult,
    maxRows: number,
    lease: Lease,
    guard: QueryGuard,
  ): Promise<{ columns: Column[]; rows: Row[]; truncated: boolean } | 'failed'> {
    const shape = shapeOf(source);
    const rows: Row[] = [];
    for (;;) {
      const chunk = await lease.call(() => source.fetchChunk());
      guard.throwIfStopped(); // an interrupted stream ends with an empty chunk rather than an error
      if (!chunk || chunk.rowCount === 0) break;
      const room = maxRows - rows.length;
      for (const row of readRows(chunk, shape.readers, room)) rows.push(row);
      if (chunk.rowCount > room) {
        // The rest is never computed.
        lease.interrupt();
        return { columns: shape.columns, rows, truncated: true };
      }
    }
    if (endedInError(source)) return 'failed';
    return { columns: shape.columns, rows, truncated: false };
  }

  async stream(sql: string, options: QueryOptions = {}): Promise<QueryStream> {
    const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    if (!Number.isInteger(batchRows) || batchRows < 1) {
      throw new KeystoneError('bad_request:query', `batchRows must be a positive integer (got ${batchRows}).`);
    }
    const guard = this.begin(options);
    let lease: Lease | undefined;
    try {
      lease = new Lease(this.pool, await this.pool.acquire(guard), guard);
      const { connection } = lease;
      const ran = await lease.call(() => runStatements(connection, sql, options.params, guard, 'stream'));
      lease.reusable = ran.reusable;
      guard.throwIfStopped();
      const shape = shapeOf(ran.result);
      // From here the consumer drives reads, and may stall: a stop must free the connection by itself.
      lease.releaseWhenIdleOnStop = true;
      const reader = new BatchReader(ran.result, shape, lease, guard, batchRows, () => this.running.delete(guard));
      return { columns: shape.columns, batches: reader, stats: () => reader.stats };
    } catch (e) {
      if (lease) {
        lease.reusable = false; // an earlier statement may have run (BEGIN; …) before the failure
        lease.release();
      }
      this.end(guard);
      throw toKeystoneError(e, guard);
    }
  }

  async execute(sql: string, options: QueryOptions = {}): Promise<QueryStats> {
    return this.withLease(options, async (lease, guard) => {
      const ran = await lease.call(() => runStatements(lease.connection, sql, options.params, guard, 'run'));
      lease.reusable = ran.reusable;
      return { rows: ran.earlierRows + affectedRows(ran.result), elapsedMs: guard.elapsedMs };
    });
  }

  async check(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }> {
    try {
      const { rows } = await this.query('SELECT 42 AS answer, version() AS version', { timeoutMs: 10_000 });
      const [answer, version] = rows[0] ?? [];
      if (answer !== 42) return { ok: false, reason: `DuckDB answered ${JSON.stringify(answer)} to SELECT 42` };
      return { ok: true, detail: `DuckDB ${String(version)}` };
    } catch (e) {
      return { ok: false, reason: errorMessage(e) };
    }
  }

  /** Stops running queries and closes this engine's connections. The instance stays: `closeDuckDB()` closes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const guard of [...this.running]) {
      guard.stop(new KeystoneError('cancelled:query', 'The query was stopped because the engine is closing.'));
    }
    this.pool.close();
  }

  /** Pool figures, for health pages and tests. */
  get connections(): { idle: number; leased: number; waiting: number; open: number } {
    return this.pool.stats;
  }

  private begin(options: QueryOptions): QueryGuard {
    if (this.closed) throw new KeystoneError('unavailable:duckdb', 'The DuckDB engine has been closed.');
    const guard = new QueryGuard(options, this.defaultTimeoutMs);
    this.running.add(guard);
    return guard;
  }

  private end(guard: QueryGuard): void {
    guard.dispose();
    this.running.delete(guard);
  }

  private async withLease<T>(options: QueryOptions, fn: (lease: Lease, guard: QueryGuard) => Promise<T>): Promise<T> {
    const guard = this.begin(options);
    let lease: Lease | undefined;
    try {
      lease = new Lease(this.pool, await this.pool.acquire(guard), guard);
      return await fn(lease, guard);
    } catch (e) {
      if (lease) lease.reusable = false;
      throw toKeystoneError(e, guard);
    } finally {
      lease?.release();
      this.end(guard);
    }
  }
}

function result(read: { columns: Column[]; rows: Row[]; truncated: boolean }, guard: QueryGuard): QueryResult {
  return { ...read, stats: { rows: read.rows.length, elapsedMs: guard.elapsedMs } };
}
