/**
 * The gold job: rebuild the star schema and marts from silver's current versions, each model one new
 * version of its gold dataset. Skipped when no silver input changed since the last gold build.
 * Afterwards gold is reconciled with silver: item count, sums of price, freight and payment value, and
 * order count must be equal, to the cent.
 */
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import path from 'node:path';
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';
import type { CheckRecord, RunRecorder } from '../../catalog/runs';
import { abortVersion, beginVersion, commitVersion, currentFiles, ensureDataset, listDatasets, type Dataset } from '../../catalog/versions';
import { forEachLimited } from '../../concurrency';
import { withPipelineThreads } from '../../engine/duckdb/threads';
import { KeystoneError } from '../../errors';
import type { LakeContext } from '../../lake/context';
import { syncLakeViews } from '../../lake/views';
import { stageParquetFiles } from '../../lake/write-files';
import { CONTRACTS } from '../../olist/contracts';
import { silverColumns } from '../silver/model-sql';
import { reconciliationChecks, reconciliationSql } from './reconcile';
import { GOLD_MODELS, type GoldModel } from './models';

export interface GoldResult {
  status: 'built' | 'unchanged';
  models: { name: string; rows: number; versionId: number }[];
  rowsWritten: number;
  checks: CheckRecord[];
}

/** Silver tables a model reads, directly or through the gold models it reads. */
function silverInputsOf(model: GoldModel): Set<string> {
  const byName = new Map(GOLD_MODELS.map((m) => [m.name, m]));
  const out = new Set<string>();
  const visit = (m: GoldModel, seen: Set<string>) => {
    if (seen.has(m.name)) return;
    seen.add(m.name);
    for (const t of referencedSilver(m.sql)) out.add(t);
    for (const g of referencedGold(m.sql)) {
      const dep = byName.get(g);
      if (dep) visit(dep, seen);
    }
  };
  visit(model, new Set());
  return out;
}

/**
 * Per model, its silver inputs as `name@versionId`: a model is rebuilt only when one of them changed
 * (new orders rebuild the facts and marts, not the customer or geolocation dimensions).
 */
async function modelFingerprints(ctx: LakeContext): Promise<Map<string, string>> {
  const silver = new Map((await listDatasets(ctx.catalog.db, 'silver')).filter((d) => d.kind === 'table').map((d) => [d.name, d.currentVersionId ?? 0]));
  return new Map(
    GOLD_MODELS.map((m) => [
      m.name,
      [...silverInputsOf(m)]
        .sort()
        .map((t) => `${t}@${silver.get(t) ?? 0}`)
        .join(','),
    ]),
  );
}

/** Olist tables not yet in silver read as empty (so gold still builds, with unknown members). */
async function ensureSilverViews(ctx: LakeContext) {
  const tables = await syncLakeViews(ctx.catalog, ctx.storage, ctx.engine, ctx.readable);
  const present = new Set(tables.filter((t) => t.layer === 'silver').map((t) => t.name));
  const missing = CONTRACTS.filter((c) => !present.has(c.table));
  if (missing.length > 0) {
    await ctx.engine.execute(
      missing
        .map((c) => `CREATE OR REPLACE VIEW silver.${quoteIdent(c.table)} AS SELECT ${silverColumns(c).map((col) => `CAST(NULL AS ${col.type}) AS ${quoteIdent(col.name)}`).join(', ')} WHERE false;`)
        .join('\n'),
    );
  }
}

/**
 * Silver tables that several models read are loaded once per run into `gold_src`: a dated silver table
 * is hundreds of day-partition files, and opening them costs more than the models' own work. Only the
 * columns the models use leave the files (never the lineage or partition columns).
 */
const GOLD_SRC = 'gold_src';

function silverReads(models: readonly GoldModel[]): Map<string, number> {
  const reads = new Map<string, number>();
  for (const m of models) for (const t of referencedSilver(m.sql)) reads.set(t, (reads.get(t) ?? 0) + 1);
  return reads;
}

async function loadSilverOnce(ctx: LakeContext, models: readonly GoldModel[]): Promise<Set<string>> {
  const shared = [...silverReads(models)].filter(([, n]) => n > 1).map(([t]) => t);
  const contracts = new Map(CONTRACTS.map((c) => [c.table as string, c]));
  await ctx.engine.execute(`CREATE SCHEMA IF NOT EXISTS ${GOLD_SRC};`);
  // Two at a time, like the models: each query runs on one DuckDB thread.
  await forEachLimited(shared, 2, async (t) => {
    const contract = contracts.get(t);
    const cols = contract ? contract.columns.map((c) => quoteIdent(c.name)).join(', ') : '*';
    await ctx.engine.execute(`CREATE OR REPLACE TABLE ${GOLD_SRC}.${quoteIdent(t)} AS SELECT ${cols} FROM silver.${quoteIdent(t)};`, { timeoutMs: 60 * 60_000 });
  }).catch(async (e: unknown) => {
    await dropSilverCopies(ctx, new Set(shared)).catch(() => undefined);
    throw e;
  });
  return new Set(shared);
}

