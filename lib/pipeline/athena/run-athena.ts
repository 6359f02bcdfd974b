/**
 * Running silver and gold on Athena: the statements of `planAthenaRun` (the same ones `--dry-run`
 * prints), sent in order, with the Postgres catalog recording the same versions, steps, checks and
 * lineage as a DuckDB run.
 *
 *   1. Versions first: every dataset the run writes gets its staging version (beginVersion), and the
 *      plan is made with those numbers, so S3 prefixes, Glue names and catalog rows agree.
 *   2. Per silver table: judge, quarantine, latest row per key, then "partitions to write" is asked
 *      of Athena and the rest of the table's statements are planned again with the real partitions
 *      (split at Athena's 100 partitions per statement). Before the work tables are dropped, Athena
 *      counts what was judged and written ("$path" gives rows per file); the figures must reconcile
 *      (rows in = written from this run + quarantined + duplicates) before the catalog commits.
 *   3. Gold: every model is built as a new versioned table, reconciled with silver, then the views
 *      switch and the catalog commits each model.
 *   A failure stops the run with the step and Athena's reason; staging versions are aborted, the run's
 *   work tables dropped, and what was published before the failure stays consistent (each silver
 *   table is published and committed together; gold switches only after every model is built).
 *
 * Tested against a scripted engine (run-athena.test.ts): no real Athena is reachable from CI.
 */
import { inArray } from 'drizzle-orm';
import { ingestConsumption, ingests, type SchemaColumn } from '../../../db/schema';
import type { CheckRecord, RunRecorder } from '../../catalog/runs';
import { abortVersion, beginVersion, commitVersion, ensureDataset, getDataset, listDatasets, type Dataset, type NewFile, type StagingVersion } from '../../catalog/versions';
import { quoteLiteral } from '../../catalog/identifiers';
import type { QueryEngine } from '../../engine/engine';
import { KeystoneError, errorMessage } from '../../errors';
import type { LakeContext } from '../../lake/context';
import { CONTRACTS } from '../../olist/contracts';
import type { TableContract, TableName } from '../../olist/contract-types';
import { GOLD_MODELS } from '../gold/models';
import { reconciliationChecks, reconciliationSql } from '../gold/reconcile';
import type { GoldResult } from '../gold/run-gold';
import { QUARANTINE_DATASET, ensureQuarantineDataset } from '../silver/quarantine';
import { PARTITION_KEYS, pendingIngests, silverSchema, type SilverTableResult } from '../silver/silver-table';
import { readAthenaPlanState } from './plan-state';
import { athenaNames, planAthenaRun, planSilverTable, qualifyModelTables, type AthenaPlanState, type Partition, type PlannedStatement } from './statements';
import { ATHENA_DIALECT } from './dialect';

export type AthenaRunJob = 'bronze' | 'silver' | 'gold' | 'all';

export interface AthenaRunResult {
  silver: SilverTableResult[];
  gold: GoldResult | undefined;
  /** Statements sent, in order (for the run's log and the tests). */
  statements: PlannedStatement[];
}

const STATEMENT_TIMEOUT_MS = 60 * 60_000;

interface SilverWrite {
  contract: TableContract;
  silver: Dataset;
  bronze: Dataset;
  staging: StagingVersion;
  quarantine: StagingVersion;
  ingests: { id: string; versionId: number | null; rows: number | null }[];
  previousRows: number;
}

