/**
 * Reads a streaming DuckDB result chunk by chunk (DuckDB produces ≤ 2048 rows per chunk, computed
 * as they are fetched), regrouped into batches of `batchRows`. Memory stays at about one batch plus
 * one chunk, whatever the result's size. Written as a hand-made iterator rather than a generator so
 * that `return()` cleans up even when the consumer never called `next()`.
 */
import type { DuckDBResult } from '@duckdb/node-api';
import type { QueryStats, Row } from '../engine';
import type { QueryGuard } from '../guard';
import { toKeystoneError } from './error-mapping';
import type { Lease } from './lease';
import { endedInError, readRows, streamFailed, type ResultShape } from './statements';

export class BatchReader implements AsyncIterableIterator<Row[]> {
  private rows = 0;
  private pending: Row[] = [];
  private finished = false;
  private resolveStats!: (s: QueryStats) => void;
  private rejectStats!: (e: unknown) => void;
  readonly stats: Promise<QueryStats>;

  constructor(
    private readonly result: DuckDBResult,
    private readonly shape: ResultShape,
    private readonly lease: Lease,
    private readonly guard: QueryGuard,
    private readonly batchRows: number,
    private readonly onDone: () => void,
  ) {
    this.stats = new Promise<QueryStats>((resolve, reject) => {
      this.resolveStats = resolve;
      this.rejectStats = reject;
    });
    // Nobody is obliged to call stats(): an error must not become an unhandled rejection.
    this.stats.catch(() => undefined);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Row[]>> {
    if (this.finished) return { done: true, value: undefined };
    try {
      while (this.pending.length < this.batchRows) {
        this.guard.throwIfStopped();
        const chunk = await this.lease.call(() => this.result.fetchChunk());
        if (this.finished) return { done: true, value: undefined }; // returned while this read was in flight
        // An interrupted stream ends with an empty chunk, not an error: only the guard knows why it ended.
        this.guard.throwIfStopped();
        if (!chunk || chunk.rowCount === 0) {
          if (endedInError(this.result)) throw streamFailed(this.rows + this.pending.length);
          const last = this.pending;
          this.pending = [];
          this.rows += last.length;
          this.finish();
          return last.length > 0 ? { done: false, value: last } : { done: true, value: undefined };
        }
        for (const row of readRows(chunk, this.shape.readers)) this.pending.push(row);
      }
      const batch = this.pending.slice(0, this.batchRows);
      this.pending = this.pending.slice(this.batchRows);
      this.rows += batch.length;
      return { done: false, value: batch };
    } catch (e) {
      const error = toKeystoneError(e, this.guard);
      this.finish(error);
      throw error;
    }
  }

  /** The consumer stopped early (break, return, throw in a for-await): stop DuckDB and free the connection. */
  async return(): Promise<IteratorResult<Row[]>> {
    if (!this.finished) {
      this.lease.interrupt();
      this.finish();
    }
    return { done: true, value: undefined };
  }

  private finish(error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.pending = [];
    this.lease.release();
    this.guard.dispose();
    this.onDone();
    if (error === undefined) this.resolveStats({ rows: this.rows, elapsedMs: this.guard.elapsedMs });
    else this.rejectStats(error);
  }
}
