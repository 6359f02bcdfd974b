/**
 * Test support for the ingestor's tests: a lake on a throw-away catalog with an ingestor beside it,
 * in this process or as a real `keystone ingestor` child process, and readers for what reached bronze.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quoteLiteral } from '../lib/catalog/identifiers';
import { currentFiles, getDataset } from '../lib/catalog/versions';
import { loadConfig } from '../lib/config';
import type { LakeContext } from '../lib/lake/context';
import { openLake } from '../lib/lake/context';
import { createLogger } from '../lib/logger';
import { startIngestor, type RunningIngestor } from './ingestor';

export const PROJECT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const quietLog = createLogger({}, () => undefined);

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ks-ingest-'));
}

export async function openTestLake(databaseUrl: string, dataDir: string): Promise<LakeContext> {
  return openLake(loadConfig({ DATABASE_URL: databaseUrl, KEYSTONE_DATA_DIR: dataDir }), { log: quietLog });
}

/** An ingestor in this process on a free port. */
export async function startTestIngestor(databaseUrl: string, dataDir: string, env: Record<string, string> = {}): Promise<RunningIngestor> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, KEYSTONE_DATA_DIR: dataDir });
  return startIngestor({ config, log: quietLog, port: 0, host: '127.0.0.1', env: { KEYSTONE_INGEST_FLUSH_INTERVAL_MS: '200', ...env } });
}

/** Rows of a bronze dataset's current version, read straight from its Parquet files. */
export async function bronzeRows(ctx: LakeContext, dataset: string, select = '*', where = ''): Promise<unknown[][]> {
  const ds = await getDataset(ctx.catalog.db, 'bronze', dataset);
  if (!ds) return [];
  const files = await currentFiles(ctx.catalog.db, ds.id);
  if (files.length === 0) return [];
  const list = files.map((f) => quoteLiteral(ctx.storage.locate(ds.bucket, f.key))).join(', ');
  return (await ctx.engine.query(`SELECT ${select} FROM read_parquet([${list}], union_by_name = true) ${where}`)).rows;
}

/** A `keystone ingestor` child process. */
export interface IngestorProcess {
  proc: ChildProcess;
  port: number;
  metricsPort: number;
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  metrics(): Promise<Record<string, unknown> & { wal: { lagBytes: number }; flush: { running: boolean; lastError: string | null } }>;
  /** Peak and current resident memory from /proc (Linux). */
  memory(): { rssKb: number; peakKb: number };
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnIngestor(opts: { databaseUrl: string; dataDir: string; port: number; env?: Record<string, string>; nodeArgs?: string[] }): Promise<IngestorProcess> {
  const metricsPort = await freePort();
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.join(PROJECT_DIR, 'bin', 'keystone.mjs'), 'ingestor', '--port', String(opts.port)], {
    cwd: PROJECT_DIR,
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      KEYSTONE_DATA_DIR: opts.dataDir,
      KEYSTONE_HOST: '127.0.0.1',
      KEYSTONE_INGEST_METRICS_PORT: String(metricsPort),
      KEYSTONE_LOG_FORMAT: 'json',
      KEYSTONE_INGEST_FLUSH_INTERVAL_MS: '300',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(line);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await Promise.race([
    (async () => {
      for (;;) {
        if (logs.some((l) => l.includes('"ingestor ready"'))) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
    })(),
    exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 60_000)),
  ]);
  if (!ready) {
    proc.kill('SIGKILL');
    throw new Error(`the ingestor did not start:\n${logs.join('\n')}`);
  }
  return {
    proc,
    port: opts.port,
    metricsPort,
    logs,
    exited,
    async metrics() {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics.json`);
      return (await res.json()) as never;
    },
    memory() {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      await exited;
    },
  };
}

/** Wait until the child's log is fully flushed to bronze. */
export async function waitDrained(p: IngestorProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await p.metrics();
    if (m.wal.lagBytes === 0 && !m.flush.running) return;
    if (Date.now() > deadline) throw new Error(`not drained in ${timeoutMs} ms: ${JSON.stringify(m.wal)} ${JSON.stringify(m.flush)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
