import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { KeystoneError } from '../errors';
import { createLogger } from '../logger';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';
import { openCatalog, type Catalog } from './database';
import { abortVersion, beginVersion, commitVersion, currentFiles, ensureDataset, listVersions, restoreVersion } from './versions';
import { failAbandonedRuns, getRun, runLogsAfter, startRun } from './runs';

let tdb: TestDatabase;
let catalog: Catalog;

beforeAll(async () => {
  tdb = await createTestDatabase();
  catalog = await openCatalog(loadConfig({ DATABASE_URL: tdb.url }), { log: createLogger({}, () => undefined) });
});
afterAll(async () => {
  await catalog.close();
  await tdb.drop();
});

const file = (key: string, rows: number, partition: Record<string, string> = {}) => ({ key, bytes: rows * 10, rowCount: rows, partition });

describe('dataset versions', () => {
  it('stay invisible until committed, then switch atomically', async () => {
    const ds = await ensureDataset(catalog.db, { layer: 'silver', name: 'orders_v', bucket: 'b', prefix: 'orders_v/', partitionKeys: ['year', 'month', 'day'] });
    expect((await ensureDataset(catalog.db, { layer: 'silver', name: 'orders_v', bucket: 'b', prefix: 'orders_v/' })).id).toBe(ds.id);

    const v1 = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'overwrite' });
    expect(v1.version).toBe(1);
    expect(v1.versionKey).toBe('000001');
    expect(await currentFiles(catalog.db, ds.id)).toEqual([]);
    await commitVersion(catalog.db, {
      staging: v1,
      newFiles: [file('orders_v/_v/000001/year=2017/month=11/day=24/a.parquet', 100, { year: '2017', month: '11', day: '24' }), file('orders_v/_v/000001/year=2017/month=11/day=25/a.parquet', 50, { year: '2017', month: '11', day: '25' })],
      keep: { kind: 'none' },
    });
    expect((await currentFiles(catalog.db, ds.id)).map((f) => f.rowCount)).toEqual([100, 50]);

    // Rewriting one partition keeps the other partition's file from the parent.
    const v2 = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'overwrite_partitions' });
    await commitVersion(catalog.db, {
      staging: v2,
      newFiles: [file('orders_v/_v/000002/year=2017/month=11/day=24/a.parquet', 120, { year: '2017', month: '11', day: '24' })],
      keep: { kind: 'except_partitions', partitions: [{ year: '2017', month: '11', day: '24' }] },
    });
    const now = await currentFiles(catalog.db, ds.id);
    expect(now.map((f) => [f.key, f.rowCount])).toEqual([
      ['orders_v/_v/000001/year=2017/month=11/day=25/a.parquet', 50],
      ['orders_v/_v/000002/year=2017/month=11/day=24/a.parquet', 120],
    ]);
    const versions = await listVersions(catalog.db, ds.id);
    expect(versions.map((v) => [v.version, v.status, v.rowCount, v.fileCount])).toEqual([
      [2, 'committed', 170, 2],
      [1, 'committed', 150, 2],
    ]);

    // Restore is a new version with the old file set; history stays.
    const restored = await restoreVersion(catalog.db, ds.id, 1);
    expect(restored.version).toBe(3);
    expect(restored.rowCount).toBe(150);
    expect((await currentFiles(catalog.db, ds.id)).map((f) => f.rowCount).sort()).toEqual([100, 50].sort());
  });

  it('refuse a commit when another writer committed meanwhile, and an aborted version never shows', async () => {
    const ds = await ensureDataset(catalog.db, { layer: 'gold', name: 'race', bucket: 'b', prefix: 'race/' });
    const a = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'overwrite' });
    const b = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'overwrite' });
    await commitVersion(catalog.db, { staging: b, newFiles: [file('race/_v/000002/x.parquet', 7)], keep: { kind: 'none' } });
    const err = await commitVersion(catalog.db, { staging: a, newFiles: [file('race/_v/000001/x.parquet', 9)], keep: { kind: 'none' } }).catch((e: unknown) => e);
    expect((err as KeystoneError).code).toBe('conflict:version');
    await abortVersion(catalog.db, a);
    expect((await currentFiles(catalog.db, ds.id)).map((f) => f.rowCount)).toEqual([7]);
  });

  it('refuse hostile dataset names', async () => {
    for (const name of ['../etc', 'Orders', 'a"b', "x'; drop table datasets; --", '', '1abc']) {
      await expect(ensureDataset(catalog.db, { layer: 'bronze', name, bucket: 'b', prefix: 'x/' })).rejects.toThrow(/not a valid dataset name/);
    }
  });
});

describe('job runs', () => {
  it('record logs in order, and a second run of the same job is refused naming the first', async () => {
    const run = await startRun(catalog, { job: 'silver', params: { full: true } });
    for (let i = 1; i <= 1234; i++) run.info(`line ${i}`);
    const err = await startRun(catalog, { job: 'silver' }).catch((e: unknown) => e);
    expect((err as KeystoneError).code).toBe('conflict:job_running');
    expect((err as KeystoneError).message).toContain(run.id);
    // A different job is not blocked.
    const gold = await startRun(catalog, { job: 'gold' });
    await gold.finish('succeeded');
    await run.step({ step: 'silver.orders', rowsIn: 10, rowsOut: 9, quarantined: 1 });
    await run.finish('succeeded', { rowsIn: 10, rowsOut: 9 });
    const logs = await runLogsAfter(catalog.db, run.id, 0, 5000);
    expect(logs).toHaveLength(1234);
    expect(logs[1233]!.message).toBe('line 1234');
    const saved = await getRun(catalog.db, run.id);
    expect(saved?.status).toBe('succeeded');
    expect(saved?.steps).toEqual([{ step: 'silver.orders', rowsIn: 10, rowsOut: 9, quarantined: 1 }]);
    // Once finished, the job can run again.
    const again = await startRun(catalog, { job: 'silver' });
    await again.finish('failed', { error: 'boom' });
  });

  it('marks runs whose process died as failed', async () => {
    const run = await startRun(catalog, { job: 'bronze' });
    // Simulate the process dying: its lock session ends without finishing the run.
    (run as unknown as { lockClient: { release(b: boolean): void } }).lockClient.release(true);
    // The server notices the closed session (and drops its locks) shortly after, not at once.
    let marked = 0;
    for (let i = 0; i < 50 && marked === 0; i++) {
      marked = await failAbandonedRuns(catalog);
      if (marked === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(marked).toBe(1);
    expect((await getRun(catalog.db, run.id))?.status).toBe('failed');
  });
});
