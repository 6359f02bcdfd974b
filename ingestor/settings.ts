/**
 * The ingestor's own settings, from KEYSTONE_INGEST_* variables (docs/ingestor.md lists them). The
 * shared ones (KEYSTONE_INGEST_PORT, KEYSTONE_DATA_DIR, KEYSTONE_HOST) come from lib/config. A wrong
 * value stops the start with a message naming the variable, as lib/config does.
 */
import os from 'node:os';
import path from 'node:path';
import type { KeystoneConfig } from '../lib/config';
import { KeystoneError } from '../lib/errors';

const MiB = 1024 * 1024;

export interface IngestSettings {
  /** `<data dir>/ingestor/wal`. */
  walDir: string;
  /** Port of the HTTP metrics endpoint (0: any free port). */
  metricsPort: number;
  /** Unflushed log bytes that trigger a flush. */
  flushBytes: number;
  /** Age of the oldest unflushed batch that triggers a flush. */
  flushIntervalMs: number;
  /** At most this many log bytes go into one flush (a flush that fell behind catches up in steps). */
  flushMaxBytes: number;
  /** Test / bench hook: sleep this long inside every flush. */
  flushDelayMs: number;
  maxEventBytes: number;
  maxBatchEvents: number;
  /** Largest gRPC message accepted (one EventBatch). */
  maxMessageBytes: number;
  /** Batches received but not yet fsynced, in bytes: above it streams stop being read, SendBatch is refused. */
  queueBytes: number;
  /** Unflushed log bytes above which the ingestor pushes back (streams paused, SendBatch refused). */
  maxWalLagBytes: number;
  /** Batches one stream may have waiting for their fsync before the server stops reading it. */
  streamWindow: number;
  /** Generic (json / raw) tables accepted; undefined: any valid, non-reserved name. */
  genericTables: ReadonlySet<string> | undefined;
  /** DuckDB memory limit inside the ingestor process (it converts flushed rows to Parquet). */
  duckdbMemory: string;
  /** DuckDB threads inside the ingestor (the rest of the cores stay with the gRPC path). */
  duckdbThreads: number;
  /** Fault injection for tests: `crash-in-flush` SIGKILLs the process after the first table of a flush committed. */
  fault: 'crash-in-flush' | 'crash-before-flush-commit' | undefined;
}

export interface IngestVariable {
  name: string;
  default: string;
  meaning: string;
}

/** Every variable read here, for docs/ingestor.md. */
export const INGEST_VARIABLES: readonly IngestVariable[] = [
  { name: 'KEYSTONE_INGEST_METRICS_PORT', default: 'ingest port + 1', meaning: 'HTTP port of `/metrics` (Prometheus) and `/metrics.json`; `0` picks a free port' },
  { name: 'KEYSTONE_INGEST_FLUSH_BYTES', default: '67108864 (64 MiB)', meaning: 'unflushed log bytes that trigger a flush to bronze (and the size of a log segment)' },
  { name: 'KEYSTONE_INGEST_FLUSH_INTERVAL_MS', default: '10000', meaning: 'age of the oldest unflushed batch that triggers a flush' },
  { name: 'KEYSTONE_INGEST_FLUSH_MAX_BYTES', default: '268435456 (256 MiB)', meaning: 'log bytes one flush takes at most when it has fallen behind (a flush has a fixed cost per table: bigger catch-up flushes spend less CPU per row)' },
  { name: 'KEYSTONE_INGEST_MAX_EVENT_BYTES', default: '1048576 (1 MiB)', meaning: 'largest encoded event; larger ones are rejected `too_large`' },
  { name: 'KEYSTONE_INGEST_MAX_BATCH_EVENTS', default: '10000', meaning: 'most events in one batch; more fails the call (INVALID_ARGUMENT)' },
  { name: 'KEYSTONE_INGEST_MAX_MESSAGE_BYTES', default: '16777216 (16 MiB)', meaning: 'largest gRPC message (one batch); larger fails the call (RESOURCE_EXHAUSTED)' },
  { name: 'KEYSTONE_INGEST_QUEUE_BYTES', default: '33554432 (32 MiB)', meaning: 'batches in memory waiting for the log; above it streams are not read and SendBatch is refused' },
  { name: 'KEYSTONE_INGEST_MAX_WAL_LAG_BYTES', default: '2147483648 (2 GiB)', meaning: 'unflushed log bytes above which producers are pushed back (acks carry retry_after_ms from half of it)' },
  { name: 'KEYSTONE_INGEST_STREAM_WINDOW', default: '32', meaning: 'batches of one stream waiting for their fsync before the stream is no longer read' },
  { name: 'KEYSTONE_INGEST_SOURCES', default: '(any)', meaning: 'comma-separated generic tables accepted for `json` / `raw` payloads; others are `unknown_table`' },
  { name: 'KEYSTONE_INGEST_DUCKDB_MEMORY', default: '64MB', meaning: 'DuckDB memory limit inside the ingestor (it writes the flushed Parquet, in row groups of 32,768 rows)' },
  { name: 'KEYSTONE_INGEST_DUCKDB_THREADS', default: 'cores − 1 (at least 1)', meaning: 'DuckDB threads inside the ingestor, so a flush does not starve the acks' },
  { name: 'KEYSTONE_INGEST_FLUSH_DELAY_MS', default: '0', meaning: 'tests and benchmarks: sleep this long inside every flush (a slow disk)' },
  { name: 'KEYSTONE_INGEST_FAULT', default: '(none)', meaning: 'tests: `crash-in-flush` kills the process between two tables of a flush; `crash-before-flush-commit` after all tables, before the log is released' },
];

