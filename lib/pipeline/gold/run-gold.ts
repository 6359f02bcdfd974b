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
import { abortVersion, beginVersion, commitVersion, currentFiles, ensureDataset, filesOfVersion, listDatasets, type Dataset } from '../../catalog/versions';
import { forEachByDependencies, forEachLimited } from '../../concurrency';
import { withPipelineThreads } from '../../engine/duckdb/threads';
import { KeystoneError } from '../../errors';
import type { LakeContext } from '../../lake/context';
import { tableScanSql } from '../../lake/views';
import { stageParquetFiles } from '../../lake/write-files';
import { CONTRACTS } from '../../olist/contracts';
import { silverColumns } from '../silver/model-sql';
import { cachedDigest, hasOlistDigest } from '../silver/key-digest';
import { factIncrements, fingerprint, GOLD_DELTA, OrderDiffs, planFact, sqlHash, writeFactIncrement, type FactIncrement, type SilverTableRef } from './incremental';
import { GOLD_RECONCILIATION, reconciliationChecks, reconciliationSql } from './reconcile';
import { GOLD_MODELS, type GoldModel } from './models';

export interface GoldResult {
  status: 'built' | 'unchanged';
  models: { name: string; rows: number; versionId: number }[];
  rowsWritten: number;
  checks: CheckRecord[];
}

/** A model and the gold models it reads, directly or through others. */
function goldClosure(model: GoldModel): GoldModel[] {
  const byName = new Map(GOLD_MODELS.map((m) => [m.name, m]));
  const out: GoldModel[] = [];
  const visit = (m: GoldModel) => {
    if (out.includes(m)) return;
    out.push(m);
    for (const g of referencedGold(m.sql)) {
      const dep = byName.get(g);
      if (dep) visit(dep);
    }
  };
  visit(model);
  return out;
}

/** Silver tables a model reads, directly or through the gold models it reads. */
function silverInputsOf(model: GoldModel): Set<string> {
  return new Set(goldClosure(model).flatMap((m) => [...referencedSilver(m.sql)]));
}

/**
 * Per model, the hash of its SQL (and of the gold models it reads) and its silver inputs as
 * `name@versionId`: a model is rebuilt only when one of them changed (new orders rebuild the facts and
 * marts, not the customer or geolocation dimensions; a changed model rebuilds, whatever the data).
 */
function modelFingerprints(silver: Map<string, SilverTableRef>): Map<string, string> {
  return new Map(
    GOLD_MODELS.map((m) => [
      m.name,
      fingerprint(
        sqlHash(goldClosure(m).map((g) => g.sql)),
        new Map([...silverInputsOf(m)].map((t) => [t, silver.get(t)?.currentVersionId ?? 0])),
      ),
    ]),
  );
}

/**
 * SQL over the current files of each silver table the models read (no views: registering every
 * dataset's view costs more than an incremental build). An Olist table not yet in silver reads as empty,
 * so gold still builds, with unknown members.
 */