async function dropSilverCopies(ctx: LakeContext, loaded: Set<string>) {
  if (loaded.size === 0) return;
  await ctx.engine.execute([...loaded].map((t) => `DROP TABLE IF EXISTS ${GOLD_SRC}.${quoteIdent(t)};`).join('\n'));
}

/** A model's SQL reading the run's loaded copies instead of the silver files (same rows, same version). */
function boundSql(sql: string, loaded: Set<string>): string {
  return sql.replace(/\bsilver\.([a-z_]+)/g, (whole, t: string) => (loaded.has(t) ? `${GOLD_SRC}.${t}` : whole));
}

/** A model this run does not rebuild is read by the others at its current version. */
async function keepModel(ctx: LakeContext, model: GoldModel, ds: Dataset) {
  const files = await currentFiles(ctx.catalog.db, ds.id);
  const paths = await ctx.readable(ds.bucket, files.map((f) => f.key));
  const rows =
    paths.length > 0
      ? `SELECT * FROM read_parquet([${paths.map(quoteLiteral).join(', ')}])`
      : `SELECT ${ds.schema.map((c) => `CAST(NULL AS ${c.type}) AS ${quoteIdent(c.name)}`).join(', ')} WHERE false`;
  await ctx.engine.execute(`CREATE OR REPLACE VIEW gold_next.${quoteIdent(model.name)} AS ${rows}`);
}

async function buildModel(ctx: LakeContext, run: RunRecorder, model: GoldModel, work: string, fingerprint: string, loaded: Set<string>) {
  const file = path.join(work, model.name, 'part-0.parquet');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await ctx.engine.execute(`COPY (${boundSql(model.sql, loaded)}) TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION zstd)`, { timeoutMs: 60 * 60_000 });
  await ctx.engine.execute(`CREATE OR REPLACE VIEW gold_next.${quoteIdent(model.name)} AS SELECT * FROM read_parquet(${quoteLiteral(file)})`);
  const described = await ctx.engine.query(`DESCRIBE SELECT * FROM gold_next.${quoteIdent(model.name)}`);
  const schema = described.rows.map((r) => ({ name: String(r[0]), type: String(r[1]), nullable: String(r[2]) !== 'NO' }));
  return { file, schema, fingerprint };
}

export async function runGold(ctx: LakeContext, run: RunRecorder): Promise<GoldResult> {
  return withPipelineThreads(ctx.engine, () => buildGold(ctx, run));
}

