/**
 * The first start shows something: on an empty lake, `keystone serve` generates a small Olist set
 * (scale 0.1 by default), ingests it and runs the whole pipeline, so a new user opens the console on
 * filled layers and dashboards. `keystone serve --no-demo` (or KEYSTONE_DEMO=off) keeps the lake empty.
 */
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { ingests } from '../../db/schema';
import type { LakeContext } from '../lake/context';
import { generateOlist } from '../olist/generator';
import { TABLE_NAMES } from '../olist/contracts';
import { runJob, type JobResult } from './jobs';

export async function lakeIsEmpty(ctx: LakeContext): Promise<boolean> {
  const [row] = await ctx.catalog.db.select({ n: sql<number>`count(*)::int` }).from(ingests);
  return (row?.n ?? 0) === 0;
}

export async function loadDemo(ctx: LakeContext, opts: { scale?: number; say: (line: string) => void }): Promise<JobResult> {
  const scale = opts.scale ?? 0.1;
  const dir = path.join(ctx.config.dataDir, 'demo', `olist-${scale}`);
  const t0 = Date.now();
  opts.say(`empty lake: generating a demo Olist set (scale ${scale}) in ${dir}`);
  const manifest = await generateOlist({ scale, seed: 42, outDir: dir });
  opts.say(`generated ${Object.values(manifest.tables).reduce((a, t) => a + t.rows, 0).toLocaleString('en-US')} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s; running bronze → silver → gold`);
  const files = TABLE_NAMES.map((t) => ({ path: path.join(dir, manifest.tables[t].file), displayName: manifest.tables[t].file }));
  let last = '';
  const result = await runJob(ctx, 'all', {
    files,
    onLog: (level, message) => {
      // Progress a person can follow: one line per table and layer, not the debug chatter.
      if (level === 'debug') return;
      const line = message.split(':')[0] ?? message;
      if (line !== last) opts.say(message);
      last = line;
    },
  });
  opts.say(result.status === 'succeeded' ? `demo data loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s (run ${result.runId})` : `demo load failed: ${result.error}`);
  return result;
}
