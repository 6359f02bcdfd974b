/**
 * The silver job: every bronze dataset with new ingests flows to its silver table. Olist tables use
 * their contracts; any other source gets an inferred model, fixed at its first run and kept in the
 * silver dataset's facets. Tables whose partition date is looked up in another table run after it.
 */
import { and, eq } from 'drizzle-orm';
import { datasets } from '../../../db/schema';
import type { RunRecorder, CheckRecord } from '../../catalog/runs';
import { getDataset, listDatasets, type Dataset } from '../../catalog/versions';
import { KeystoneError } from '../../errors';
import type { LakeContext } from '../../lake/context';
import { contractFor } from '../../olist/contracts';
import type { TableName } from '../../olist/contract-types';
import { forEachLimited } from '../../concurrency';
import { withPipelineThreads } from '../../engine/duckdb/threads';
import { inferGenericModel } from './generic-model';
import { bronzePaths, pendingIngests, runSilverTable, type SilverModel, type SilverTableResult } from './silver-table';

/** A run fails when more than this share of a table's incoming rows is quarantined: the file is likely wrong. */
export const MAX_QUARANTINE_SHARE = 0.5;

async function modelFor(ctx: LakeContext, bronze: Dataset): Promise<SilverModel> {
  if (bronze.sourceTable) {
    return { name: bronze.name, contract: contractFor(bronze.sourceTable as TableName), generic: false };
  }
  const silver = await getDataset(ctx.catalog.db, 'silver', bronze.name);
  const stored = (silver?.facets as { model?: SilverModel } | undefined)?.model;
  if (stored) return stored;
  const probe = silver ?? ({ ...bronze, id: '00000000-0000-0000-0000-000000000000' } as Dataset);
  const pending = await pendingIngests(ctx, bronze, probe);
  const model = await inferGenericModel(ctx.engine, bronze, await bronzePaths(ctx, bronze, pending.map((p) => p.id)));
  return model;
}

/**
 * The order tables start in, two at a time, so that both cores stay busy to the end: tables another
 * one looks its partition date up in first, then the costliest first (a dated table writes one file
 * per day: its rows cost about ten times a snapshot's), and each lookup table two places after its
 * source, by when that source is usually done (waiting for it would idle a worker).
 */
async function order(ctx: LakeContext, planned: { bronze: Dataset; model: SilverModel }[]): Promise<number[]> {
  const pending = await ctx.catalog.pool.query<{ dataset_id: string; rows: string }>(
    `select i.dataset_id, sum(coalesce(i.row_count, 0))::text as rows from ingests i
      where not exists (select 1 from ingest_consumption c join datasets s on s.id = c.consumer_dataset_id
                         where c.ingest_id = i.id and s.layer = 'silver')
      group by 1`,
  );
  const rows = new Map(pending.rows.map((r) => [r.dataset_id, Number(r.rows)]));
  const cost = (i: number) => {
    const { bronze, model } = planned[i]!;
    return (rows.get(bronze.id) ?? 0) * (model.contract.partition.kind === 'ingest_date' ? 1 : 10);
  };
  const lookedUp = new Set(planned.map((p) => lookupSource(p.model)).filter((t) => t !== undefined));
  const indexes = planned.map((_, i) => i);
  const list = indexes
    .filter((i) => lookupSource(planned[i]!.model) === undefined)
    .sort((a, b) => Number(lookedUp.has(planned[b]!.model.name)) - Number(lookedUp.has(planned[a]!.model.name)) || cost(b) - cost(a) || planned[a]!.model.name.localeCompare(planned[b]!.model.name));
  for (const i of indexes.filter((i) => lookupSource(planned[i]!.model) !== undefined)) {
    const at = list.findIndex((j) => planned[j]!.model.name === lookupSource(planned[i]!.model));
    list.splice(at < 0 ? list.length : Math.min(list.length, at + 3), 0, i);
  }
  return list;
}

/** The silver table whose rows give this table its partition date, if any. */
function lookupSource(model: SilverModel): string | undefined {
  const rule = model.contract.partition;
  return rule.kind === 'lookup' ? rule.table : undefined;
}

