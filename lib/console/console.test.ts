/**
 * The console's server helpers over a real lake: partitions and their Parquet footers, compaction and
 * restore as recorded runs, dataset pages (samples, quality, quarantine), run history and incremental
 * logs, background runs, the Overview's failing-first view and the ingestor's status.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../catalog/identifiers';
import { startRun } from '../catalog/runs';
import { beginVersion, commitVersion, currentFiles, ensureDataset, getDataset, listVersions } from '../catalog/versions';
import { loadConfig } from '../config';
import { KeystoneError } from '../errors';
import { stageParquetFiles } from '../lake/write-files';
import { runJob } from '../pipeline/jobs';
import { createTestLake, type TestLake } from '../../test/support/lake';
import { settleBackgroundRuns } from './background';
import { compactPartition } from './compact';
import { findDataset, getDatasetDetail, qualityResults, quarantinedRows, sampleRows } from './datasets';
import { headlineMetrics, readIngestorStatus } from './ingestor-status';
import { parseJob, startJob } from './jobs';
import { getOverview } from './overview';
import { inspectPartition, listPartitions, parsePartitionId, partitionId, partitionTree } from './partitions';
import { restoreDatasetVersion } from './restore';
import { getRunDetail, listRunHistory, readRunLogs } from './runs';

let lake: TestLake;

async function refused(p: Promise<unknown>): Promise<KeystoneError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(KeystoneError);
    return e as KeystoneError;
  }
  throw new Error('expected a refusal');
}

const DAY2 = { year: '2024', month: '01', day: '02' };
const DAY3 = { year: '2024', month: '01', day: '03' };

/** silver.events: three small files in 2024-01-02, one in 2024-01-03. */
async function makeEvents() {
  const { ctx } = lake;
  const ds = await ensureDataset(ctx.catalog.db, {
    layer: 'silver',
    name: 'events',
    bucket: ctx.bucket('silver'),
    prefix: 'events/',
    partitionKeys: ['year', 'month', 'day'],
    schema: [
      { name: 'id', type: 'BIGINT', nullable: false },
      { name: 'label', type: 'VARCHAR', nullable: true },
    ],
  });
  const work = ctx.scratch('events');
  const write = async (rel: string, from: number, n: number) => {
    const file = path.join(work, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await ctx.engine.execute(`COPY (SELECT range + ${from} AS id, CASE WHEN range % 5 = 0 THEN NULL ELSE 'e' || (range + ${from}) END AS label FROM range(${n})) TO ${quoteLiteral(file)} (FORMAT parquet)`);
  };
  for (let i = 0; i < 3; i++) await write(`year=2024/month=01/day=02/part-${i}.parquet`, i * 100, 10);
  await write('year=2024/month=01/day=03/part-0.parquet', 1000, 7);
  const staging = await beginVersion(ctx.catalog.db, { datasetId: ds.id, operation: 'overwrite' });
  const staged = await ctx.storage.stageVersion(ds.bucket, ds.prefix, staging.versionKey);
  const newFiles = await stageParquetFiles(ctx.engine, staged, work);
  await commitVersion(ctx.catalog.db, { staging, newFiles, keep: { kind: 'none' } });
  fs.rmSync(work, { recursive: true, force: true });
  return (await getDataset(ctx.catalog.db, 'silver', 'events'))!;
}

const SELLERS = [
  'seller_id,seller_zip_code_prefix,seller_city,seller_state',
  ...Array.from({ length: 6 }, (_, i) => `s${String(i).padStart(31, '0')},0${1000 + i},sao paulo,SP`),
  ',01010,sao paulo,SP',
].join('\n');

beforeAll(async () => {
  lake = await createTestLake();
}, 120_000);
afterAll(async () => {
  await settleBackgroundRuns();
  await lake?.close();
});

describe('partitions', { timeout: 60_000 }, () => {
  it('lists partitions with rows, bytes, files and the run that wrote them, as a year / month / day tree', async () => {
    const ds = await makeEvents();
    const parts = await listPartitions(lake.ctx.catalog.db, ds);
    expect(parts.map((p) => [p.id, p.rows, p.files, p.smallFiles])).toEqual([
      ['year=2024/month=01/day=02', 30, 3, true],
      ['year=2024/month=01/day=03', 7, 1, false],
    ]);
    const tree = partitionTree(ds.partitionKeys, parts);
    expect(tree).toHaveLength(1);
    expect(tree[0]).toMatchObject({ key: 'year', value: '2024', rows: 37, files: 4, partitions: 2, smallFiles: 1 });
    expect(tree[0]!.children[0]!.children.map((d) => d.value)).toEqual(['02', '03']);
  });

  it('parses partition ids from URLs strictly', () => {
    expect(parsePartitionId(['year', 'month', 'day'], 'year=2024/month=01/day=02')).toEqual(DAY2);
    expect(partitionId(['year', 'month', 'day'], DAY2)).toBe('year=2024/month=01/day=02');
    for (const bad of ['year=2024/month=01', 'month=01/year=2024/day=02', 'year=2024/month=01/day=', '../x', 'year=2024/month=01/day=%E0%A4%A']) {
      expect(() => parsePartitionId(['year', 'month', 'day'], bad)).toThrow(/no partition/);
    }
    expect(parsePartitionId([], '')).toEqual({});
  });

  it('reads row groups, compression and per-column min / max / nulls from the Parquet footers', async () => {
    const ds = await findDataset(lake.ctx.catalog.db, 'silver', 'events');
    const detail = await inspectPartition(lake.ctx, ds, DAY2);
    expect(detail.summary.rows).toBe(30);
    expect(detail.files).toHaveLength(3);
    const first = detail.files[0]!;
    expect(first.source).toBe('footer');
    expect(first.rowGroups).toEqual([{ id: 0, rows: 10, bytes: expect.any(Number) }]);
    const id = first.columns.find((c) => c.name === 'id')!;
    expect([id.min, id.max, id.nulls]).toEqual(['0', '9', 0]);
    const label = first.columns.find((c) => c.name === 'label')!;
    expect(label.nulls).toBe(2);
    expect(label.compression).toBeTruthy();
    await expect(inspectPartition(lake.ctx, ds, { year: '1999', month: '01', day: '01' })).rejects.toThrow(/no partition/);
  });
});

describe('compaction and restore', { timeout: 60_000 }, () => {
  it('rewrites a partition as one file in a new version, keeps every row, and can be undone by a restore', async () => {
    const ds = await findDataset(lake.ctx.catalog.db, 'silver', 'events');
    const before = await sampleRows(lake.ctx, ds, 100);
    const r = await compactPartition(lake.ctx, ds, DAY2);
    expect(r).toMatchObject({ filesBefore: 3, filesAfter: 1, rows: 30, version: 2, partition: 'year=2024/month=01/day=02' });
    const after = await findDataset(lake.ctx.catalog.db, 'silver', 'events');
    const files = await currentFiles(lake.ctx.catalog.db, after.id);
    expect(files.map((f) => [f.partition.day, f.rowCount]).sort()).toEqual([
      ['02', 30],
      ['03', 7],
    ]);
    expect(files).toHaveLength(2);
    const rows = await sampleRows(lake.ctx, after, 100);
    const ids = (s: typeof rows) => s.rows.map((x) => Number(x[0])).sort((a, b) => a - b);
    expect(ids(rows)).toEqual(ids(before));
    const versions = await listVersions(lake.ctx.catalog.db, ds.id);
    expect(versions[0]).toMatchObject({ version: 2, operation: 'compact', rowCount: 37, fileCount: 2 });
    const run = await getRunDetail(lake.ctx.catalog.db, r.runId);
    expect(run).toMatchObject({ job: 'compact', status: 'succeeded', rowsIn: 30, rowsOut: 30 });
    expect(run.checkList.map((c) => [c.name, c.status])).toEqual([['compact(rows preserved)', 'passed']]);

    // A single file is left alone, bronze is never compacted, and a running silver job blocks it.
    expect((await refused(compactPartition(lake.ctx, after, DAY2))).code).toBe('bad_request:nothing_to_compact');
    const bronze = await ensureDataset(lake.ctx.catalog.db, { layer: 'bronze', name: 'raw_things', bucket: lake.ctx.bucket('bronze'), prefix: 'raw_things/' });
    expect((await refused(compactPartition(lake.ctx, bronze, {}))).code).toBe('bad_request:compact_bronze');

    const restored = await restoreDatasetVersion(lake.ctx, after, 1);
    expect(restored).toMatchObject({ restoredFrom: 1, newVersion: 3, rows: 37 });
    expect(await currentFiles(lake.ctx.catalog.db, ds.id)).toHaveLength(4);
    const detail = await getDatasetDetail(lake.ctx.catalog.db, 'silver', 'events');
    expect(detail.versions.map((v) => [v.version, v.operation, v.current, v.restoredFrom])).toEqual([
      [3, 'restore', true, 1],
      [2, 'compact', false, null],
      [1, 'overwrite', false, null],
    ]);
    expect(detail).toMatchObject({ rows: 37, files: 4, partitions: 2, currentVersion: 3 });

    const holder = await startRun(lake.ctx.catalog, { job: 'silver', locks: ['silver'] });
    try {
      const current = await findDataset(lake.ctx.catalog.db, 'silver', 'events');
      const e = await refused(compactPartition(lake.ctx, current, DAY2));
      expect(e.code).toBe('conflict:job_running');
      expect(e.message).toContain(holder.id);
      expect((await refused(restoreDatasetVersion(lake.ctx, current, 2))).code).toBe('conflict:job_running');
    } finally {
      await holder.finish('succeeded');
    }
    await expect(restoreDatasetVersion(lake.ctx, await findDataset(lake.ctx.catalog.db, 'silver', 'events'), 99)).rejects.toThrow(/no committed version 99/);
  });
});

describe('a dataset page', { timeout: 180_000 }, () => {
  it('shows schema, samples, quality results and the quarantined rows with their reasons', async () => {
    const dir = lake.ctx.scratch('sellers');
    const file = path.join(dir, 'olist_sellers_dataset.csv');
    fs.writeFileSync(file, SELLERS);
    expect((await runJob(lake.ctx, 'bronze', { files: [{ path: file }] })).status).toBe('succeeded');
    expect((await runJob(lake.ctx, 'silver')).status).toBe('succeeded');

    const detail = await getDatasetDetail(lake.ctx.catalog.db, 'silver', 'sellers');
    expect(detail.rows).toBe(6);
    expect(detail.schema.find((c) => c.name === 'seller_id')).toMatchObject({ nullable: false });
    const ds = await findDataset(lake.ctx.catalog.db, 'silver', 'sellers');
    const sample = await sampleRows(lake.ctx, ds, 3);
    expect(sample.rows).toHaveLength(3);
    expect(sample.columns.map((c) => c.name)).toContain('seller_zip_code_prefix');
    const quality = await qualityResults(lake.ctx.catalog.db, ds.id);
    expect(quality[0]?.checks.map((c) => [c.name, c.status])).toContainEqual(['quarantine(missing_required)', 'warned']);
    const q = await quarantinedRows(lake.ctx, 'sellers');
    expect(q.total).toBe(1);
    expect(q.byReason).toEqual([{ reason: 'missing_required', rows: 1 }]);
    expect(q.rows[0]).toMatchObject({ column: 'seller_id', reason: 'missing_required', sourceFile: 'olist_sellers_dataset.csv', sourceRow: 7 });
    expect((await quarantinedRows(lake.ctx, 'orders')).total).toBe(0);
    await expect(findDataset(lake.ctx.catalog.db, 'silver', 'Robert"; --')).rejects.toThrow(/no dataset/);
    await expect(findDataset(lake.ctx.catalog.db, 'platinum', 'x')).rejects.toThrow(/no dataset/);
  });
});

describe('runs', { timeout: 120_000 }, () => {
  it('pages through 50,000 log lines with the sequence cursor, in order, none twice', async () => {
    const run = await startRun(lake.ctx.catalog, { job: 'noisy', locks: ['noisy'] });
    for (let i = 1; i <= 50_000; i++) run.info(`line ${i}`);
    await run.finish('succeeded');
    let after = 0;
    const seen: number[] = [];
    for (;;) {
      const page = await readRunLogs(lake.ctx.catalog.db, run.id, after, 5000);
      if (page.length === 0) break;
      seen.push(...page.map((l) => l.seq));
      after = page[page.length - 1]!.seq;
    }
    expect(seen).toHaveLength(50_000);
    expect(seen.every((s, i) => s === i + 1)).toBe(true);
    expect((await readRunLogs(lake.ctx.catalog.db, run.id, 49_998, 5000)).map((l) => l.message)).toEqual(['line 49999', 'line 50000']);
    expect((await getRunDetail(lake.ctx.catalog.db, run.id)).lastSeq).toBe(50_000);
    await expect(readRunLogs(lake.ctx.catalog.db, 'not-a-run')).rejects.toThrow(/no such run/);
  });

  it('starts jobs in the background, refuses a second run of a running job, and records both in the history', async () => {
    expect(() => parseJob('drop')).toThrow(/Unknown job/);
    const holder = await startRun(lake.ctx.catalog, { job: 'gold', locks: ['gold'] });
    const e = await refused(startJob(lake.ctx, 'gold', { userId: null }));
    expect(e.code).toBe('conflict:job_running');
    expect(e.message).toContain(holder.id);
    await holder.finish('succeeded');

    const { runId } = await startJob(lake.ctx, 'gold', { userId: null });
    // The call returned as soon as the run existed; the run goes on and is recorded.
    expect((await getRunDetail(lake.ctx.catalog.db, runId)).status).toMatch(/running|succeeded/);
    await settleBackgroundRuns();
    const done = await getRunDetail(lake.ctx.catalog.db, runId);
    expect(done.status).toBe('succeeded');
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    const history = await listRunHistory(lake.ctx.catalog.db, { limit: 100 });
    expect(history.map((r) => r.id)).toContain(runId);
    const silver = history.find((r) => r.job === 'silver' && r.status === 'succeeded')!;
    expect(silver.checks.passed).toBeGreaterThan(0);
    expect(silver.checks.warned).toBeGreaterThan(0);
  });

  it('the Overview shows a job whose latest run failed first, with its failing check, until it succeeds again', async () => {
    const bad = await startRun(lake.ctx.catalog, { job: 'audit', locks: ['audit'] });
    await bad.checks([{ name: 'rows > 0', action: 'fail', status: 'failed', message: 'no rows at all' }]);
    await bad.finish('failed', { error: 'the audit failed' });
    let o = await getOverview(lake.ctx.catalog.db);
    expect(o.failing.map((r) => [r.job, r.failingCheck?.name])).toEqual([['audit', 'rows > 0']]);
    expect(o.layers.map((l) => l.layer)).toEqual(['bronze', 'silver', 'gold']);
    expect(o.datasets.some((d) => d.layer === 'silver' && d.name === 'sellers' && d.rows === 6)).toBe(true);
    const good = await startRun(lake.ctx.catalog, { job: 'audit', locks: ['audit'] });
    await good.finish('succeeded');
    o = await getOverview(lake.ctx.catalog.db);
    expect(o.failing).toEqual([]);
  });
});

describe('the ingestor status', () => {
  it('is "not running" when nothing answers, and shows the figures when its metrics endpoint does', async () => {
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ uptimeSeconds: 9, eventsPerSecond: 1234.5, bytesPerSecond: 2048, eventsAccepted: 99, eventsRejected: 1, rejectsByCode: { bad_time: 1 }, batches: 7, flushes: 2, wal: { lagBytes: 10 }, latencyMs: { ackP99: 3.5 } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const up = await readIngestorStatus(loadConfig({ KEYSTONE_INGEST_PORT: String(port - 1) }));
      expect(up.running).toBe(true);
      if (up.running) {
        expect(up.metrics['wal.lagBytes']).toBe(10);
        expect(headlineMetrics(up.metrics).map((m) => `${m.label}=${m.value}`)).toEqual(['Events/s=1234.5', 'Bytes/s=2048', 'Events accepted=99', 'Rejected=1', 'Batches=7', 'Flushes=2', 'Log lag=10', 'Ack p99=3.5']);
      }
    } finally {
      server.close();
    }
    const down = await readIngestorStatus(loadConfig({ KEYSTONE_INGEST_PORT: String(port - 1) }));
    expect(down).toMatchObject({ running: false, reason: expect.stringMatching(/not running/) });
  });
});
