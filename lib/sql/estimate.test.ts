/**
 * The scan estimate from the catalog: current-version files only, partition pruning from the WHERE
 * clause, Athena's Glue names, and the bill (rounded up to the MB, 10 MB minimum, $5 per TB).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';
import { openCatalog, type Catalog } from '../catalog/database';
import { readScanStats } from '../catalog/scan-stats';
import { beginVersion, commitVersion, ensureDataset } from '../catalog/versions';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { billFor, describeScan, estimateScan } from './estimate';

let tdb: TestDatabase;
let catalog: Catalog;
const MB = 2 ** 20;
const day = (d: string) => ({ year: '2017', month: '11', day: d });

beforeAll(async () => {
  tdb = await createTestDatabase();
  catalog = await openCatalog(loadConfig({ DATABASE_URL: tdb.url }), { log: createLogger({}, () => undefined) });
  const ds = await ensureDataset(catalog.db, { layer: 'silver', name: 'orders', bucket: 'silver', prefix: 'orders/', partitionKeys: ['year', 'month', 'day'] });
  const v1 = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'overwrite' });
  // Three days of 40 MB each; the 24th has per-column sizes (order_id 10 MB, price 30 MB).
  await commitVersion(catalog.db, {
    staging: v1,
    newFiles: [
      { key: 'orders/_v/000001/year=2017/month=11/day=24/a.parquet', bytes: 40 * MB, rowCount: 1000, partition: day('24'), columnStats: { order_id: { bytes: 10 * MB }, price: { bytes: 30 * MB } } },
      { key: 'orders/_v/000001/year=2017/month=11/day=25/a.parquet', bytes: 40 * MB, rowCount: 1000, partition: day('25') },
      { key: 'orders/_v/000001/year=2017/month=11/day=26/a.parquet', bytes: 40 * MB, rowCount: 1000, partition: day('26') },
    ],
    keep: { kind: 'none' },
  });
  // A newer version drops the 26th: the estimate must follow the current version, not every file.
  const v2 = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'overwrite_partitions' });
  await commitVersion(catalog.db, { staging: v2, newFiles: [], keep: { kind: 'except_partitions', partitions: [day('26')] } });
});
afterAll(async () => {
  await catalog.close();
  await tdb.drop();
});

describe('the scan estimate from the catalog', () => {
  it('reads the current version of each table, under its Athena name too', async () => {
    const stats = await readScanStats(catalog, 'keystone');
    expect(Object.keys(stats).sort()).toEqual(['keystone.silver_orders', 'silver.orders']);
    expect(stats['silver.orders']!.map((f) => f.bytes)).toEqual([40 * MB, 40 * MB]);
  });

  it('prunes partitions the WHERE clause excludes and prices the bill', async () => {
    const whole = await estimateScan(catalog, undefined, 'SELECT * FROM silver.orders');
    expect(whole.bytes).toBe(80 * MB);
    expect(whole.billedBytes).toBe(80 * MB);
    expect(whole.dollars).toBe(0.000382); // 80 MiB at $5 per TiB = $0.00038147, rounded up to the millionth

    const oneDay = await estimateScan(catalog, undefined, "SELECT count(*) FROM silver.orders WHERE year = '2017' AND month = '11' AND day = '25'");
    expect(oneDay.bytes).toBe(40 * MB);
    expect(oneDay.notes.join('\n')).toMatch(/1 of 2 files/);
  });

  it('resolves the Glue table name when the engine is Athena', async () => {
    const athena = { engine: { kind: 'athena', database: 'keystone' } } as Parameters<typeof estimateScan>[1];
    const e = await estimateScan(catalog, athena, `SELECT * FROM "keystone"."silver_orders" WHERE day = '24'`);
    expect(e.bytes).toBe(40 * MB);
    expect(e.unknownTables).toEqual([]);
  });

  it('says which tables it has no statistics for, and bills at least 10 MB', async () => {
    const e = await estimateScan(catalog, undefined, 'SELECT * FROM gold.nowhere');
    expect(e.bytes).toBe(0);
    expect(e.billedBytes).toBe(10 * MB);
    expect(e.unknownTables).toEqual(['gold.nowhere']);
  });

  it('reads the statistics again once a version commits (they are cached until then)', async () => {
    expect((await readScanStats(catalog))['silver.orders']!.length).toBe(2);
    const ds = (await catalog.pool.query<{ id: string }>(`select id from datasets where layer = 'silver' and name = 'orders'`)).rows[0]!;
    const v = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'append' });
    await commitVersion(catalog.db, { staging: v, newFiles: [{ key: 'orders/_v/000003/year=2017/month=11/day=27/a.parquet', bytes: 5 * MB, rowCount: 10, partition: day('27') }], keep: { kind: 'all' } });
    expect((await readScanStats(catalog))['silver.orders']!.map((f) => f.bytes).sort((a, b) => b - a)).toEqual([40 * MB, 40 * MB, 5 * MB]);
  });

  it('prices a real scan the same way', () => {
    expect(billFor(1)).toEqual({ bytesScanned: 1, billedBytes: 10 * MB, dollars: 0.000048 });
    expect(billFor(11 * MB + 1).billedBytes).toBe(12 * MB);
    expect(describeScan(12 * MB, 12 * MB, 0.000057)).toBe('12 MiB (billed 12 MiB, $0.000057)');
  });
});
