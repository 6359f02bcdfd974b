/**
 * Everything a job needs, opened once: configuration, catalog, storage, engine and a scratch folder.
 * The CLI opens one per command; the console keeps one per server process.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KeystoneConfig, Layer } from '../config';
import { openCatalog, type Catalog } from '../catalog/database';
import { ensureDataDir } from '../data-dir';
import { createEngine } from '../engine';
import { DuckDBEngine } from '../engine/duckdb/engine';
import type { QueryEngine } from '../engine/engine';
import { log as rootLog, type Logger } from '../logger';
import { createStorage } from '../storage';
import { readablePaths } from './readable';
import type { StorageBackend } from '../storage/backend';

export interface LakeContext {
  config: KeystoneConfig;
  catalog: Catalog;
  storage: StorageBackend;
  engine: QueryEngine;
  log: Logger;
  bucket(layer: Layer): string;
  /** A fresh scratch folder under the data dir (same filesystem as a local lake: moves are renames). */
  scratch(name: string): string;
  /** Local paths the engine can read for these objects (staged from S3 into a cache when needed). */
  readable(bucket: string, keys: readonly string[]): Promise<string[]>;
  /**
   * The embedded DuckDB, for work on files rather than queries of the lake: converting uploads to
   * bronze Parquet, reading Parquet footers, sample rows and compaction of cached copies. The lake's
   * engine when that is DuckDB; with Athena, one opened on first use.
   */
  localEngine(): QueryEngine;
  close(): Promise<void>;
}

export async function openLake(config: KeystoneConfig, opts: { log?: Logger; catalog?: Catalog; applicationName?: string } = {}): Promise<LakeContext> {
  const log = opts.log ?? rootLog;
  ensureDataDir(config.dataDir);
  const catalog = opts.catalog ?? (await openCatalog(config, { log, applicationName: opts.applicationName ?? 'keystone-cli' }));
  const storage = createStorage(config);
  const engine = createEngine(config);
  const scratchRoot = path.join(config.dataDir, 'tmp');
  let local: QueryEngine | undefined = engine.kind === 'duckdb' ? engine : undefined;
  return {
    config,
    catalog,
    storage,
    engine,
    log,
    bucket: (layer) => config.buckets[layer],
    readable: (bucket, keys) => readablePaths(storage, path.join(config.dataDir, 'cache'), bucket, keys),
    localEngine: () => (local ??= new DuckDBEngine({ tempDirectory: path.join(config.dataDir, 'duckdb-tmp') })),
    scratch(name) {
      const dir = path.join(scratchRoot, `${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    async close() {
      if (local && local !== engine) await local.close();
      await engine.close();
      if (!opts.catalog) await catalog.close();
    },
  };
}
