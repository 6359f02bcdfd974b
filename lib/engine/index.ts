/**
 * Picks the query engine the configuration names. DuckDB runs in this process; Athena runs in AWS.
 */
import path from 'node:path';
import type { KeystoneConfig } from '../config';
import { AthenaEngine } from './athena/engine';
import { DuckDBEngine } from './duckdb/engine';
import type { QueryEngine } from './engine';

export type * from './engine';
export { DuckDBEngine, closeDuckDB, getDuckDB, defaultMaxConnections, type DuckDBEngineOptions, type DuckDBOptions } from './duckdb/engine';
export { DEFAULT_TIMEOUT_MS } from './guard';
export { AthenaEngine, type AthenaEngineOptions } from './athena/engine';

export function createEngine(config: KeystoneConfig): QueryEngine {
  switch (config.engine.kind) {
    case 'duckdb':
      // In-memory: the lake's Parquet files are the data; DuckDB spills big sorts and joins under the data dir.
      return new DuckDBEngine({ tempDirectory: path.join(config.dataDir, 'duckdb-tmp') });
    case 'athena':
      // Credentials come from the standard AWS chain, when the first query is sent.
      return new AthenaEngine({
        workgroup: config.engine.workgroup,
        database: config.engine.database,
        outputLocation: config.engine.outputLocation,
        region: config.engine.region,
      });
  }
}
