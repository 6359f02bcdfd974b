/**
 * `npm run bench:ingest` — the gRPC ingestor under load, as a user runs it: `keystone ingestor` as its
 * own process, the load generator (the same code as `keystone stream`) in this one, both on this
 * machine. Events are the synthetic Olist lifecycle events with ids widened to ~200 encoded bytes per
 * event, in batches of 1,000, from 8 producers (4 for the paced latency run); every ack comes after
 * the log's fsync.
 *
 *   sustained   as fast as acks come back, 60 s (target ≥ 300k events/s)
 *   latency     100k events/s, paced, 30 s (target p99 ack latency ≤ 50 ms)
 *   acks-only   as fast as acks come back, 30 s, with the flush held back: what the ack path alone
 *               costs and sustains (no target; bronze catches up afterwards is not waited for)
 *   slow flush  as fast as acks come back, 30 s, each flush delayed 5 s and the log lag capped at
 *               128 MiB, so backpressure engages (target: peak RSS ≤ 512 MB)
 *
 * Besides the ack side it reports how the flush to bronze kept up: the largest log lag, how long after
 * the load stopped bronze had everything, and the rows per second that took. Prints a table; asserts
 * nothing (the machine may be busy). Options: --quick (15 / 10 / 10 / 10 s), --duration=<s> (sustained),
 * --producers=<n> (instead of 8 / 4), --only=<sustained|latency|acks-only|slow-flush>.
 *
 * The catalog: DATABASE_URL's server when set (a throw-away database per scenario), else an embedded
 * Postgres under the OS temp dir.
 */
import { execSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureEmbeddedPostgres, type EmbeddedPostgresHandle } from '../lib/catalog/embedded-postgres';
import { createLogger } from '../lib/logger';
import { runLoad, type LoadReport } from '../ingestor/loadgen';
import { freePort, spawnIngestor, type IngestorProcess } from '../ingestor/testing';

const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = args.includes('--quick');
const producersArg = arg('producers');
const only = arg('only');
const ID_WIDTH = 100; // ≈ 200 bytes per encoded event with the Olist mix
const root = path.join(os.tmpdir(), 'keystone-bench-ingest');
fs.mkdirSync(root, { recursive: true });
const log = createLogger({ component: 'bench' });

interface Scenario {
  name: string;
  target: string;
  producers: number;
  rate: number;
  durationS: number;
  env: Record<string, string>;
  maxInFlight: number;
}

const allScenarios: Scenario[] = [
  { name: 'sustained', target: '≥ 300k events/s', producers: 8, rate: 0, durationS: Number(arg('duration') ?? (quick ? 15 : 60)), env: {}, maxInFlight: 8 },
  { name: 'latency', target: 'p99 ≤ 50 ms at 100k/s', producers: 4, rate: 100_000, durationS: quick ? 10 : 30, env: {}, maxInFlight: 8 },
  {
    // Not a target: what the ack path alone costs and sustains (the flush held back for the run).
    name: 'acks-only',
    target: '(flush held back)',
    producers: 8,
    rate: 0,
    durationS: quick ? 10 : 30,
    env: { KEYSTONE_INGEST_FLUSH_DELAY_MS: String(3_600_000), KEYSTONE_INGEST_MAX_WAL_LAG_BYTES: String(16 * 1024 * 1024 * 1024) },
    maxInFlight: 8,
  },
  {
    name: 'slow-flush',
    target: 'peak RSS ≤ 512 MB',
    producers: 8,
    rate: 0,
    durationS: quick ? 10 : 30,
    env: { KEYSTONE_INGEST_FLUSH_DELAY_MS: '5000', KEYSTONE_INGEST_MAX_WAL_LAG_BYTES: String(128 * 1024 * 1024) },
    maxInFlight: 8,
  },
];
const scenarios = allScenarios.filter((s) => !only || s.name === only).map((s) => (producersArg ? { ...s, producers: Number(producersArg) } : s));

interface Result {
  scenario: Scenario;
  load: LoadReport;
  /** CPU seconds: the ingestor process (all its threads) until bronze caught up; the load generator. */
  ingestorCpuS: number;
  loadgenCpuS: number;
  peakRssMb: number;
  maxLagMb: number;
  pausedSeen: number;
  /** Peaks of the ingestor's V8 heap and of its memory outside it (Buffers and other native allocations). */
  peakHeapMb: number;
  peakExternalMb: number;
  caughtUpS: number | null;
  flushedRows: number;
  flushRowsPerS: number | null;
}

