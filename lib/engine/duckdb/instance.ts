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

let instance: Promise<DuckDBInstance> | undefined;
let createdWith: string | undefined;

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
  if (instance !== undefined) {
    if (options !== undefined && key !== createdWith) {
      return Promise.reject(new KeystoneError('internal:duckdb', `DuckDB is already open with ${createdWith}; cannot reopen it with ${key}.`));
    }
    return instance;
  }
  createdWith = key;
  const opening = DuckDBInstance.create(options?.path ?? ':memory:', settings(options ?? {})).catch((e: unknown) => {
    if (instance === opening) instance = undefined;
    throw new KeystoneError('unavailable:duckdb', `DuckDB could not start: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  });
  instance = opening;
  return opening;
}

/** Closes the instance (no-op when none is open). Close engines first so their connections go too. */
export async function closeDuckDB(): Promise<void> {
  const closing = instance;
  instance = undefined;
  createdWith = undefined;
  if (closing === undefined) return;
  try {
    (await closing).closeSync();
  } catch {
    // It never opened: nothing to close.
  }
}
