/**
 * The jobs a person starts (CLI, console): ingest files into bronze, and run silver, gold or all.
 * Each is one recorded run with its locks, steps, checks, logs and lineage; a failure is recorded with
 * a reason a person can read, and nothing half-done becomes visible.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunRecorder, LogLevel } from '../catalog/runs';
import { startRun } from '../catalog/runs';
import { KeystoneError, errorMessage } from '../errors';
import type { LakeContext } from '../lake/context';
import { forEachLimited } from '../concurrency';
import { runAthenaJob } from './athena/run-athena';
import { ingestFile, type IngestOutcome } from './bronze';
import { runGold, type GoldResult } from './gold/run-gold';
import { runSilver } from './silver/run-silver';
import type { SilverTableResult } from './silver/silver-table';

export type Job = 'bronze' | 'silver' | 'gold' | 'all';
export const JOBS: readonly Job[] = ['bronze', 'silver', 'gold', 'all'];

export interface JobOptions {
  /** Files to ingest (bronze / all). Default for bronze: everything waiting in `<data dir>/landing/`. */
  files?: { path: string; displayName?: string; dataset?: string }[];
  userId?: string | null;
  onLog?: (level: LogLevel, message: string) => void;
  /** Called with the run id as soon as the run exists (the console links to it). */
  onStart?: (runId: string) => void;
}

export interface JobResult {
  runId: string;
  status: 'succeeded' | 'failed';
  error?: string;
  ingested: IngestOutcome[];
  silver: SilverTableResult[];
  gold: GoldResult | undefined;
}

export function landingDir(ctx: LakeContext): string {
  return path.join(ctx.config.dataDir, 'landing');
}

function landingFiles(ctx: LakeContext) {
  const dir = landingDir(ctx);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => ({ path: path.join(dir, e.name), displayName: e.name }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

async function bronzeStep(ctx: LakeContext, run: RunRecorder, files: NonNullable<JobOptions['files']>, fromLanding: boolean): Promise<IngestOutcome[]> {
  const out: IngestOutcome[] = [];
  const failures: string[] = [];
  let done = 0;
  // Two files at a time: one is parsed while the other is written by DuckDB.
  await forEachLimited(files, 2, async (f, index) => {
    await run.progress({ done: done++, total: files.length, step: `bronze: ${f.displayName ?? path.basename(f.path)}` });
    const t0 = Date.now();
    try {
      const r = await ingestFile(ctx, { path: f.path, displayName: f.displayName ?? path.basename(f.path), sourceKind: 'file', ...(f.dataset ? { dataset: f.dataset } : {}) }, run);
      out[index] = r;
      await run.step({ step: `bronze.${r.dataset}`, source: r.status === 'duplicate' ? `${f.displayName ?? f.path} (duplicate)` : (f.displayName ?? path.basename(f.path)), rowsIn: r.rows, rowsOut: r.status === 'ingested' ? r.rows : 0, malformed: r.malformed, ms: Date.now() - t0, status: r.status });
      if (fromLanding) {
        const done = path.join(landingDir(ctx), '.ingested');
        fs.mkdirSync(done, { recursive: true });
        fs.renameSync(f.path, path.join(done, `${r.ingestId}-${path.basename(f.path)}`));
      }
    } catch (e) {
      // One bad file does not stop the others; the run fails at the end, naming each.
      const message = `${f.displayName ?? path.basename(f.path)}: ${errorMessage(e)}`;
      failures.push(message);
      run.log('error', message);
      await run.step({ step: 'bronze', source: f.displayName ?? path.basename(f.path), status: 'failed', error: errorMessage(e), ms: Date.now() - t0 });
    }
  });
  if (failures.length > 0) {
    throw new KeystoneError('bad_request:ingest_failed', failures.length === 1 ? failures[0]! : `${failures.length} files were not ingested:\n${failures.join('\n')}`);
  }
  return out.filter((r) => r !== undefined);
}

const LOCKS: Record<Job, string[]> = { bronze: ['bronze'], silver: ['silver'], gold: ['gold'], all: ['bronze', 'silver', 'gold'] };

export async function runJob(ctx: LakeContext, job: Job, opts: JobOptions = {}): Promise<JobResult> {
  const run = await startRun(ctx.catalog, { job, params: { files: opts.files?.map((f) => f.displayName ?? path.basename(f.path)) ?? [] }, engine: ctx.engine.kind, userId: opts.userId ?? null, locks: LOCKS[job] }, opts.onLog);
  opts.onStart?.(run.id);
  const result: JobResult = { runId: run.id, status: 'succeeded', ingested: [], silver: [], gold: undefined };
  try {
    run.info(`${job} run ${run.id} started (engine ${ctx.engine.kind}, storage ${ctx.storage.kind})`);
    if (job === 'bronze' || job === 'all') {
      const fromLanding = !opts.files;
      const files = opts.files ?? landingFiles(ctx);
      if (files.length === 0 && job === 'bronze') run.info(`nothing to ingest (no files given, ${landingDir(ctx)} is empty)`);
      // Bronze is file conversion into object storage, not a query: with Athena as the engine it is
      // still done here, by the embedded DuckDB (the files then land in S3 for Athena to read).
      result.ingested = await bronzeStep(ctx.engine.kind === 'athena' ? { ...ctx, engine: ctx.localEngine() } : ctx, run, files, fromLanding);
    }
    if (ctx.engine.kind === 'athena') {
      // Registers the bronze versions in Glue, then (silver, gold, all) runs the models on Athena.
      const r = await runAthenaJob(ctx, run, job);
      result.silver = r.silver;
      result.gold = r.gold;
    } else {
      if (job === 'silver' || job === 'all') result.silver = await runSilver(ctx, run);
      if (job === 'gold' || job === 'all') result.gold = await runGold(ctx, run);
    }
    const rowsIn = result.ingested.reduce((a, r) => a + (r.status === 'ingested' ? r.rows : 0), 0) + result.silver.reduce((a, r) => a + r.rowsIn, 0);
    const rowsOut = result.ingested.reduce((a, r) => a + (r.status === 'ingested' ? r.rows : 0), 0) + result.silver.reduce((a, r) => a + r.rowsOut, 0) + (result.gold?.rowsWritten ?? 0);
    run.info(`${job} run finished`);
    await run.finish('succeeded', { rowsIn, rowsOut });
  } catch (e) {
    result.status = 'failed';
    result.error = errorMessage(e);
    run.log('error', `run failed: ${result.error}`);
    await run.finish('failed', { error: result.error });
  }
  return result;
}
