/**
 * `npm run bench:pipeline` — end-to-end speed of the medallion pipeline on the generator's data.
 *
 *   scale 1.0: CSV → bronze → silver → gold wall time and peak RSS (targets: ≤ 20 s, ≤ 2 GB)
 *   scale 10:  the same (targets: ≤ 10 × the scale-1 time, ≤ 4 GB)            (skip with --quick)
 *   incremental: 1% new orders with their items, payments and reviews, all layers (target ≤ 15% of full)
 *   bronze write throughput beside parquetjs-lite writing the same rows (ratio from the same run)
 *
 * Prints a table; asserts nothing (machines are noisy). Options: --quick, --scale=<s> (instead of 1.0).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { closeDuckDB } from '../lib/engine/duckdb/engine';
import { openLake, type LakeContext } from '../lib/lake/context';
import { createLogger } from '../lib/logger';
import { generateOlist, type Manifest } from '../lib/olist/generator';
import { TABLE_NAMES } from '../lib/olist/contracts';
import { runJob, type Job } from '../lib/pipeline/jobs';
import pg from 'pg';
import { quoteIdent, quoteLiteral } from '../lib/catalog/identifiers';
import { makeIncrement } from './pipeline-increment';
import { parquetjsBaseline } from './parquetjs-baseline';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const baseScale = Number(args.find((a) => a.startsWith('--scale='))?.split('=')[1] ?? 1);
const root = path.join(os.tmpdir(), 'keystone-bench');
fs.mkdirSync(root, { recursive: true });

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

class RssSampler {
  peak = 0;
  private timer = setInterval(() => (this.peak = Math.max(this.peak, process.memoryUsage().rss)), 50);
  stop() {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
    return this.peak;
  }
}

async function dataset(scale: number): Promise<{ dir: string; manifest: Manifest }> {
  const dir = path.join(root, `olist-${scale}`);
  const mf = path.join(dir, 'manifest.json');
  if (fs.existsSync(mf)) return { dir, manifest: JSON.parse(fs.readFileSync(mf, 'utf8')) as Manifest };
  const t0 = Date.now();
  const manifest = await generateOlist({ scale, seed: 42, outDir: dir });
  process.stderr.write(`generated scale ${scale} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return { dir, manifest };
}

/**
 * A new data dir, and a new catalog: with DATABASE_URL a database of its own on that server (the
 * server's other databases, and an earlier run's catalog, must not leak versions into this one);
 * without it, the embedded Postgres inside the fresh data dir.
 */
