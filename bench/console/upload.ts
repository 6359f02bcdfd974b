/**
 * Uploads through the console over loopback, against a real `keystone serve` on a fresh data dir:
 *
 *   throughput of a 1 GiB upload, from the first byte sent to the server's answer (target ≥ 50 MB/s);
 *     the answer comes after the bytes are fsynced in staging and the head is previewed
 *   the console server's RSS growth during that upload (target ≤ 150 MB): the body is streamed to
 *     storage, never held
 *   a 2 GiB upload: accepted whole (bytes and sha256 match), with its throughput and RSS growth
 *
 * The client generates the CSV body on the fly (no file on disk) and honours backpressure.
 * Run alone: `npx tsx bench/console/upload.ts`; the bench:console runner imports `rows()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { judged, printRows, type BenchRow } from './support/analytics-console';

const PROJECT = path.resolve(import.meta.dirname, '../..');
const ADMIN_PASSWORD = 'bench-admin-password';
const GiB = 1024 ** 3;
const say = (s: string) => process.stderr.write(`${s}\n`);

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

/** The pid of the process listening on `port` (the Next.js server, not `keystone serve` above it). */
function listenerPid(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

class Sampler {
  peak = 0;
  private timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.peak = rssOf(pid);
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, rssOf(pid))), 50);
  }
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, rssOf(this.pid));
    return this.peak;
  }
}

const HEADER = 'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n';

/** A body of exactly `size` bytes: the orders header, then rows, padded with newlines at the end. */
function* csvBody(size: number): Generator<Buffer> {
  const row = (i: number) => `${crypto.createHash('md5').update(String(i)).digest('hex')},c${String(i).padStart(31, '0')},delivered,2017-10-02 10:56:33,2017-10-02 11:07:15,,,2017-10-18 00:00:00\n`;
  const block = Buffer.from(Array.from({ length: 600 }, (_, i) => row(i)).join(''));
  yield Buffer.from(HEADER);
  let sent = HEADER.length;
  while (sent + block.length <= size) {
    yield block;
    sent += block.length;
  }
  if (size > sent) yield Buffer.alloc(size - sent, 0x0a);
}

interface Upload {
  ms: number;
  status: number;
  body: { upload?: { bytes: number; sha256: string; status: string }; error?: string };
  sha256: string;
}

function upload(baseUrl: string, cookie: string, name: string, size: number): Promise<Upload> {
  const url = new URL('/api/uploads', baseUrl);
  const hash = crypto.createHash('sha256');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { cookie, 'x-file-name': name, 'content-type': 'application/octet-stream', 'content-length': size } });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as Upload['body'], sha256: hash.digest('hex') }));
    });
    const chunks = csvBody(size);
    const pump = () => {
      for (let next = chunks.next(); !next.done; next = chunks.next()) {
        hash.update(next.value);
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

async function startConsole(): Promise<{ baseUrl: string; port: number; dataDir: string; serve: ChildProcess }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keystone-bench-upload-'));
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  const ingestPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  say(`starting keystone serve on ${baseUrl} (data dir ${dataDir})…`);
  const serve = spawn(process.execPath, [path.join(PROJECT, 'bin', 'keystone.mjs'), 'serve', '--no-ingestor', '--no-demo'], {
    cwd: PROJECT,
    env: { ...process.env, KEYSTONE_DATA_DIR: dataDir, PORT: String(port), KEYSTONE_INGEST_PORT: String(ingestPort), DATABASE_URL: '', KEYSTONE_ADMIN_PASSWORD: ADMIN_PASSWORD, KEYSTONE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  serve.stdout?.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4000)));
  serve.stderr?.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4000)));
  const until = Date.now() + 600_000;
  for (;;) {
    if (serve.exitCode !== null) throw new Error(`keystone serve exited (${serve.exitCode})\n${tail}`);
    if (Date.now() > until) throw new Error(`the console did not start\n${tail}`);
    if (await fetch(`${baseUrl}/api/health`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { baseUrl, port, dataDir, serve };
}

/** Sign in as a person would (the sign-in form in Chromium) and keep the session cookie. */
async function sessionCookie(baseUrl: string): Promise<string> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ baseURL: baseUrl });
    await page.goto('/sign-in');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    const c = (await page.context().cookies()).find((x) => x.name === 'ks_session');
    if (!c) throw new Error('no session cookie after signing in');
    return `ks_session=${c.value}`;
  } finally {
    await browser.close();
  }
}

const MB = 1e6;

export async function rows(): Promise<BenchRow[]> {
  const c = await startConsole();
  try {
    const cookie = await sessionCookie(c.baseUrl);
    const pid = listenerPid(c.port);
    if (!pid) throw new Error(`cannot find the process listening on port ${c.port} (is \`ss\` installed?)`);
    // Warm up: the route, DuckDB and the catalog pool are loaded before anything is measured.
    for (let i = 0; i < 3; i++) await upload(c.baseUrl, cookie, `warm-up-${i}.csv`, 8 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 1000));
    const out: BenchRow[] = [];
    for (const [label, size] of [
      ['1 GiB', GiB],
      ['2 GiB', 2 * GiB],
    ] as const) {
      const before = rssOf(pid);
      const sampler = new Sampler(pid);
      say(`uploading ${label}…`);
      const r = await upload(c.baseUrl, cookie, `bench-${label.replace(' ', '')}.csv`, size);
      const peak = sampler.stop();
      const whole = r.status === 201 && r.body.upload?.bytes === size && r.body.upload.sha256 === r.sha256;
      if (!whole) throw new Error(`the ${label} upload was not accepted whole: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      const throughput = size / MB / (r.ms / 1000);
      const growth = (peak - before) / MB;
      if (size === GiB) {
        out.push(judged({ metric: 'Upload throughput on loopback (1 GiB CSV)', value: throughput, unit: 'MB/s', target: { value: 50, better: 'higher' }, note: `${(r.ms / 1000).toFixed(1)} s to the server's answer (fsynced, previewed)` }));
        out.push(judged({ metric: 'Server RSS growth during the 1 GiB upload', value: growth, unit: 'MB', target: { value: 150, better: 'lower' }, note: `${(before / MB).toFixed(0)} MB before, ${(peak / MB).toFixed(0)} MB at peak` }));
      } else {
        out.push({ metric: 'Upload of 2 GiB accepted whole (bytes and sha256 match)', value: throughput, unit: 'MB/s', ok: true, note: `RSS growth ${growth.toFixed(0)} MB; ${(r.ms / 1000).toFixed(1)} s` });
      }
    }
    return out;
  } finally {
    const exited = new Promise((r) => c.serve.once('exit', r));
    c.serve.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    fs.rmSync(c.dataDir, { recursive: true, force: true });
  }
}

export default rows;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  rows().then(
    (r) => {
      printRows(r);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
