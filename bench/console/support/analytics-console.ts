/**
 * A console to benchmark the analytics pages against, shared by bench/console/*-sql.ts and
 * *-dashboards.ts: a data dir with the generator's Olist data at a given scale run through the whole
 * pipeline (built once and kept under the temp dir, keyed by scale), a bench user, `keystone serve`
 * on a free port, and Debian's Chromium signed in to it.
 *
 * With KEYSTONE_BENCH_URL (and KEYSTONE_BENCH_USER / KEYSTONE_BENCH_PASSWORD) it uses that running
 * console instead and starts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { createUser } from '../../../lib/auth/users';
import { loadConfig } from '../../../lib/config';
import { closeDuckDB } from '../../../lib/engine/duckdb/engine';
import { openLake } from '../../../lib/lake/context';
import { createLogger } from '../../../lib/logger';
import { generateOlist } from '../../../lib/olist/generator';
import { runJob } from '../../../lib/pipeline/jobs';

export interface AnalyticsConsole {
  baseUrl: string;
  browser: Browser;
  /** Signed in as the bench user. */
  context: BrowserContext;
  scale: number;
  stop(): Promise<void>;
}

const PROJECT = path.resolve(import.meta.dirname, '../../..');
const USER = 'bench-analyst';
const PASSWORD = 'bench-analyst-password';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A data dir with gold built at `scale`, made once (a marker file says it is complete). */
async function preparedDataDir(scale: number, say: (s: string) => void): Promise<string> {
  const dir = path.join(os.tmpdir(), `keystone-bench-analytics-${scale}`);
  const marker = path.join(dir, 'bench-ready.json');
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const t0 = Date.now();
  say(`preparing a scale ${scale} lake in ${dir} (once)…`);
  const ctx = await openLake(loadConfig({ ...process.env, KEYSTONE_DATA_DIR: dir, DATABASE_URL: '' }), { log: createLogger({}, () => undefined) });
  try {
    const out = path.join(dir, 'olist');
    await generateOlist({ scale, seed: 42, outDir: out });
    const files = fs
      .readdirSync(out)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => ({ path: path.join(out, f), displayName: f }));
    const r = await runJob(ctx, 'all', { files });
    if (r.status !== 'succeeded') throw new Error(`pipeline failed: ${r.error}`);
    await createUser(ctx.catalog.db, { username: USER, password: PASSWORD, role: 'analyst' });
  } finally {
    await ctx.close();
    await closeDuckDB();
  }
  fs.writeFileSync(marker, JSON.stringify({ scale, at: new Date().toISOString(), ms: Date.now() - t0 }));
  say(`lake ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return dir;
}

async function waitForHealth(url: string, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`keystone serve exited (${child.exitCode})`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the console at ${url} did not become healthy within ${ms / 1000} s`);
}

export async function startAnalyticsConsole(options: { scale?: number; say?: (s: string) => void } = {}): Promise<AnalyticsConsole> {
  const say = options.say ?? ((s: string) => process.stderr.write(`${s}\n`));
  const scale = options.scale ?? Number(process.env.KEYSTONE_BENCH_SCALE ?? 1);
  let serve: ChildProcess | undefined;
  let baseUrl = process.env.KEYSTONE_BENCH_URL;
  let user = process.env.KEYSTONE_BENCH_USER ?? USER;
  let password = process.env.KEYSTONE_BENCH_PASSWORD ?? PASSWORD;
  if (!baseUrl) {
    const dataDir = await preparedDataDir(scale, say);
    const port = await freePort();
    const ingestPort = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    say(`starting keystone serve on ${baseUrl}…`);
    serve = spawn(process.execPath, [path.join(PROJECT, 'bin', 'keystone.mjs'), 'serve', '--no-ingestor', '--no-demo'], {
      cwd: PROJECT,
      env: { ...process.env, KEYSTONE_DATA_DIR: dataDir, PORT: String(port), KEYSTONE_INGEST_PORT: String(ingestPort), DATABASE_URL: '', KEYSTONE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    serve.stdout?.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4000)));
    serve.stderr?.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4000)));
    try {
      await waitForHealth(baseUrl, serve, 600_000);
    } catch (e) {
      serve.kill('SIGTERM');
      throw new Error(`${(e as Error).message}\n${tail}`);
    }
    user = USER;
    password = PASSWORD;
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto('/sign-in');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  await page.close();
  return {
    baseUrl,
    browser,
    context,
    scale,
    async stop() {
      await browser.close().catch(() => undefined);
      if (serve && serve.exitCode === null) {
        const exited = new Promise((r) => serve!.once('exit', r));
        serve.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      }
    },
  };
}

export interface BenchRow {
  /** What was measured, e.g. "dashboards SSR p50 (scale 1.0)". */
  metric: string;
  value: number;
  unit: string;
  /** The target, in the same unit, and which side of it is good. */
  target?: { value: number; better: 'lower' | 'higher' };
  ok?: boolean;
  note?: string;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function judged(row: Omit<BenchRow, 'ok'>): BenchRow {
  if (!row.target) return row;
  const ok = row.target.better === 'lower' ? row.value <= row.target.value : row.value >= row.target.value;
  return { ...row, ok };
}

export function printRows(rows: readonly BenchRow[]): void {
  const lines = rows.map((r) => [
    r.metric,
    `${Number.isInteger(r.value) ? r.value : r.value.toFixed(1)} ${r.unit}`,
    r.target ? `${r.target.better === 'lower' ? '≤' : '≥'} ${r.target.value} ${r.unit}` : '',
    r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED',
    r.note ?? '',
  ]);
  const head = ['metric', 'value', 'target', '', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write([fmt(head), widths.map((w) => '─'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n') + '\n');
}
