/**
 * `npm run bench:console` — the console's speed, one table. Every `bench/console/*.ts` module (not its
 * support/ folder) is a part: it exports `rows(): Promise<BenchRow[]>` (also as default) and runs on
 * its own console; the parts run one after another, in file-name order, so their timings do not
 * disturb each other. A part that fails is reported and the others still run. To add measurements,
 * add a file there.
 *
 *   upload.ts             upload throughput on loopback, server RSS growth for 1 GiB, a 2 GiB upload
 *   render-dashboards.ts  the dashboards page's server render time
 *   grid-sql.ts           the SQL editor with a 100k-row result
 *
 * `npm run bench:console -- upload` runs only the parts whose file name contains "upload".
 * Prints the table; exits 1 only if a part could not run (a missed target is reported, not fatal:
 * machines are noisy).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { printRows, type BenchRow } from './console/support/analytics-console';

const dir = path.join(import.meta.dirname, 'console');
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const parts = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const all: BenchRow[] = [];
let failed = 0;
for (const file of parts) {
  process.stderr.write(`── ${file}\n`);
  const t0 = Date.now();
  try {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { rows?: () => Promise<BenchRow[]>; default?: () => Promise<BenchRow[]> };
    const run = mod.rows ?? mod.default;
    if (typeof run !== 'function') throw new Error(`${file} exports no rows() function`);
    all.push(...(await run()));
  } catch (e) {
    failed++;
    all.push({ metric: `${file}: could not run`, value: NaN, unit: '', ok: false, note: (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 160) });
  }
  process.stderr.write(`   ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
process.stdout.write('\n');
printRows(all);
process.exit(failed > 0 ? 1 : 0);