export async function runAthenaJob(ctx: LakeContext, run: RunRecorder, job: AthenaRunJob, engine: QueryEngine = ctx.engine): Promise<AthenaRunResult> {
  if (engine.kind !== 'athena') throw new KeystoneError('internal:athena_run', 'the Athena run needs the Athena engine');
  const state = await readAthenaPlanState(ctx.catalog, ctx.config, run.id);
  const stagings: StagingVersion[] = [];
  const writes = new Map<TableName, SilverWrite>();
  const goldStaging = new Map<string, { ds: Dataset; staging: StagingVersion }>();
  const sent: PlannedStatement[] = [];
  const result: AthenaRunResult = { silver: [], gold: undefined, statements: sent };
  const committed = new Set<number>();
  let goldReconciled = false;
  let goldChecks: CheckRecord[] = [];
  try {
    if (job === 'silver' || job === 'all') await beginSilverVersions(ctx, run, state, writes, stagings);
    if (job === 'gold' || job === 'all') await beginGoldVersions(ctx, run, state, goldStaging, stagings);

    const exec = async (s: PlannedStatement) => {
      sent.push(s);
      run.info(`athena: ${s.step}`);
      try {
        await engine.execute(s.sql, { timeoutMs: STATEMENT_TIMEOUT_MS });
      } catch (e) {
        throw new KeystoneError('bad_request:athena_statement', `${s.step}: ${errorMessage(e)}`, { cause: e });
      }
    };
    const ask = async (s: PlannedStatement) => {
      sent.push(s);
      try {
        return await engine.query(s.sql, { timeoutMs: STATEMENT_TIMEOUT_MS });
      } catch (e) {
        throw new KeystoneError('bad_request:athena_statement', `${s.step}: ${errorMessage(e)}`, { cause: e });
      }
    };

    const plan = planAthenaRun(job, state);
    for (let i = 0; i < plan.length; i++) {
      const s = plan[i]!;
      const table = /^silver\.([a-z_]+): partitions to write$/.exec(s.step)?.[1] as TableName | undefined;
      if (table && writes.has(table)) {
        // Ask Athena which partitions the new version holds, then plan the rest of the table with them.
        const r = await ask(s);
        const partitions: Partition[] = r.rows.map((row) => ({ year: String(row[0]), month: String(row[1]), day: String(row[2]) }));
        if (partitions.length === 0) throw new KeystoneError('bad_request:check_failed', `silver.${table}: no row to write — every incoming row was quarantined and the table had none`);
        const replanned = planSilverTable(writes.get(table)!.contract, { ...state, silver: { ...state.silver, [table]: { ...state.silver[table]!, partitions } } });
        const at = replanned.findIndex((p) => p.step === s.step);
        let end = i + 1;
        while (end < plan.length && plan[end]!.step.startsWith(`silver.${table}: `)) end++;
        plan.splice(i + 1, end - (i + 1), ...replanned.slice(at + 1));
        continue;
      }
      if (!goldReconciled && /^gold\.[a-z_]+: publish$/.test(s.step)) {
        // Every model is built: it must reconcile with silver before any view switches.
        goldChecks = await reconcileGold(run, state, ask);
        goldReconciled = true;
      }
      await exec(s);
      const published = /^silver\.([a-z_]+): publish version/.exec(s.step)?.[1] as TableName | undefined;
      if (published && writes.has(published)) {
        const w = writes.get(published)!;
        const r = await commitSilver(ctx, run, state, w, ask);
        committed.add(w.staging.id).add(w.quarantine.id);
        result.silver.push(r);
      }
    }
    for (const w of writes.values()) await ctx.storage.deletePrefix(ctx.bucket('silver'), `_work/${w.contract.table}/_v/${w.staging.versionKey}/`).catch(() => undefined);
    if (job === 'gold' || job === 'all') {
      result.gold = await commitGold(ctx, run, engine, state, goldStaging, ask, goldChecks);
      for (const g of goldStaging.values()) committed.add(g.staging.id);
    }
    return result;
  } catch (e) {
    for (const s of stagings) if (!committed.has(s.id)) await abortVersion(ctx.catalog.db, s).catch(() => undefined);
    // Work tables of tables not finished: their Glue entries go (best effort; the run has failed anyway).
    const n = athenaNames(state.database);
    for (const w of writes.values()) {
      if (committed.has(w.staging.id)) continue;
      const t = w.contract.table;
      const v = w.staging.versionKey;
      for (const name of [n.work(t, 'judged', v), n.work(t, 'merged', v), `silver_${t}__v${v}`]) {
        await engine.execute(`DROP TABLE IF EXISTS \`${state.database}\`.\`${name}\``).catch(() => undefined);
      }
    }
    throw e;
  }
}