function checksFor(r: SilverTableResult, silver: Dataset): CheckRecord[] {
  const checks: CheckRecord[] = [];
  const balanced = r.rowsIn === r.rowsOut + r.quarantined + r.duplicates;
  checks.push({
    datasetId: silver.id,
    name: 'reconcile(rows_in = rows_out + quarantined + duplicates)',
    action: 'fail',
    status: balanced ? 'passed' : 'failed',
    observed: { rowsIn: r.rowsIn, rowsOut: r.rowsOut, quarantined: r.quarantined, duplicates: r.duplicates },
    message: balanced ? undefined : `silver.${r.table}: ${r.rowsIn} in but ${r.rowsOut} out + ${r.quarantined} quarantined + ${r.duplicates} duplicates`,
  });
  for (const [reason, n] of Object.entries(r.quarantineByReason)) {
    checks.push({ datasetId: silver.id, name: `quarantine(${reason})`, action: 'quarantine', status: 'warned', observed: n, message: `${n} row(s) of silver.${r.table} quarantined: ${reason}` });
  }
  if (r.nulledValues > 0) {
    checks.push({ datasetId: silver.id, name: 'optional values nulled', action: 'warn', status: 'warned', observed: r.nulledValues, message: `${r.nulledValues} optional value(s) in silver.${r.table} did not cast or were out of range and became NULL` });
  }
  const share = r.rowsIn === 0 ? 0 : r.quarantined / r.rowsIn;
  const tooMany = share > MAX_QUARANTINE_SHARE;
  checks.push({
    datasetId: silver.id,
    name: `quarantine share ≤ ${MAX_QUARANTINE_SHARE * 100}%`,
    action: 'fail',
    status: tooMany ? 'failed' : 'passed',
    observed: Math.round(share * 10000) / 100,
    expected: MAX_QUARANTINE_SHARE * 100,
    message: tooMany ? `${(share * 100).toFixed(1)}% of the rows for silver.${r.table} were quarantined (limit ${MAX_QUARANTINE_SHARE * 100}%): the source is probably not what it claims to be` : undefined,
  });
  return checks;
}

export async function runSilver(ctx: LakeContext, run: RunRecorder, only?: string[]): Promise<SilverTableResult[]> {
  return withPipelineThreads(ctx.engine, () => silverTables(ctx, run, only));
}

async function silverTables(ctx: LakeContext, run: RunRecorder, only?: string[]): Promise<SilverTableResult[]> {
  const bronzes = (await listDatasets(ctx.catalog.db, 'bronze')).filter((d) => d.kind === 'table' && (!only || only.includes(d.name)));
  const planned: { bronze: Dataset; model: SilverModel }[] = [];
  for (const bronze of bronzes) planned.push({ bronze, model: await modelFor(ctx, bronze) });
  const results: SilverTableResult[] = [];
  let i = 0;
  // Settles when a table is done: true when it succeeded.
  const finished = new Map<string, { promise: Promise<boolean>; settle: (ok: boolean) => void }>();
  for (const p of planned) {
    let settle!: (ok: boolean) => void;
    const promise = new Promise<boolean>((resolve) => (settle = resolve));
    finished.set(p.model.name, { promise, settle });
  }
  const one = async (p: { bronze: Dataset; model: SilverModel }) => {
    try {
      await oneTable(p);
      finished.get(p.model.name)!.settle(true);
    } catch (e) {
      finished.get(p.model.name)!.settle(false);
      throw e;
    }
  };
  const oneTable = async ({ bronze, model }: { bronze: Dataset; model: SilverModel }) => {
    const source = lookupSource(model);
    if (source !== undefined && finished.has(source) && !(await finished.get(source)!.promise)) {
      throw new KeystoneError('bad_request:check_failed', `silver.${model.name} was not run: silver.${source}, where its partition dates come from, failed`);
    }
    await run.progress({ done: i++, total: planned.length, step: `silver.${model.name}` });
    const t0 = Date.now();
    const r = await runSilverTable(ctx, run, model, bronze, async (figures, silver) => {
      const checks = checksFor(figures, silver);
      const failed = checks.find((c) => c.status === 'failed');
      if (failed) {
        await run.checks(checks);
        throw new KeystoneError('bad_request:check_failed', `check failed: ${failed.name} — ${failed.message}`, { details: { check: failed } });
      }
    });
    if (model.generic && r.status === 'updated') {
      await ctx.catalog.db
        .update(datasets)
        .set({ facets: { model } })
        .where(and(eq(datasets.layer, 'silver'), eq(datasets.name, model.name)));
    }
    results.push(r);
    await run.step({ step: `silver.${r.table}`, rowsIn: r.rowsIn, rowsOut: r.rowsOut, quarantined: r.quarantined, duplicates: r.duplicates, updated: r.updated, partitions: r.partitionsRewritten, ms: Date.now() - t0, status: r.status });
    if (r.status === 'updated') {
      const silver = await getDataset(ctx.catalog.db, 'silver', r.table);
      await run.checks(checksFor(r, silver!));
    }
  };
  // Two tables at a time; a table whose partition date is looked up in another one waits for it.
  const ordered = (await order(ctx, planned)).map((idx) => planned[idx]!);
  await forEachLimited(ordered, 2, one);
  await run.progress({ done: planned.length, total: planned.length, step: 'silver done' });
  return results;
}