async function silverRelations(ctx: LakeContext, silver: Map<string, Dataset>, tables: Iterable<string>): Promise<Map<string, string>> {
  const contracts = new Map(CONTRACTS.map((c) => [c.table as string, c]));
  const out = new Map<string, string>();
  for (const t of tables) {
    const ds = silver.get(t);
    const contract = contracts.get(t);
    if (ds?.currentVersionId) {
      const files = await filesOfVersion(ctx.catalog.db, ds.currentVersionId);
      out.set(t, tableScanSql({ paths: await ctx.readable(ds.bucket, files.map((f) => f.key)), partitionKeys: ds.partitionKeys, schema: ds.schema }));
    } else if (contract) {
      out.set(t, `SELECT ${silverColumns(contract).map((col) => `CAST(NULL AS ${col.type}) AS ${quoteIdent(col.name)}`).join(', ')} WHERE false`);
    }
  }
  return out;
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

async function loadSilverOnce(ctx: LakeContext, models: readonly GoldModel[], relations: Map<string, string>): Promise<Set<string>> {
  // Dated tables too when read once: loading them two at a time keeps both cores busy, where the one
  // model reading hundreds of day files would otherwise run alone at the end.
  const shared = [...silverReads(models)].filter(([t, n]) => n > 1 || hasOlistDigest(t)).map(([t]) => t);
  const contracts = new Map(CONTRACTS.map((c) => [c.table as string, c]));
  await ctx.engine.execute(`CREATE SCHEMA IF NOT EXISTS ${GOLD_SRC};`);
  // Two at a time, like the models: each query runs on one DuckDB thread.
  await forEachLimited(shared, 2, async (t) => {
    const contract = contracts.get(t);
    const cols = contract ? contract.columns.map((c) => quoteIdent(c.name)).join(', ') : '*';
    await ctx.engine.execute(`CREATE OR REPLACE TABLE ${GOLD_SRC}.${quoteIdent(t)} AS SELECT ${cols} FROM (${relations.get(t)!});`, { timeoutMs: 60 * 60_000 });
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

/** How a run's SQL reads silver: the loaded copies where there are some, else the current files. */
interface SilverBinding {
  loaded: Set<string>;
  relations: Map<string, string>;
}

/**
 * A model's SQL reading `first` where it names a table (an increment's slices, the key digests), else
 * the run's loaded copies, else the silver files — in one pass, so no inlined path is ever rewritten.
 */
function boundSql(sql: string, b: SilverBinding, first?: ReadonlyMap<string, string>): string {
  return sql.replace(/\bsilver\.([a-z_]+)/g, (whole, t: string) => {
    const own = first?.get(t);
    if (own !== undefined) return own;
    return b.loaded.has(t) ? `${GOLD_SRC}.${t}` : b.relations.has(t) ? `(${b.relations.get(t)})` : whole;
  });
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

/** Build a model into `work/<model>/`; an increment keeps the fact's untouched files (returned) and writes the rest. */
async function buildModel(ctx: LakeContext, model: GoldModel, work: string, binding: SilverBinding, inc: FactIncrement | undefined) {
  const dir = path.join(work, model.name);
  let keptFileIds: number[] | undefined;
  let paths = [path.join(dir, 'part-0.parquet')];
  if (inc) {
    const written = await writeFactIncrement(ctx, inc, boundSql(model.sql, binding, inc.sources), dir, ctx.bucket('gold'));
    keptFileIds = written.keptFileIds;
    paths = written.readPaths;
  } else {
    fs.mkdirSync(dir, { recursive: true });
    await ctx.engine.execute(`COPY (${boundSql(model.sql, binding)}) TO ${quoteLiteral(paths[0]!)} (FORMAT parquet, COMPRESSION zstd)`, { timeoutMs: 60 * 60_000 });
  }
  await ctx.engine.execute(`CREATE OR REPLACE VIEW gold_next.${quoteIdent(model.name)} AS SELECT * FROM read_parquet([${paths.map(quoteLiteral).join(', ')}])`);
  const described = await ctx.engine.query(`DESCRIBE SELECT * FROM gold_next.${quoteIdent(model.name)}`);
  const schema = described.rows.map((r) => ({ name: String(r[0]), type: String(r[1]), nullable: String(r[2]) !== 'NO' }));
  return { schema, keptFileIds };
}

export async function runGold(ctx: LakeContext, run: RunRecorder): Promise<GoldResult> {
  return withPipelineThreads(ctx.engine, () => buildGold(ctx, run));
}

async function buildGold(ctx: LakeContext, run: RunRecorder): Promise<GoldResult> {
  const silverTables = new Map((await listDatasets(ctx.catalog.db, 'silver')).filter((d) => d.kind === 'table').map((d) => [d.name, d]));
  const fingerprints = modelFingerprints(silverTables);
  const existing = await listDatasets(ctx.catalog.db, 'gold');
  const previousInputs = (m: GoldModel) => (existing.find((e) => e.name === m.name)?.facets as { inputs?: string } | undefined)?.inputs;
  // What each model's current version was built from, by its own facets (a restore keeps the dataset's).
  const bases = new Map(
    (
      await ctx.catalog.pool.query<{ name: string; id: number; operation: string; facets: { inputs?: string; merges?: number } | null }>(
        `select d.name, v.id, v.operation, v.facets from datasets d join dataset_versions v on v.id = d.current_version_id where d.layer = 'gold'`,
      )
    ).rows.map((r) => [r.name, { versionId: r.id, operation: r.operation, inputs: r.facets?.inputs, merges: Number(r.facets?.merges ?? 0) }]),
  );
  const current = (m: GoldModel) => {
    const d = existing.find((e) => e.name === m.name);
    return d?.currentVersionId && previousInputs(m) === fingerprints.get(m.name) ? d : undefined;
  };
  const rebuild = GOLD_MODELS.filter((m) => !current(m));
  if (rebuild.length === 0) {
    run.info('gold: silver has not changed since the last build; nothing to do');
    await run.step({ step: 'gold', status: 'unchanged' });
    return { status: 'unchanged', models: [], rowsWritten: 0, checks: [] };
  }

  let lap = Date.now();
  const phase = (name: string) => {
    run.log('debug', `gold: ${name} ${Date.now() - lap} ms`);
    lap = Date.now();
  };
  await ctx.engine.execute('CREATE SCHEMA IF NOT EXISTS gold_next;');
  phase('silver views');
  const work = ctx.scratch('gold');
  const result: GoldResult = { status: 'built', models: [], rowsWritten: 0, checks: [] };
  const binding: SilverBinding = { loaded: new Set(), relations: new Map() };
  const diffs = new OrderDiffs(ctx, silverTables);
  try {
    for (const m of GOLD_MODELS) {
      const d = current(m);
      if (d) await keepModel(ctx, m, d);
    }
    if (rebuild.length < GOLD_MODELS.length) run.info(`gold: rebuilding ${rebuild.map((m) => m.name).join(', ')}; the others' silver inputs did not change`);
    // Facts whose only changed inputs are order-keyed tables are brought up to date order by order.
    await ctx.engine.execute(`CREATE SCHEMA IF NOT EXISTS ${GOLD_DELTA};`);
    phase('kept models');
    const plans = rebuild.map((m) => planFact(m, bases.get(m.name), fingerprints.get(m.name)!, referencedSilver(m.sql), silverTables)).filter((p) => p !== undefined);
    const increments = await factIncrements(ctx, plans, diffs);
    if (increments.size > 0) {
      run.info(`gold: ${[...increments].map(([name, inc]) => `${name} (${inc.orders} changed orders)`).join(', ')} updated by order; the rest rebuilt whole`);
    }
    phase('increments planned');
    const whole = rebuild.filter((m) => !increments.has(m.name));
    // Incremental facts read their order-keyed tables from the increment's slices, the rest from the files.
    const reads = rebuild.flatMap((m) => [...referencedSilver(m.sql)].filter((t) => !increments.get(m.name)?.sources.has(t)));
    binding.relations = await silverRelations(ctx, silverTables, new Set(reads));
    binding.loaded = await loadSilverOnce(ctx, whole, binding.relations);
    phase('silver loaded');
    // Build everything first: a failing model or check leaves gold exactly as it was.
    const built: { model: GoldModel; dir: string; schema: { name: string; type: string; nullable: boolean }[]; keptFileIds: number[] | undefined }[] = [];
    let i = 0;
    // Two models at a time (each query runs on one DuckDB thread); a model starts once the gold models
    // it reads are built.
    await forEachByDependencies(
      rebuild,
      2,
      (m) => m.name,
      (m) => referencedGold(m.sql),
      async (model, index) => {
        await run.progress({ done: i++, total: rebuild.length + 1, step: `gold.${model.name}` });
        const t0 = Date.now();
        const { schema, keptFileIds } = await buildModel(ctx, model, work, binding, increments.get(model.name));
        built[index] = { model, dir: path.join(work, model.name), schema, keptFileIds };
        run.info(`gold.${model.name} built in ${Date.now() - t0} ms`);
      },
    ).catch((e: unknown) => {
      throw e instanceof Error && e.message.startsWith('these wait on each other') ? new KeystoneError('internal:gold', `gold models ${e.message}`) : e;
    });
    phase('models built');
    result.checks = await reconcile(ctx, binding, silverTables);
    phase('reconciled');
    await dropSilverCopies(ctx, binding.loaded);
    binding.loaded = new Set();
    await run.checks(result.checks);
    const failed = result.checks.filter((c) => c.status === 'failed');
    if (failed.length > 0) {
      throw new KeystoneError('bad_request:check_failed', `gold does not reconcile with silver: ${failed.map((f) => f.message).join('; ')}`);
    }

    const silverInputs = (await listDatasets(ctx.catalog.db, 'silver')).filter((d) => d.kind === 'table' && d.currentVersionId);
    const models: GoldResult['models'] = [];
    // Several commits at a time: each is mostly catalog round trips and a storage sync.
    await forEachLimited(built, 6, async ({ model, dir, schema, keptFileIds }, index) => {
      const fingerprint = fingerprints.get(model.name)!;
      const ds = await ensureDataset(ctx.catalog.db, {
        layer: 'gold',
        name: model.name,
        bucket: ctx.bucket('gold'),
        prefix: `${model.name}/`,
        schema,
        description: model.description,
      });
      const staging = await beginVersion(ctx.catalog.db, { datasetId: ds.id, operation: keptFileIds ? 'merge' : 'overwrite', runId: run.id });
      const staged = await ctx.storage.stageVersion(ds.bucket, ds.prefix, staging.versionKey);
      try {
        const newFiles = await stageParquetFiles(ctx.engine, staged, dir);
        const committed = await commitVersion(ctx.catalog.db, {
          staging,
          newFiles,
          keep: keptFileIds ? { kind: 'files', fileIds: keptFileIds } : { kind: 'none' },
          schema,
          facets: { model: { kind: model.kind, sql: model.sql.trim() }, inputs: fingerprint, merges: increments.get(model.name)?.merges ?? 0 },
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
    phase('committed');
    result.models = models.filter((m) => m !== undefined);
    await run.step({ step: 'gold', status: 'built', models: result.models.length, rowsOut: result.rowsWritten });
    run.info(`gold: ${result.models.length} tables, ${result.rowsWritten} rows`);
    return result;
  } finally {
    await dropSilverCopies(ctx, binding.loaded).catch(() => undefined);
    await diffs.drop().catch(() => undefined);
    await ctx.engine.execute(`DROP SCHEMA IF EXISTS ${GOLD_DELTA} CASCADE;`).catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function referencedSilver(sql: string): Set<string> {
  return new Set([...sql.matchAll(/silver\.([a-z_]+)/g)].map((m) => m[1]!));
}
function referencedGold(sql: string): string[] {
  return [...new Set([...sql.matchAll(/gold_next\.([a-z_]+)/g)].map((m) => m[1]!))];
}

/**
 * Gold totals must equal silver's exactly (money compared as DECIMAL, i.e. to the cent). Silver's side
 * is read from the run's loaded copies, else from the tables' key digests (which carry the reconciled
 * columns and are checked against the catalog's row counts), else from the silver files.
 */
async function reconcile(ctx: LakeContext, binding: SilverBinding, silver: Map<string, Dataset>): Promise<CheckRecord[]> {
  const digests = new Map<string, string>();
  const tables = new Set(GOLD_RECONCILIATION.flatMap((p) => [...referencedSilver(p.silver)]));
  for (const t of tables) {
    const ds = silver.get(t);
    if (binding.loaded.has(t) || !ds?.currentVersionId || !hasOlistDigest(t)) continue;
    const file = cachedDigest(ctx, ds.id, ds.currentVersionId);
    if (file) digests.set(t, `(SELECT * FROM ${file})`);
  }
  const lacking = [...tables].filter((t) => !binding.loaded.has(t) && !digests.has(t) && !binding.relations.has(t));
  const relations = new Map([...binding.relations, ...(await silverRelations(ctx, silver, lacking))]);
  const bind = (p: string) => boundSql(p, { loaded: binding.loaded, relations }, digests);
  const r = await ctx.engine.query(reconciliationSql(bind));
  return reconciliationChecks(r.rows[0]!);
}

