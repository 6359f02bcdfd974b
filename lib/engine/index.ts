/**
 * Picks the query engine the configuration names. DuckDB runs in this process; Athena comes later.
 */
import path from 'node:path';
import type { KeystoneConfig } from '../config';
import { KeystoneError } from '../errors';
import { DuckDBEngine } from './duckdb/engine';
import type { QueryEngine } from './engine';

export type * from './engine';
export { DuckDBEngine, closeDuckDB, getDuckDB, defaultMaxConnections, type DuckDBEngineOptions, type DuckDBOptions } from './duckdb/engine';
export { DEFAULT_TIMEOUT_MS } from './guard';

export function createEngine(config: KeystoneConfig): QueryEngine {
  switch (config.engine.kind) {
    case 'duckdb':
      // In-memory: the lake's Parquet files are the data; DuckDB spills big sorts and joins under the data dir.
      return new DuckDBEngine({ tempDirectory: path.join(config.dataDir, 'duckdb-tmp') });
    case 'athena':
      throw new KeystoneError(
        'unavailable:athena',
        'The Athena engine is not built yet; set KEYSTONE_ENGINE=duckdb (the default) to query the lake in-process.',
      );
  }
}
