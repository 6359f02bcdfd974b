/**
 * `tsx bench/pipeline-profile.ts [--scale=1] [--inc[=N]]` — one full run (and optionally the increment) with
 * every run log line printed with wall and process CPU time, to see where a layer spends its time.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { loadConfig } from '../lib/config';
import { closeDuckDB } from '../lib/engine/duckdb/engine';
import { openLake } from '../lib/lake/context';
import { createLogger } from '../lib/logger';
import { generateOlist, type Manifest } from '../lib/olist/generator';
import { TABLE_NAMES } from '../lib/olist/contracts';
import { runJob, type Job } from '../lib/pipeline/jobs';
import { makeIncrement } from './pipeline-increment';

const args = process.argv.slice(2);
const scale = Number(args.find((a) => a.startsWith('--scale='))?.split('=')[1] ?? 1);
const root = path.join(os.tmpdir(), 'keystone-bench');
const dir = path.join(root, `olist-${scale}`);
const mf = path.join(dir, 'manifest.json');
const manifest: Manifest = fs.existsSync(mf) ? JSON.parse(fs.readFileSync(mf, 'utf8')) : await generateOlist({ scale, seed: 42, outDir: dir });
const dataDir = path.join(root, `lake-profile-${scale}`);
// --gold: rebuild gold only, on the lake the previous profile run left.
const goldOnly = args.includes('--gold');
if (!goldOnly) fs.rmSync(dataDir, { recursive: true, force: true });
const ctx = await openLake(loadConfig({ ...process.env, KEYSTONE_DATA_DIR: dataDir }), { log: createLogger({}, () => undefined) });
const t0 = performance.now();
const c0 = process.cpuUsage();
const stamp = () => {
  const c = process.cpuUsage(c0);
  return `[${((performance.now() - t0) / 1000).toFixed(2).padStart(6)}s cpu ${((c.user + c.system) / 1e6).toFixed(2).padStart(6)}s]`;
};
const onLog = (level: string, message: string) => process.stdout.write(`${stamp()} ${level} ${message}\n`);
const must = async (job: Job, opts = {}) => {
  const r = await runJob(ctx, job, { ...opts, onLog });
  if (r.status !== 'succeeded') throw new Error(`${job} failed: ${r.error}`);
  return r;
};
const files = TABLE_NAMES.map((t) => ({ path: path.join(dir, manifest.tables[t].file), displayName: manifest.tables[t].file }));
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
if (goldOnly) await ctx.catalog.pool.query(`update datasets set facets = facets - 'inputs' where layer = 'gold'`);
for (const job of goldOnly ? (['gold'] as const) : (['bronze', 'silver', 'gold'] as const)) {
  const a = performance.now();
  const ca = process.cpuUsage();
  await must(job, job === 'bronze' ? { files } : {});
  const cu = process.cpuUsage(ca);
  process.stdout.write(`${stamp()} == ${job}: ${((performance.now() - a) / 1000).toFixed(2)} s wall, ${((cu.user + cu.system) / 1e6).toFixed(2)} s cpu\n`);
}
// --inc or --inc=N: that many successive 1% increments, each timed.
const incArg = args.find((a) => a === '--inc' || a.startsWith('--inc='));
const increments = incArg === undefined ? 0 : incArg === '--inc' ? 1 : Number(incArg.split('=')[1]);
for (let n = 1; n <= increments; n++) {
  const incFiles = await makeIncrement(ctx, path.join(root, `increment-profile-${scale}`), 0.01, n);
  const a = performance.now();
  const ca = process.cpuUsage();
  await must('all', { files: incFiles });
  const cu = process.cpuUsage(ca);
  process.stdout.write(`${stamp()} == incremental ${n}: ${((performance.now() - a) / 1000).toFixed(2)} s wall, ${((cu.user + cu.system) / 1e6).toFixed(2)} s cpu\n`);
}
clearInterval(timer);
process.stdout.write(`peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB\n`);
await ctx.close();
await closeDuckDB();
process.exit(0);