const CLK_TCK = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function withDatabase<T>(adminUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `ks_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  try {
    return await fn(u.toString());
  } finally {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await c.end();
  }
}

async function run(s: Scenario, adminUrl: string): Promise<Result> {
  return withDatabase(adminUrl, async (databaseUrl) => {
    const dataDir = path.join(root, `data-${s.name}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    const port = await freePort();
    // BENCH_INGESTOR_NODE_ARGS: node options for the ingestor alone (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
    const nodeArgs = process.env.BENCH_INGESTOR_NODE_ARGS?.split(' ').filter(Boolean);
    const p: IngestorProcess = await spawnIngestor({ databaseUrl, dataDir, port, env: { KEYSTONE_INGEST_FLUSH_INTERVAL_MS: '10000', ...s.env }, nodeArgs });
    let maxLag = 0;
    let paused = 0;
    let peakKb = 0;
    let peakHeap = 0;
    let peakExternal = 0;
    const sampler = setInterval(() => {
      try {
        peakKb = Math.max(peakKb, p.memory().peakKb);
      } catch {
        /* exited */
      }
      p.metrics()
        .then((m) => {
          maxLag = Math.max(maxLag, m.wal.lagBytes);
          paused = Math.max(paused, (m.streams as { paused: number }).paused);
          const mem = m.memory as { heapTotalBytes: number; externalBytes: number };
          peakHeap = Math.max(peakHeap, mem.heapTotalBytes);
          peakExternal = Math.max(peakExternal, mem.externalBytes);
        })
        .catch(() => undefined);
    }, 250);
    try {
      process.stderr.write(`\n${s.name}: ${s.rate > 0 ? `${s.rate.toLocaleString('en-US')} events/s` : 'as fast as acked'} for ${s.durationS} s, ${s.producers} producers, batches of 1000\n`);
      const t0 = Date.now();
      const cpu0 = cpuSeconds(p.proc.pid!);
      const own0 = process.cpuUsage();
      const load = await runLoad({
        address: `127.0.0.1:${port}`,
        rate: s.rate,
        durationS: s.durationS,
        producers: s.producers,
        batch: 1000,
        maxInFlight: s.maxInFlight,
        idWidth: ID_WIDTH,
        producerPrefix: `bench-${s.name}`,
        log,
        onTick: (t) => process.stderr.write(`  ${t.elapsedS.toFixed(0).padStart(3)} s  ${Math.round(t.eventsPerSecond).toLocaleString('en-US').padStart(9)} events/s acked  (RSS peak ${Math.round(peakKb / 1024)} MB, log lag ${Math.round(maxLag / 1048576)} MB)\n`),
      });
      const loadEnd = Date.now();
      if (process.env.BENCH_SMAPS) {
        // Where the resident memory is, by mapping (diagnosis: heap vs anonymous malloc arenas vs files).
        const status = fs.readFileSync(`/proc/${p.proc.pid}/status`, 'utf8').split('\n').filter((l) => /^(VmRSS|VmHWM|RssAnon|RssFile|Threads)/.test(l));
        process.stderr.write(status.join('  ') + '\n');
        const sizes = new Map<string, number>();
        let name = '';
        for (const line of fs.readFileSync(`/proc/${p.proc.pid}/smaps`, 'utf8').split('\n')) {
          const m = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
          if (m) name = m[1] || '(anon)';
          const r = /^Rss:\s+(\d+)/.exec(line);
          if (r) sizes.set(name, (sizes.get(name) ?? 0) + Number(r[1]));
        }
        process.stderr.write([...sizes].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, kb]) => `${Math.round(kb / 1024)} MB ${n}`).join('\n') + '\n');
        const anon: number[] = [];
        name = '';
        let big = false;
        for (const line of fs.readFileSync(`/proc/${p.proc.pid}/smaps`, 'utf8').split('\n')) {
          const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
          if (m) big = !m[3];
          const r = /^Rss:\s+(\d+)/.exec(line);
          if (r && big) anon.push(Number(r[1]));
        }
        anon.sort((a, b) => b - a);
        process.stderr.write(`anonymous mappings: ${anon.length}, largest (MB): ${anon.slice(0, 12).map((k) => Math.round(k / 1024)).join(' ')}\n`);
      }
      const own = process.cpuUsage(own0);
      const loadgenCpuS = (own.user + own.system) / 1e6;
      // How long until bronze has it all (the flush is asynchronous to the acks).
      let caughtUpS: number | null = null;
      const deadline = s.name === 'acks-only' ? loadEnd : loadEnd + (quick ? 60_000 : 240_000);
      for (;;) {
        const m = await p.metrics();
        maxLag = Math.max(maxLag, m.wal.lagBytes);
        if (m.wal.lagBytes === 0 && !m.flush.running) {
          caughtUpS = (Date.now() - loadEnd) / 1000;
          break;
        }
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      // Everything the ingestor spent, acks and flush to bronze, until bronze had it all.
      const ingestorCpuS = cpuSeconds(p.proc.pid!) - cpu0;
      const m = (await p.metrics()) as unknown as { flush: { rows: number } };
      peakKb = Math.max(peakKb, p.memory().peakKb);
      const flushedRows = m.flush.rows;
      if (process.env.BENCH_FLUSH_LOG) for (const l of p.logs) if (l.includes('flushed to bronze')) process.stderr.write(l + '\n');
      return {
        scenario: s,
        load,
        ingestorCpuS,
        loadgenCpuS,
        peakRssMb: peakKb / 1024,
        maxLagMb: maxLag / 1048576,
        pausedSeen: paused,
        peakHeapMb: peakHeap / 1048576,
        peakExternalMb: peakExternal / 1048576,
        caughtUpS,
        flushedRows,
        flushRowsPerS: caughtUpS === null ? null : flushedRows / ((Date.now() - t0) / 1000),
      };
    } finally {
      clearInterval(sampler);
      await p.kill('SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

function table(results: Result[]): string {
  const head = ['scenario', 'target', 'producers', 'events/s acked', 'MiB/s', 'ack p50', 'ack p95', 'ack p99', 'peak RSS', 'heap · external', 'max log lag', 'bronze caught up', 'flush rows/s', 'CPU µs/event (ingestor incl. flush · loadgen)'];
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  const rows = results.map((r) => [
    r.scenario.name,
    r.scenario.target,
    String(r.scenario.producers),
    f(r.load.eventsPerSecond),
    (r.load.bytes / r.load.elapsedS / 1048576).toFixed(1),
    `${r.load.latencyMs.p50.toFixed(1)} ms`,
    `${r.load.latencyMs.p95.toFixed(1)} ms`,
    `${r.load.latencyMs.p99.toFixed(1)} ms`,
    `${r.peakRssMb.toFixed(0)} MB`,
    `${r.peakHeapMb.toFixed(0)} · ${r.peakExternalMb.toFixed(0)} MB`,
    `${r.maxLagMb.toFixed(0)} MB${r.pausedSeen ? ` (${r.pausedSeen} paused)` : ''}`,
    r.caughtUpS === null ? (r.scenario.name === 'acks-only' ? '—' : 'not within the wait') : `${r.caughtUpS.toFixed(1)} s after`,
    r.flushRowsPerS === null ? '—' : f(r.flushRowsPerS),
    r.load.events ? `${((r.ingestorCpuS / r.load.events) * 1e6).toFixed(2)} · ${((r.loadgenCpuS / r.load.events) * 1e6).toFixed(2)}` : '—',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

let embedded: EmbeddedPostgresHandle | undefined;
try {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const pgDir = path.join(root, 'pg');
    fs.mkdirSync(pgDir, { recursive: true });
    fs.chmodSync(pgDir, 0o755);
    embedded = await ensureEmbeddedPostgres({ dataDir: pgDir, log: createLogger({}, () => undefined) });
    adminUrl = embedded.url;
  }
  const results: Result[] = [];
  for (const s of scenarios) results.push(await run(s, adminUrl));
  const cpu = os.cpus();
  process.stdout.write(`\nKeystone ingestor benchmark — ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, events ≈ ${results[0]?.load.avgEventBytes.toFixed(0) ?? '?'} bytes, batches of 1000\n\n`);
  process.stdout.write(table(results) + '\n');
  for (const r of results) if (r.load.errors.length) process.stdout.write(`${r.scenario.name}: errors: ${r.load.errors.join('; ')}\n`);
} finally {
  await embedded?.stop();
}