type Env = Record<string, string | undefined>;

export function loadIngestSettings(config: KeystoneConfig, env: Env = process.env, ingestPort = config.ingestPort): IngestSettings {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)} is not valid: expected an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const defaultMetricsPort = ingestPort === 0 ? 0 : ingestPort < 65535 ? ingestPort + 1 : 0;
  const metricsPort = int('KEYSTONE_INGEST_METRICS_PORT', defaultMetricsPort, 0, 65535);
  const flushBytes = int('KEYSTONE_INGEST_FLUSH_BYTES', 64 * MiB, 4096);
  const maxMessageBytes = int('KEYSTONE_INGEST_MAX_MESSAGE_BYTES', 16 * MiB, 1024, 512 * MiB);
  const sources = env.KEYSTONE_INGEST_SOURCES?.trim();
  let genericTables: Set<string> | undefined;
  if (sources) {
    genericTables = new Set(sources.split(',').map((s) => s.trim()).filter(Boolean));
    for (const t of genericTables) if (!/^[a-z][a-z0-9_]{0,62}$/.test(t)) problems.push(`KEYSTONE_INGEST_SOURCES names ${JSON.stringify(t)}, which is not a valid table name`);
  }
  const duckdbMemory = (env.KEYSTONE_INGEST_DUCKDB_MEMORY ?? '').trim() || '64MB';
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i.test(duckdbMemory)) problems.push(`KEYSTONE_INGEST_DUCKDB_MEMORY=${JSON.stringify(duckdbMemory)} is not valid: expected a size such as "128MB"`);
  const faultRaw = (env.KEYSTONE_INGEST_FAULT ?? '').trim();
  let fault: IngestSettings['fault'];
  if (faultRaw === 'crash-in-flush' || faultRaw === 'crash-before-flush-commit') fault = faultRaw;
  else if (faultRaw !== '') problems.push(`KEYSTONE_INGEST_FAULT=${JSON.stringify(faultRaw)} is not valid: expected "crash-in-flush" or "crash-before-flush-commit"`);

  const settings: IngestSettings = {
    walDir: path.join(config.dataDir, 'ingestor', 'wal'),
    metricsPort,
    flushBytes,
    flushIntervalMs: int('KEYSTONE_INGEST_FLUSH_INTERVAL_MS', 10_000, 10),
    flushMaxBytes: int('KEYSTONE_INGEST_FLUSH_MAX_BYTES', 256 * MiB, flushBytes),
    flushDelayMs: int('KEYSTONE_INGEST_FLUSH_DELAY_MS', 0, 0),
    maxEventBytes: int('KEYSTONE_INGEST_MAX_EVENT_BYTES', MiB, 64, maxMessageBytes),
    maxBatchEvents: int('KEYSTONE_INGEST_MAX_BATCH_EVENTS', 10_000, 1, 10_000_000),
    maxMessageBytes,
    queueBytes: int('KEYSTONE_INGEST_QUEUE_BYTES', 32 * MiB, MiB),
    maxWalLagBytes: int('KEYSTONE_INGEST_MAX_WAL_LAG_BYTES', 2048 * MiB, MiB),
    streamWindow: int('KEYSTONE_INGEST_STREAM_WINDOW', 32, 1, 100_000),
    genericTables,
    duckdbMemory,
    duckdbThreads: int('KEYSTONE_INGEST_DUCKDB_THREADS', Math.max(1, os.cpus().length - 1), 1, 256),
    fault,
  };
  if (problems.length > 0) {
    throw new KeystoneError('config:invalid', `Invalid ingestor configuration:\n  - ${problems.join('\n  - ')}`, { details: { problems } });
  }
  return settings;
}
