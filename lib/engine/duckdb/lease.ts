/**
 * One query's hold on a pooled connection. DuckDB's `interrupt()` acts on whatever the connection
 * runs, so a lease stops interrupting the moment it is released: the connection may already be
 * running someone else's query.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryGuard } from '../guard';
import type { ConnectionPool } from './pool';

export class Lease {
  /** Set when a statement may have left session state behind (see statements.ts). */
  reusable = true;
  /** True while a native call on the connection is in flight. */
  busy = false;
  /** For streams: when the guard stops while no call is in flight, give the connection back at once. */
  releaseWhenIdleOnStop = false;
  private interrupted = false;
  private released = false;
  private releaseWhenDone = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly pool: ConnectionPool,
    readonly connection: DuckDBConnection,
    guard: QueryGuard,
  ) {
    this.unsubscribe = guard.onStop(() => {
      this.interrupt();
      if (this.releaseWhenIdleOnStop && !this.busy) this.release();
    });
  }

  /** Runs one native call, marking the connection busy meanwhile. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
      if (this.releaseWhenDone) this.release();
    }
  }

  interrupt(): void {
    if (this.released) return;
    this.interrupted = true;
    this.connection.interrupt();
  }

  /**
   * Gives the connection back: pooled when clean, closed otherwise. After an interrupt it is closed:
   * a stopped stream's result stays attached to its connection until the next query replaces it.
   */
  release(): void {
    if (this.released) return;
    // Never close or hand on a connection under a running native call: wait for it to return.
    if (this.busy) {
      this.releaseWhenDone = true;
      return;
    }
    this.released = true;
    this.unsubscribe();
    this.pool.release(this.connection, this.reusable && !this.interrupted);
  }
}