/** Staging versions for every silver table with unconsumed bronze, and their quarantine appends. */
async function beginSilverVersions(ctx: LakeContext, run: RunRecorder, state: AthenaPlanState, writes: Map<TableName, SilverWrite>, stagings: StagingVersion[]) {
  const quarantine = await ensureQuarantineDataset(ctx);
  for (const contract of CONTRACTS) {
    const t = contract.table;
    if (!state.silver[t] || (state.bronze[t]?.pending.length ?? 0) === 0) continue;
    const bronze = await getDataset(ctx.catalog.db, 'bronze', t);
    if (!bronze) continue;
    const silver = await ensureDataset(ctx.catalog.db, {
      layer: 'silver',
      name: t,
      sourceTable: t,
      bucket: ctx.bucket('silver'),
      prefix: `${t}/`,
      schema: silverSchema(contract),
      partitionKeys: [...PARTITION_KEYS],
      description: `Olist ${t}: cleansed, typed, de-duplicated`,
    });
    const pending = await pendingIngests(ctx, bronze, silver);
    const previous = silver.currentVersionId ? await ctx.catalog.pool.query<{ row_count: string }>('select row_count from dataset_versions where id = $1', [silver.currentVersionId]) : { rows: [] };
    const staging = await beginVersion(ctx.catalog.db, { datasetId: silver.id, operation: 'overwrite', runId: run.id });
    stagings.push(staging);
    const q = await beginVersion(ctx.catalog.db, { datasetId: quarantine.id, operation: 'append', runId: run.id });
    stagings.push(q);
    state.silver[t] = { ...state.silver[t]!, version: staging.versionKey, quarantineVersion: q.versionKey };
    writes.set(t, { contract, silver, bronze, staging, quarantine: q, ingests: pending, previousRows: Number(previous.rows[0]?.row_count ?? 0) });
  }
}

async function beginGoldVersions(ctx: LakeContext, run: RunRecorder, state: AthenaPlanState, gold: Map<string, { ds: Dataset; staging: StagingVersion }>, stagings: StagingVersion[]) {
  const versions: Record<string, string> = {};
  for (const m of GOLD_MODELS) {
    const ds = await ensureDataset(ctx.catalog.db, { layer: 'gold', name: m.name, bucket: ctx.bucket('gold'), prefix: `${m.name}/`, description: m.description });
    const staging = await beginVersion(ctx.catalog.db, { datasetId: ds.id, operation: 'overwrite', runId: run.id });
    stagings.push(staging);
    gold.set(m.name, { ds, staging });
    versions[m.name] = staging.versionKey;
  }
  state.gold = versions;
}

type Ask = (s: PlannedStatement) => Promise<{ rows: unknown[][] }>;

/** Rows per file of a Glue table, from Athena's "$path", with their sizes from the bucket listing. */
async function filesOf(ctx: LakeContext, ask: Ask, step: string, table: string, bucket: string, prefix: string, where = ''): Promise<NewFile[]> {
  const counted = await ask({ step, sql: `SELECT "$path", count(*) FROM ${table}${where} GROUP BY 1` });
  const sizes = new Map<string, number>();
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await ctx.storage.list(bucket, { prefix, ...(cursor ? { cursor } : {}) });
    for (const o of page.objects) sizes.set(o.key, o.bytes);
    cursor = page.nextCursor;
  }
  const s3 = `s3://${bucket}/`;
  return counted.rows.map((row) => {
    const uri = String(row[0]);
    if (!uri.startsWith(s3 + prefix)) throw new KeystoneError('internal:athena_run', `${step}: Athena wrote ${uri}, outside s3://${bucket}/${prefix}`);
    const key = uri.slice(s3.length);
    const partition: Record<string, string> = {};
    for (const m of key.matchAll(/(?:^|\/)(year|month|day)=([^/]+)/g)) partition[m[1]!] = m[2]!;
    return { key, bytes: sizes.get(key) ?? 0, rowCount: Number(row[1]), partition, compression: 'ZSTD' };
  });
}