async function freshLake(name: string): Promise<LakeContext> {
  const dataDir = path.join(root, `lake-${name}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const env: Record<string, string | undefined> = { ...process.env, KEYSTONE_DATA_DIR: dataDir };
  if (process.env.DATABASE_URL) {
    const db = `ks_bench_pipeline_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${quoteIdent(db)}`);
    } finally {
      await admin.end();
    }
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${db}`;
    env.DATABASE_URL = url.toString();
  }
  return openLake(loadConfig(env), { log: createLogger({}, () => undefined) });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

interface FullRun {
  scale: number;
  rows: number;
  bronzeMs: number;
  silverMs: number;
  goldMs: number;
  totalMs: number;
  peakRss: number;
  bronzeRowsPerSec: number;
  ctx: LakeContext;
  dir: string;
}

async function fullRun(scale: number, keepOpen: boolean): Promise<FullRun> {
  const { dir, manifest } = await dataset(scale);
  const ctx = await freshLake(`s${scale}`);
  const files = TABLE_NAMES.map((t) => ({ path: path.join(dir, manifest.tables[t].file), displayName: manifest.tables[t].file }));
  const rows = TABLE_NAMES.reduce((a, t) => a + manifest.tables[t].rows, 0);
  const rss = new RssSampler();
  const must = async (job: Job, opts = {}) => {
    const r = await runJob(ctx, job, opts);
    if (r.status !== 'succeeded') throw new Error(`${job} failed: ${r.error}`);
    return r;
  };
  const bronze = await timed(() => must('bronze', { files }));
  const silver = await timed(() => must('silver'));
  const gold = await timed(() => must('gold'));
  const peakRss = rss.stop();
  process.stderr.write(`scale ${scale}: bronze ${s(bronze.ms)}, silver ${s(silver.ms)}, gold ${s(gold.ms)}, peak RSS ${mb(peakRss)}\n`);
  if (!keepOpen) await ctx.close();
  return {
    scale,
    rows,
    bronzeMs: bronze.ms,
    silverMs: silver.ms,
    goldMs: gold.ms,
    totalMs: bronze.ms + silver.ms + gold.ms,
    peakRss,
    bronzeRowsPerSec: rows / (bronze.ms / 1000),
    ctx,
    dir,
  };
}


async function main() {
  const lines: [string, string, string, string][] = [];
  const one = await fullRun(baseScale, true);
  lines.push([`scale ${baseScale}: CSV → bronze → silver → gold (${one.rows.toLocaleString('en-US')} rows)`, s(one.totalMs), baseScale === 1 ? '≤ 20 s' : '', one.totalMs <= 20_000 || baseScale !== 1 ? 'ok' : 'MISSED']);
  lines.push(['  bronze / silver / gold', `${s(one.bronzeMs)} / ${s(one.silverMs)} / ${s(one.goldMs)}`, '', '']);
  lines.push([`scale ${baseScale}: peak RSS`, mb(one.peakRss), '≤ 2 GB', one.peakRss <= 2 * 1024 ** 3 ? 'ok' : 'MISSED']);

  // Incremental: 1% new orders (and their items, payments, reviews) on top of the full run, three times
  // in a row (each a new 1%); the median is compared with the full run, every round is printed.
  const increment = async (round: number, withCustomers = false) => {
    const incFiles = await makeIncrement(one.ctx, path.join(root, `increment-${baseScale}`), 0.01, round, withCustomers);
    const inc = await timed(async () => {
      const r = await runJob(one.ctx, 'all', { files: incFiles });
      if (r.status !== 'succeeded') throw new Error(`incremental run failed: ${r.error}`);
      return r;
    });
    return { ms: inc.ms, partitions: inc.value.silver.reduce((a, x) => a + x.partitionsRewritten, 0) };
  };
  const rounds: { ms: number; partitions: number }[] = [];
  for (let round = 1; round <= 3; round++) rounds.push(await increment(round));
  const median = [...rounds].sort((a, b) => a.ms - b.ms)[1]!;
  const ratio = median.ms / one.totalMs;
  lines.push([`incremental: +1% orders, all layers (median of 3; ${median.partitions} partitions rewritten)`, `${s(median.ms)} (${(ratio * 100).toFixed(1)}% of full)`, '≤ 15%', ratio <= 0.15 ? 'ok' : 'MISSED']);
  lines.push(['  each round', rounds.map((r) => s(r.ms)).join(' / '), '', '']);
  // Beyond the target's definition: Olist gives every order a new customer, so a real day also brings
  // customers (the customer dimension is then rebuilt; the facts still follow by order).
  const withCustomers = await increment(4, true);
  lines.push(['  +1% orders with their new customers', `${s(withCustomers.ms)} (${((withCustomers.ms / one.totalMs) * 100).toFixed(1)}% of full)`, '', '']);

  // Bronze write throughput beside parquetjs-lite on the same rows (orders, all text).
  const ordersCsv = path.join(one.dir, 'olist_orders_dataset.csv');
  // The same bytes would be recognised as a duplicate: ingest a copy with one more byte so it is written.
  const copy = path.join(root, 'orders-copy.csv');
  fs.writeFileSync(copy, fs.readFileSync(ordersCsv, 'utf8') + '\n');
  const ours2 = await timed(() => runJob(one.ctx, 'bronze', { files: [{ path: copy, displayName: 'orders-copy.csv' }] }));
  const orderRows = (await one.ctx.engine.query(`SELECT count(*) FROM read_csv(${quoteLiteral(ordersCsv)}, header = true, all_varchar = true)`)).rows[0]![0];
  const ourRate = Number(orderRows) / (ours2.ms / 1000);
  const baseline = await parquetjsBaseline(one.ctx, ordersCsv, path.join(root, 'parquetjs-orders.parquet'));
  lines.push([`bronze write: ours (CSV → Parquet + catalog), orders`, `${Math.round(ourRate).toLocaleString('en-US')} rows/s`, '', '']);
  lines.push([`bronze write: parquetjs-lite, same rows`, `${Math.round(baseline.rowsPerSec).toLocaleString('en-US')} rows/s`, '', '']);
  lines.push(['  ratio ours / parquetjs-lite', `${(ourRate / baseline.rowsPerSec).toFixed(1)}×  (file ${mb(baseline.ourBytes)} vs ${mb(baseline.bytes)})`, '', '']);
  await one.ctx.close();

  if (!quick) {
    await closeDuckDB();
    const ten = await fullRun(baseScale * 10, false);
    lines.push([`scale ${baseScale * 10}: end to end (${ten.rows.toLocaleString('en-US')} rows)`, `${s(ten.totalMs)} (${(ten.totalMs / one.totalMs).toFixed(1)}× scale ${baseScale})`, '≤ 10×', ten.totalMs <= one.totalMs * 10 ? 'ok' : 'MISSED']);
    lines.push(['  bronze / silver / gold', `${s(ten.bronzeMs)} / ${s(ten.silverMs)} / ${s(ten.goldMs)}`, '', '']);
    lines.push([`scale ${baseScale * 10}: peak RSS`, mb(ten.peakRss), '≤ 4 GB', ten.peakRss <= 4 * 1024 ** 3 ? 'ok' : 'MISSED']);
  }
  await closeDuckDB();

  const header = ['measure', 'result', 'target', ''];
  const w = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (l: string[]) => l.map((c, i) => c.padEnd(w[i]!)).join('  ');
  process.stdout.write(`\nKeystone Nexus — pipeline benchmark (${os.cpus().length} cores, ${mb(os.totalmem())}, ${new Date().toISOString()})\n\n`);
  process.stdout.write(row(header) + '\n' + w.map((x) => '─'.repeat(x)).join('  ') + '\n');
  for (const l of lines) process.stdout.write(row(l) + '\n');
}

await main();
process.exit(0);
