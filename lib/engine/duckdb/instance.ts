/**
 * The process's one DuckDB instance. DuckDB wants a single instance per database file (a second one
 * on the same file would fight over its lock), and one instance shares its buffer pool and threads
 * across all connections. Nothing here listens to process signals: whoever starts the process
 * calls `closeDuckDB()` on shutdown.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { KeystoneError } from '../../errors';

export interface DuckDBOptions {
  /** Database file, or ':memory:' (the default). */
  path?: string;
  /** DuckDB worker threads (default: DuckDB's, the number of cores). */
  threads?: number;
  /** e.g. '4GB' or '75%' (default: DuckDB's, 80% of RAM). */
  memoryLimit?: string;
  /** Where DuckDB spills larger-than-memory work. */
  tempDirectory?: string;
}

/**
 * Kept on globalThis, not in module variables: Next.js evaluates a module once per route bundle, and a
 * second copy of this module must still find the process's one instance (not open a fresh, empty one).
 */
interface Shared {
  instance?: Promise<DuckDBInstance> | undefined;
  createdWith?: string | undefined;
}
const KEY = Symbol.for('keystone.duckdb.instance');
function shared(): Shared {
  const g = globalThis as { [KEY]?: Shared };
  return (g[KEY] ??= {});
}

function settings(options: DuckDBOptions): Record<string, string> {
  const s: Record<string, string> = {};
  if (options.threads !== undefined) s.threads = String(options.threads);
  if (options.memoryLimit !== undefined) s.memory_limit = options.memoryLimit;
  if (options.tempDirectory !== undefined) s.temp_directory = options.tempDirectory;
  return s;
}

/**
 * The shared instance, created on first call. Later calls without options reuse it; later calls
 * with different options are a wiring mistake and fail rather than silently get the first ones.
 */
export function getDuckDB(options?: DuckDBOptions): Promise<DuckDBInstance> {
  const key = JSON.stringify({ path: options?.path ?? ':memory:', ...settings(options ?? {}) });
  const s = shared();
  if (s.instance !== undefined) {
    if (options !== undefined && key !== s.createdWith) {
      return Promise.reject(new KeystoneError('internal:duckdb', `DuckDB is already open with ${s.createdWith}; cannot reopen it with ${key}.`));
    }
    return s.instance;
  }
  s.createdWith = key;
  const opening = DuckDBInstance.create(options?.path ?? ':memory:', settings(options ?? {}))
    .then(async (db) => {
      // Lake files never change once written (each version has its own prefix), so Parquet footers can
      // be cached across queries: gold and the console read the same hundreds of partition files often.
      // The setting belongs to the parquet extension, which must be loaded first.
      const con = await db.connect();
      try {
        await con.run('LOAD parquet; SET GLOBAL parquet_metadata_cache = true;');
      } finally {
        con.disconnectSync();
      }
      return db;
    })
    .catch((e: unknown) => {
    if (s.instance === opening) s.instance = undefined;
    throw new KeystoneError('unavailable:duckdb', `DuckDB could not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  });
  s.instance = opening;
  return opening;
}

/** Closes the instance (no-op when none is open). Close engines first so their connections go too. */
export async function closeDuckDB(): Promise<void> {
  const s = shared();
  const closing = s.instance;
  s.instance = undefined;
  s.createdWith = undefined;
  if (closing === undefined) return;
  try {
    (await closing).closeSync();
  } catch {
    // It never opened: nothing to close.
  }
}