async function commitSilver(ctx: LakeContext, run: RunRecorder, state: AthenaPlanState, w: SilverWrite, ask: Ask): Promise<SilverTableResult> {
  const t = w.contract.table;
  const v = w.staging.versionKey;
  const n = athenaNames(state.database);
  const judged = n.q(n.work(t, 'judged', v));
  const merged = n.q(n.work(t, 'merged', v));
  const keys = (w.contract.key.kind === 'columns' ? w.contract.key.columns : w.contract.columns.map((c) => c.name)).map((k) => `"${k}"`);
  const ingestList = w.ingests.map((i) => quoteLiteral(i.id)).join(', ') || "''";
  const figures = await ask({
    step: `silver.${t}: figures`,
    sql: `SELECT
  (SELECT count(*) FROM ${judged}),
  (SELECT count(*) FROM ${judged} WHERE _reason IS NULL),
  (SELECT count(*) FROM (SELECT DISTINCT ${keys.join(', ')} FROM ${judged} WHERE _reason IS NULL)),
  (SELECT count(*) FROM ${merged}),
  (SELECT count(*) FROM ${merged} WHERE _ingest_id IN (${ingestList}))`,
  });
  const [rowsIn, accepted, distinctAccepted, total, fromIncoming] = (figures.rows[0] ?? []).map(Number) as [number, number, number, number, number];
  const quarantined = rowsIn - accepted;
  const duplicates = accepted - distinctAccepted;
  const result: SilverTableResult = {
    table: t,
    status: 'updated',
    ingests: w.ingests.map((i) => i.id),
    rowsIn,
    quarantined,
    duplicates,
    rowsOut: fromIncoming,
    updated: w.previousRows - (total - fromIncoming),
    nulledValues: 0,
    partitionsRewritten: 0,
    totalRows: total,
    versionId: null,
    quarantineByReason: {},
  };
  const checks: CheckRecord[] = [
    {
      name: 'reconcile(rows in = out + quarantined + duplicates)',
      action: 'fail',
      status: rowsIn === fromIncoming + quarantined + duplicates ? 'passed' : 'failed',
      observed: String(fromIncoming + quarantined + duplicates),
      expected: String(rowsIn),
      ...(rowsIn === fromIncoming + quarantined + duplicates ? {} : { message: `silver.${t}: ${rowsIn} rows in, but ${fromIncoming} out + ${quarantined} quarantined + ${duplicates} duplicates` }),
    },
  ];
  await run.checks(checks.map((c) => ({ ...c, name: `silver.${t}: ${c.name}` })));
  if (checks.some((c) => c.status === 'failed')) throw new KeystoneError('bad_request:check_failed', checks.find((c) => c.status === 'failed')!.message!);

  const files = await filesOf(ctx, ask, `silver.${t}: files written`, n.q(`silver_${t}__v${v}`), ctx.bucket('silver'), `${t}/_v/${v}/`);
  if (files.reduce((a, f) => a + f.rowCount, 0) !== total) {
    throw new KeystoneError('bad_request:check_failed', `silver.${t}: the files of version ${v} hold ${files.reduce((a, f) => a + f.rowCount, 0)} rows, the merged table ${total}`);
  }
  const partitions = [...new Map(files.map((f) => [JSON.stringify(f.partition), f.partition!])).values()];
  result.partitionsRewritten = partitions.length;
  const version = await commitVersion(ctx.catalog.db, {
    staging: w.staging,
    newFiles: files,
    keep: { kind: 'none' },
    changedPartitions: partitions,
    facets: { silver: { engine: 'athena', ingests: result.ingests, rowsIn, quarantined, duplicates, rowsOut: fromIncoming, updated: result.updated } },
    alsoInTransaction: async (tx) => {
      if (w.ingests.length > 0) await tx.insert(ingestConsumption).values(w.ingests.map((i) => ({ ingestId: i.id, consumerDatasetId: w.silver.id, runId: run.id })));
    },
  });
  result.versionId = version.id;

  if (quarantined > 0) {
    // Where Athena puts INSERT INTO output of a partition is its business: "$path" says, under quarantine/.
    const qFiles = await filesOf(ctx, ask, `silver.${t}: quarantine files`, n.q(n.silver('quarantine')), ctx.bucket('silver'), `${QUARANTINE_DATASET}/`, ` WHERE _version = ${quoteLiteral(w.quarantine.versionKey)}`);
    const qv = await commitVersion(ctx.catalog.db, { staging: w.quarantine, newFiles: qFiles, keep: { kind: 'all' } });
    await run.lineage([{ direction: 'output', namespace: `keystone://${ctx.bucket('silver')}`, name: `silver.${QUARANTINE_DATASET}`, datasetId: qv.datasetId, versionId: qv.id, rowCount: quarantined, facets: { table: t, step: `silver.${t}` } }]);
  } else {
    await abortVersion(ctx.catalog.db, w.quarantine);
  }
  const bronzeVersions = w.ingests.length ? await ctx.catalog.db.select({ id: ingests.id, versionId: ingests.versionId, rows: ingests.rowCount }).from(ingests).where(inArray(ingests.id, w.ingests.map((i) => i.id))) : [];
  await run.lineage([
    ...bronzeVersions.map((b) => ({ direction: 'input' as const, namespace: `keystone://${w.bronze.bucket}`, name: `bronze.${t}`, datasetId: w.bronze.id, versionId: b.versionId, ingestId: b.id, rowCount: b.rows, facets: { step: `silver.${t}` } })),
    { direction: 'output' as const, namespace: `keystone://${w.silver.bucket}`, name: `silver.${t}`, datasetId: w.silver.id, versionId: version.id, rowCount: total, facets: { step: `silver.${t}`, engine: 'athena' } },
  ]);
  await run.step({ step: `silver.${t}`, engine: 'athena', rowsIn, rowsOut: fromIncoming, quarantined, duplicates, updated: result.updated, partitions: partitions.length, status: 'updated' });
  return result;
}

