/**
 * The queries running in this server process, by id: what a Cancel button reaches. Each holds the
 * AbortController whose signal the engine watches (DuckDB interrupts the query's connection; Athena
 * stops the execution). The id is chosen by the browser before it sends the query, so Cancel works
 * even before the first byte of the answer arrives.
 *
 * One registry per process: kept on globalThis so every server bundle that imports this module (route
 * handlers, server actions) shares it.
 */
import { KeystoneError } from '../errors';

export interface RunningQuery {
  id: string;
  userId: string;
  sql: string;
  startedAt: Date;
  controller: AbortController;
}

export const QUERY_ID_RE = /^[A-Za-z0-9_-]{8,64}$/;

export class RunningQueries {
  private readonly byId = new Map<string, RunningQuery>();

  /** Registers a query; an id already running is refused (ids are random, so this means a replayed request). */
  start(id: string, userId: string, sql: string): RunningQuery {
    if (!QUERY_ID_RE.test(id)) throw new KeystoneError('bad_request:query_id', 'A query id is 8–64 letters, digits, "-" or "_".');
    if (this.byId.has(id)) throw new KeystoneError('conflict:query_id', `A query with the id ${id} is already running.`);
    const q: RunningQuery = { id, userId, sql, startedAt: new Date(), controller: new AbortController() };
    this.byId.set(id, q);
    return q;
  }

  /** Forgets a finished query. */
  finish(id: string): void {
    this.byId.delete(id);
  }

  /**
   * Stops a query: its owner may, and so may an engineer. Returns false when no such query is running
   * (it finished, or never started): cancelling is idempotent.
   */
  cancel(id: string, by: { id: string; role: 'engineer' | 'analyst' }, reason = 'cancelled by the user'): boolean {
    const q = this.byId.get(id);
    if (!q) return false;
    if (q.userId !== by.id && by.role !== 'engineer') {
      throw new KeystoneError('forbidden:query', 'Only the person who started a query, or an engineer, may cancel it.');
    }
    q.controller.abort(new KeystoneError('cancelled:query', `The query was ${reason}.`));
    return true;
  }

  list(userId?: string): RunningQuery[] {
    return [...this.byId.values()].filter((q) => userId === undefined || q.userId === userId);
  }

  get size(): number {
    return this.byId.size;
  }
}

const KEY = Symbol.for('keystone.sql.runningQueries');

export function runningQueries(): RunningQueries {
  const g = globalThis as { [KEY]?: RunningQueries };
  return (g[KEY] ??= new RunningQueries());
}
