/**
 * A small pool of DuckDB connections. Each query gets a connection to itself, so queries run side by
 * side and `interrupt()` (which acts on a connection, not a query) stops only the one it should.
 * Connections are cheap to open (~0.1 ms), so anything doubtful is discarded rather than reused.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { KeystoneError } from '../../errors';
import type { QueryGuard } from '../guard';

interface Waiter {
  resolve(c: DuckDBConnection): void;
  reject(e: unknown): void;
  handed?: DuckDBConnection;
  /** The query stopped waiting: a connection handed over later goes straight back. */
  abandoned?: boolean;
}

export class ConnectionPool {
  private readonly idle: DuckDBConnection[] = [];
  private readonly leased = new Set<DuckDBConnection>();
  private readonly waiters: Waiter[] = [];
  /** Connections open or being opened: idle + leased + in flight. */
  private size = 0;
  private closed = false;

  constructor(
    private readonly open: () => Promise<DuckDBConnection>,
    readonly max: number,
  ) {}

  /** A connection for one query; waits for one to come free when `max` are busy. */
  async acquire(guard: QueryGuard): Promise<DuckDBConnection> {
    guard.throwIfStopped();
    this.assertOpen();
    const free = this.idle.pop();
    if (free) return this.lease(free);
    if (this.size < this.max) return this.lease(await this.openCounted());

    let waiter!: Waiter;
    const handed = new Promise<DuckDBConnection>((resolve, reject) => {
      waiter = {
        resolve: (c) => {
          if (waiter.abandoned) return this.release(c, true);
          waiter.handed = c;
          resolve(c);
        },
        reject,
      };
    });
    this.waiters.push(waiter);
    let connection: DuckDBConnection;
    try {
      connection = await Promise.race([handed, guard.stopped]);
    } catch (e) {
      waiter.abandoned = true;
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
      // Handed a connection in the same tick the guard stopped: give it to the next in line.
      if (waiter.handed) this.release(waiter.handed, true);
      throw e;
    }
    return this.lease(connection);
  }

  /** Returns a connection: reused when `reusable`, otherwise closed (and its slot refilled for a waiter). */
  release(connection: DuckDBConnection, reusable: boolean): void {
    this.leased.delete(connection);
    if (reusable && !this.closed) {
      const next = this.waiters.shift();
      if (next) next.resolve(connection);
      else this.idle.push(connection);
      return;
    }
    this.size--;
    disconnect(connection);
    const next = this.closed ? undefined : this.waiters.shift();
    if (next) this.openCounted().then(next.resolve, next.reject);
  }

  /** Stops work in flight (the caller interrupts) and closes what is idle; leased ones close on release. */
  close(): DuckDBConnection[] {
    this.closed = true;
    for (const c of this.idle.splice(0)) {
      this.size--;
      disconnect(c);
    }
    for (const w of this.waiters.splice(0)) w.reject(closedError());
    return [...this.leased];
  }

  get stats(): { idle: number; leased: number; waiting: number; open: number } {
    return { idle: this.idle.length, leased: this.leased.size, waiting: this.waiters.length, open: this.size };
  }

  private lease(c: DuckDBConnection): DuckDBConnection {
    if (this.closed) {
      this.release(c, false);
      throw closedError();
    }
    this.leased.add(c);
    return c;
  }

  private async openCounted(): Promise<DuckDBConnection> {
    this.size++;
    try {
      return await this.open();
    } catch (e) {
      this.size--;
      throw e;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}

function closedError(): KeystoneError {
  return new KeystoneError('unavailable:duckdb', 'The DuckDB engine has been closed.');
}

function disconnect(c: DuckDBConnection): void {
  try {
    c.disconnectSync();
  } catch {
    // Already gone with its instance.
  }
}