async function reconcileGold(run: RunRecorder, state: AthenaPlanState, ask: Ask): Promise<CheckRecord[]> {
  const r = await ask({ step: 'gold: reconcile with silver', sql: qualifyModelTables(ATHENA_DIALECT.translate(reconciliationSql()), state) });
  const checks = reconciliationChecks(r.rows[0] ?? []);
  await run.checks(checks);
  const failed = checks.filter((c) => c.status === 'failed');
  if (failed.length > 0) throw new KeystoneError('bad_request:check_failed', `gold does not reconcile with silver: ${failed.map((f) => f.message).join('; ')}`);
  return checks;
}

async function commitGold(ctx: LakeContext, run: RunRecorder, engine: QueryEngine, state: AthenaPlanState, gold: Map<string, { ds: Dataset; staging: StagingVersion }>, ask: Ask, checks: CheckRecord[]): Promise<GoldResult> {
  const n = athenaNames(state.database);
  const result: GoldResult = { status: 'built', models: [], rowsWritten: 0, checks };
  const silverInputs = (await listDatasets(ctx.catalog.db, 'silver')).filter((d) => d.kind === 'table' && d.currentVersionId);
  for (const m of GOLD_MODELS) {
    const { ds, staging } = gold.get(m.name)!;
    const table = n.q(n.goldVersion(m.name, staging.versionKey));
    const described = await engine.query(`SELECT * FROM ${table} LIMIT 0`);
    const schema: SchemaColumn[] = described.columns.map((c) => ({ name: c.name, type: c.engineType.toUpperCase(), nullable: true }));
    const files = await filesOf(ctx, ask, `gold.${m.name}: files written`, table, ctx.bucket('gold'), `${m.name}/_v/${staging.versionKey}/`);
    const committed = await commitVersion(ctx.catalog.db, { staging, newFiles: files, keep: { kind: 'none' }, schema, facets: { model: { kind: m.kind, sql: m.sql.trim() }, engine: 'athena' } });
    result.models.push({ name: m.name, rows: committed.rowCount, versionId: committed.id });
    result.rowsWritten += committed.rowCount;
    const referenced = new Set([...m.sql.matchAll(/silver\.([a-z_]+)/g)].map((x) => x[1]!));
    await run.lineage([
      ...silverInputs
        .filter((s) => referenced.has(s.name))
        .map((s) => ({ direction: 'input' as const, namespace: `keystone://${s.bucket}`, name: `silver.${s.name}`, datasetId: s.id, versionId: s.currentVersionId, facets: { step: `gold.${m.name}` } })),
      { direction: 'output' as const, namespace: `keystone://${ds.bucket}`, name: `gold.${m.name}`, datasetId: ds.id, versionId: committed.id, rowCount: committed.rowCount, facets: { step: `gold.${m.name}`, engine: 'athena' } },
    ]);
  }
  await run.step({ step: 'gold', engine: 'athena', status: 'built', models: result.models.length, rowsOut: result.rowsWritten });
  return result;
}