async function buildGold(ctx: LakeContext, run: RunRecorder): Promise<GoldResult> {
  const fingerprints = await modelFingerprints(ctx);
  const existing = await listDatasets(ctx.catalog.db, 'gold');
  const current = (m: GoldModel) => {
    const d = existing.find((e) => e.name === m.name);
    return d?.currentVersionId && (d.facets as { inputs?: string }).inputs === fingerprints.get(m.name) ? d : undefined;
  };
  const rebuild = GOLD_MODELS.filter((m) => !current(m));
  if (rebuild.length === 0) {
    run.info('gold: silver has not changed since the last build; nothing to do');
    await run.step({ step: 'gold', status: 'unchanged' });
    return { status: 'unchanged', models: [], rowsWritten: 0, checks: [] };
  }

  await ensureSilverViews(ctx);
  await ctx.engine.execute('CREATE SCHEMA IF NOT EXISTS gold_next;');
  const work = ctx.scratch('gold');
  const result: GoldResult = { status: 'built', models: [], rowsWritten: 0, checks: [] };
  let loaded = new Set<string>();
  try {
    for (const m of GOLD_MODELS) {
      const d = current(m);
      if (d) await keepModel(ctx, m, d);
    }
    if (rebuild.length < GOLD_MODELS.length) run.info(`gold: rebuilding ${rebuild.map((m) => m.name).join(', ')}; the others' silver inputs did not change`);
    loaded = await loadSilverOnce(ctx, rebuild);
    // Build everything first: a failing model or check leaves gold exactly as it was.
    const built: { model: GoldModel; dir: string; schema: { name: string; type: string; nullable: boolean }[] }[] = [];
    let i = 0;
    // Two models at a time (each query runs on one DuckDB thread); a model starts once the gold models
    // it reads are built.
    const done = new Set<string>(GOLD_MODELS.filter((m) => !rebuild.includes(m)).map((m) => m.name));
    let waiting = rebuild.map((model, index) => ({ model, index }));
    while (waiting.length > 0) {
      const ready = waiting.filter((w) => referencedGold(w.model.sql).every((g) => done.has(g)));
      if (ready.length === 0) throw new KeystoneError('internal:gold', `gold models wait on each other: ${waiting.map((w) => w.model.name).join(', ')}`);
      await forEachLimited(ready, 2, async ({ model, index }) => {
        await run.progress({ done: i++, total: rebuild.length + 1, step: `gold.${model.name}` });
        const t0 = Date.now();
        const fingerprint = fingerprints.get(model.name)!;
        const { schema } = await buildModel(ctx, run, model, work, fingerprint, loaded);
        built[index] = { model, dir: path.join(work, model.name), schema };
        run.info(`gold.${model.name} built in ${Date.now() - t0} ms`);
      });
      for (const r of ready) done.add(r.model.name);
      waiting = waiting.filter((w) => !done.has(w.model.name));
    }
    result.checks = await reconcile(ctx, loaded);
    await dropSilverCopies(ctx, loaded);
    loaded = new Set();
    await run.checks(result.checks);
    const failed = result.checks.filter((c) => c.status === 'failed');
    if (failed.length > 0) {
      throw new KeystoneError('bad_request:check_failed', `gold does not reconcile with silver: ${failed.map((f) => f.message).join('; ')}`);
    }

    const silverInputs = (await listDatasets(ctx.catalog.db, 'silver')).filter((d) => d.kind === 'table' && d.currentVersionId);
    const models: GoldResult['models'] = [];
    // A few commits at a time: each is mostly catalog round trips and a storage sync.
    await forEachLimited(built, 3, async ({ model, dir, schema }, index) => {
      const fingerprint = fingerprints.get(model.name)!;
      const ds = await ensureDataset(ctx.catalog.db, {
        layer: 'gold',
        name: model.name,
        bucket: ctx.bucket('gold'),
        prefix: `${model.name}/`,
        schema,
        description: model.description,
      });
      const staging = await beginVersion(ctx.catalog.db, { datasetId: ds.id, operation: 'overwrite', runId: run.id });
      const staged = await ctx.storage.stageVersion(ds.bucket, ds.prefix, staging.versionKey);
      try {
        const newFiles = await stageParquetFiles(ctx.engine, staged, dir);
        const committed = await commitVersion(ctx.catalog.db, {
          staging,
          newFiles,
          keep: { kind: 'none' },
          schema,
          facets: { model: { kind: model.kind, sql: model.sql.trim() }, inputs: fingerprint },
          alsoInTransaction: async (tx) => {
            // The fingerprint lives on the dataset so the next run can tell whether anything changed.
            await tx.execute(sql`update datasets set facets = jsonb_set(facets, '{inputs}', to_jsonb(${fingerprint}::text)) where id = ${ds.id}`);
          },
        });
        models[index] = { name: model.name, rows: committed.rowCount, versionId: committed.id };
        result.rowsWritten += committed.rowCount;
        const referenced = referencedSilver(model.sql);
        await run.lineage([
          ...silverInputs
            .filter((s) => referenced.has(s.name))
            .map((s) => ({ direction: 'input' as const, namespace: `keystone://${s.bucket}`, name: `silver.${s.name}`, datasetId: s.id, versionId: s.currentVersionId, facets: { step: `gold.${model.name}` } })),
          ...referencedGold(model.sql).map((g) => ({ direction: 'input' as const, namespace: `keystone://${ds.bucket}`, name: `gold.${g}`, facets: { step: `gold.${model.name}`, sameRun: true } })),
          { direction: 'output', namespace: `keystone://${ds.bucket}`, name: `gold.${model.name}`, datasetId: ds.id, versionId: committed.id, rowCount: committed.rowCount, facets: { step: `gold.${model.name}` } },
        ]);
      } catch (e) {
        await staged.abort().catch(() => undefined);
        await abortVersion(ctx.catalog.db, staging).catch(() => undefined);
        throw e;
      }
    });
    result.models = models.filter((m) => m !== undefined);
    await run.step({ step: 'gold', status: 'built', models: result.models.length, rowsOut: result.rowsWritten });
    run.info(`gold: ${result.models.length} tables, ${result.rowsWritten} rows`);
    return result;
  } finally {
    await dropSilverCopies(ctx, loaded).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function referencedSilver(sql: string): Set<string> {
  return new Set([...sql.matchAll(/silver\.([a-z_]+)/g)].map((m) => m[1]!));
}
function referencedGold(sql: string): string[] {
  return [...new Set([...sql.matchAll(/gold_next\.([a-z_]+)/g)].map((m) => m[1]!))];
}

/** Gold totals must equal silver's exactly (money compared as DECIMAL, i.e. to the cent). */
async function reconcile(ctx: LakeContext, loaded: Set<string>): Promise<CheckRecord[]> {
  const r = await ctx.engine.query(reconciliationSql((p) => boundSql(p, loaded)));
  return reconciliationChecks(r.rows[0]!);
}

