/**
 * The whole medallion pipeline on the generator's output, checked exactly against its manifest:
 * bronze keeps every row with its lineage, silver's counts by table and quarantine reason, the
 * duplicates removed, and gold's totals to the cent. The suite runs on local storage here and on S3
 * (s3rver over HTTP) in pipeline-s3.test.ts; pipeline.test.ts runs it on local storage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOlist, type Manifest } from '../olist/generator';
import type { TableName } from '../olist/contract-types';
import { createTestLake, type TestLake } from '../../test/support/lake';
import { runJob, type JobResult } from './jobs';
import { getRun, checksOfRun } from '../catalog/runs';
import { filesOfVersion, getDataset, listVersions } from '../catalog/versions';
import { contractFor, TABLE_NAMES } from '../olist/contracts';
import { cachedDigest, digestColumns } from './silver/key-digest';

const num = (v: unknown) => Number(v);

export function pipelineSuite(storage: string, lakeEnv: () => Promise<{ env: Record<string, string>; stop?: () => Promise<void> }>) {
let lake: TestLake;
let manifest: Manifest;
let first: JobResult;
let stop: (() => Promise<void>) | undefined;
const sourceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-olist-'));

beforeAll(async () => {
  manifest = await generateOlist({ scale: 0.01, seed: 7, outDir: sourceDir });
  const { env, stop: stopStorage } = await lakeEnv();
  stop = stopStorage;
  lake = await createTestLake(env);
  expect(lake.ctx.storage.kind).toBe(storage);
  const files = TABLE_NAMES.map((t) => ({ path: path.join(sourceDir, manifest.tables[t].file), displayName: manifest.tables[t].file }));
  first = await runJob(lake.ctx, 'all', { files });
}, 300_000);

afterAll(async () => {
  await lake?.close();
  await stop?.();
  fs.rmSync(sourceDir, { recursive: true, force: true });
});

describe(`a full run over the generated Olist files (${storage} storage)`, { timeout: 300_000 }, () => {
  it('succeeds, recording steps, checks and no error', async () => {
    expect(first.error).toBeUndefined();
    expect(first.status).toBe('succeeded');
    const run = await getRun(lake.ctx.catalog.db, first.runId);
    expect(run?.status).toBe('succeeded');
    const checks = await checksOfRun(lake.ctx.catalog.db, first.runId);
    expect(checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(checks.filter((c) => c.name.startsWith('reconcile(')).length).toBeGreaterThanOrEqual(9 + 7);
  });

  it('keeps every source row in bronze, as text, with its lineage', async () => {
    for (const t of TABLE_NAMES) {
      const [[rows, distinctRows, maxRow, files]] = (await lake.sql(
        `SELECT count(*), count(DISTINCT _source_row), max(_source_row), count(DISTINCT _source_file) FROM bronze.${t}`,
      )) as unknown[][] as [[unknown, unknown, unknown, unknown]];
      expect({ t, rows: num(rows), distinct: num(distinctRows), max: num(maxRow), files: num(files) }).toEqual({ t, rows: manifest.tables[t].rows, distinct: manifest.tables[t].rows, max: manifest.tables[t].rows, files: 1 });
    }
    // Zip prefixes keep their leading zeros in bronze.
    const [[zeros]] = (await lake.sql(`SELECT count(*) FROM bronze.customers WHERE customer_zip_code_prefix LIKE '0%'`)) as [[unknown]];
    expect(num(zeros)).toBeGreaterThan(0);
  });

  it('produces exactly the silver rows, quarantine and duplicates the manifest expects', async () => {
    for (const t of TABLE_NAMES) {
      const expected = manifest.tables[t].expected;
      const r = first.silver.find((s) => s.table === t)!;
      expect({ t, out: r.rowsOut, quarantined: r.quarantined, dups: r.duplicates, in: r.rowsIn }).toEqual({
        t,
        out: expected.silverRows,
        quarantined: expected.quarantined.total,
        dups: expected.duplicatesRemoved,
        in: manifest.tables[t].rows,
      });
      const [[silverRows]] = (await lake.sql(`SELECT count(*) FROM silver.${t}`)) as [[unknown]];
      expect(num(silverRows)).toBe(expected.silverRows);
      const byReason = Object.fromEntries(
        ((await lake.sql(`SELECT reason, count(*) FROM silver.quarantine WHERE table_name = '${t}' GROUP BY 1`)) as [string, unknown][]).map(([k, v]) => [k, num(v)]),
      );
      const want = Object.fromEntries(Object.entries(expected.quarantined.byReason).filter(([, n]) => n > 0));
      expect({ t, byReason }).toEqual({ t, byReason: want });
    }
  });

  it('quarantines exactly the rows the generator broke, at their source positions', async () => {
    for (const t of TABLE_NAMES) {
      const planned = manifest.tables[t].dirt.filter((d) => d.effect === 'quarantined').flatMap((d) => d.rows).sort((a, b) => a - b);
      const got = ((await lake.sql(`SELECT _source_row FROM silver.quarantine WHERE table_name = '${t}' ORDER BY 1`)) as [unknown][]).map(([r]) => num(r));
      expect({ t, rows: got }).toEqual({ t, rows: planned });
    }
  });

  it('keeps the later row of a duplicated key', async () => {
    for (const t of ['orders', 'customers', 'products'] as TableName[]) {
      const sup = manifest.tables[t].dirt.find((d) => d.kind === 'duplicate_key' && d.effect === 'supersedes_earlier');
      if (!sup) continue;
      const winners = ((await lake.sql(`SELECT _source_row FROM silver.${t} WHERE _source_row IN (${[...sup.rows, ...(sup.sourceRows ?? [])].join(', ')})`)) as [unknown][]).map(([r]) => num(r));
      expect({ t, winners: winners.sort((a, b) => a - b) }).toEqual({ t, winners: [...sup.rows].sort((a, b) => a - b) });
    }
  });

  it('builds gold whose totals equal the manifest to the cent', async () => {
    const g = manifest.gold;
    const [[items, price, freight]] = (await lake.sql(`SELECT count(*), CAST(sum(price) AS VARCHAR), CAST(sum(freight_value) AS VARCHAR) FROM gold.fact_order_items`)) as [[unknown, unknown, unknown]];
    expect([num(items), price, freight]).toEqual([g.orderItems, g.sumPrice, g.sumFreight]);
    const [[payments, paid]] = (await lake.sql(`SELECT count(*), CAST(sum(payment_value) AS VARCHAR) FROM gold.fact_payments`)) as [[unknown, unknown]];
    expect([num(payments), paid]).toEqual([g.payments, g.sumPayment]);
    const [[orders, reviews, customers]] = (await lake.sql(
      `SELECT (SELECT count(*) FROM gold.fact_orders), (SELECT count(*) FROM gold.fact_reviews), (SELECT count(*) FROM gold.dim_customer WHERE customer_sk <> 0)`,
    )) as [[unknown, unknown, unknown]];
    expect([num(orders), num(reviews), num(customers)]).toEqual([g.orders, g.reviews, g.customers]);
    // Orphans land on the unknown members instead of being dropped.
    const [[noProduct, noSeller, noCustomer]] = (await lake.sql(
      `SELECT (SELECT count(*) FROM gold.fact_order_items WHERE product_sk = 0), (SELECT count(*) FROM gold.fact_order_items WHERE seller_sk = 0), (SELECT count(*) FROM gold.fact_orders WHERE customer_sk = 0)`,
    )) as [[unknown, unknown, unknown]];
    expect([num(noProduct), num(noSeller), num(noCustomer)]).toEqual([manifest.orphans.orderItemsWithoutProduct, manifest.orphans.orderItemsWithoutSeller, manifest.orphans.ordersWithoutCustomer]);
    // Every dimension has its unknown member.
    for (const [dim, key] of [['dim_date', 'date_sk'], ['dim_customer', 'customer_sk'], ['dim_seller', 'seller_sk'], ['dim_product', 'product_sk'], ['dim_geolocation', 'geolocation_sk']]) {
      const [[n]] = (await lake.sql(`SELECT count(*) FROM gold.${dim} WHERE ${key} = 0`)) as [[unknown]];
      expect({ dim, unknown: num(n) }).toEqual({ dim, unknown: 1 });
    }
    // The daily mart adds up to the same GMV.
    const [[gmv]] = (await lake.sql(`SELECT CAST(sum(gmv) AS VARCHAR) FROM gold.mart_daily_sales`)) as [[unknown]];
    const [[datedGmv]] = (await lake.sql(`SELECT CAST(coalesce(sum(price), 0) AS VARCHAR) FROM gold.fact_order_items WHERE purchase_date_sk <> 0`)) as [[unknown]];
    expect(gmv).toBe(datedGmv);
  });

  it('records lineage from each source file through bronze and silver to gold', async () => {
    const { lineageGraph } = await import('../catalog/lineage');
    const g = await lineageGraph(lake.ctx.catalog, 'silver.orders', 2);
    const links = g.links.map((l) => `${l.from} → ${l.to}`);
    expect(links).toContain('olist_orders_dataset.csv → bronze.orders');
    expect(links).toContain('bronze.orders → silver.orders');
    expect(links).toContain('silver.orders → gold.fact_orders');
    expect(links).not.toContain('bronze.customers → silver.orders');
  });
});

describe(`running again (${storage} storage)`, { timeout: 300_000 }, () => {
  it('with nothing new changes nothing', async () => {
    const orders = await getDataset(lake.ctx.catalog.db, 'silver', 'orders');
    const gold = await getDataset(lake.ctx.catalog.db, 'gold', 'fact_orders');
    const again = await runJob(lake.ctx, 'all', { files: [] });
    expect(again.status).toBe('succeeded');
    expect(again.silver.every((s) => s.status === 'unchanged')).toBe(true);
    expect(again.gold?.status).toBe('unchanged');
    expect((await getDataset(lake.ctx.catalog.db, 'silver', 'orders'))?.currentVersionId).toBe(orders?.currentVersionId);
    expect((await getDataset(lake.ctx.catalog.db, 'gold', 'fact_orders'))?.currentVersionId).toBe(gold?.currentVersionId);
  });

  it('with the same files again stores nothing twice', async () => {
    const files = TABLE_NAMES.map((t) => ({ path: path.join(sourceDir, manifest.tables[t].file), displayName: `copy of ${manifest.tables[t].file}` }));
    const r = await runJob(lake.ctx, 'bronze', { files });
    expect(r.status).toBe('succeeded');
    expect(r.ingested.map((i) => i.status)).toEqual(TABLE_NAMES.map(() => 'duplicate'));
    const [[n]] = (await lake.sql(`SELECT count(*) FROM bronze.orders`)) as [[unknown]];
    expect(num(n)).toBe(manifest.tables.orders.rows);
  });

  it('with new and changed orders rewrites only the partitions they touch, and the old version can be restored', async () => {
    const before = await getDataset(lake.ctx.catalog.db, 'silver', 'orders');
    const beforeVersions = await listVersions(lake.ctx.catalog.db, before!.id);
    const [[beforeCount]] = (await lake.sql(`SELECT count(*) FROM silver.orders`)) as [[unknown]];
    const [[existingId, existingDay]] = (await lake.sql(`SELECT order_id, strftime(order_purchase_timestamp, '%Y-%m-%d') FROM silver.orders ORDER BY order_id LIMIT 1`)) as [[string, string]];
    const header = 'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date';
    const csv = [
      header,
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1,cccccccccccccccccccccccccccccc01,delivered,2018-10-20 10:00:00,2018-10-20 11:00:00,,2018-10-25 09:00:00,2018-11-02 00:00:00',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2,cccccccccccccccccccccccccccccc02,shipped,2018-10-21 10:00:00,,,,2018-11-03 00:00:00',
      // An existing order, moved to a new day: its old partition must be rewritten too.
      `${existingId},cccccccccccccccccccccccccccccc03,canceled,2018-10-21 12:00:00,,,,2018-11-03 00:00:00`,
    ].join('\n');
    const file = path.join(sourceDir, 'more-orders.csv');
    fs.writeFileSync(file, csv + '\n');
    const r = await runJob(lake.ctx, 'all', { files: [{ path: file, displayName: 'more-orders.csv' }] });
    expect(r.error).toBeUndefined();
    const s = r.silver.find((x) => x.table === 'orders')!;
    expect({ in: s.rowsIn, out: s.rowsOut, updated: s.updated, quarantined: s.quarantined, duplicates: s.duplicates }).toEqual({ in: 3, out: 3, updated: 1, quarantined: 0, duplicates: 0 });
    const touched = new Set(['2018-10-20', '2018-10-21', existingDay]);
    expect(s.partitionsRewritten).toBe(touched.size);
    const [[afterCount]] = (await lake.sql(`SELECT count(*) FROM silver.orders`)) as [[unknown]];
    expect(num(afterCount)).toBe(num(beforeCount) + 2);
    const [[status]] = (await lake.sql(`SELECT order_status FROM silver.orders WHERE order_id = '${existingId}'`)) as [[string]];
    expect(status).toBe('canceled');
    // Other tables had nothing new; gold was rebuilt because silver.orders changed.
    expect(r.silver.filter((x) => x.table !== 'orders').every((x) => x.status === 'unchanged')).toBe(true);
    expect(r.gold?.status).toBe('built');
    // Only the models that read silver.orders (directly or through another model) were rebuilt.
    const rebuilt = r.gold!.models.map((m) => m.name);
    expect(rebuilt).toEqual(expect.arrayContaining(['fact_orders', 'fact_order_items', 'mart_daily_sales']));
    for (const kept of ['dim_geolocation', 'dim_seller', 'dim_product']) expect(rebuilt).not.toContain(kept);
    const [[goldOrders]] = (await lake.sql(`SELECT count(*) FROM gold.fact_orders`)) as [[unknown]];
    expect(num(goldOrders)).toBe(num(afterCount));

    // Restore the version before: the count and the order's status come back.
    const { restoreVersion } = await import('../catalog/versions');
    await restoreVersion(lake.ctx.catalog.db, before!.id, beforeVersions[0]!.version);
    const [[restoredCount]] = (await lake.sql(`SELECT count(*) FROM silver.orders`)) as [[unknown]];
    expect(num(restoredCount)).toBe(num(beforeCount));
  });

  it('updates gold facts order by order to exactly what a full rebuild makes, and keeps every key digest equal to its table', async () => {
    // On top of the restore above: a new payment and a changed item of existing orders, and a new review.
    const [[orderId, itemId]] = (await lake.sql(`SELECT order_id, max(order_item_id) FROM silver.order_items GROUP BY 1 ORDER BY 1 LIMIT 1`)) as [[string, unknown]];
    const [[paidOrder, lastSeq]] = (await lake.sql(`SELECT order_id, max(payment_sequential) FROM silver.order_payments GROUP BY 1 ORDER BY 1 DESC LIMIT 1`)) as [[string, unknown]];
    const [[sellerId]] = (await lake.sql(`SELECT seller_id FROM silver.order_items WHERE order_id = '${orderId}' LIMIT 1`)) as [[string]];
    const productSkOf = (rows: unknown[][]) => num(rows[0]?.[0]);
    const write = (name: string, lines: string[]) => {
      const file = path.join(sourceDir, name);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      return { path: file, displayName: name };
    };
    // The changed item now names a product silver does not know yet (it arrives in the second step).
    const newProduct = 'pppppppppppppppppppppppppppppp01';
    const files = [
      write('more-items.csv', ['order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value', `${orderId},${num(itemId)},${newProduct},${sellerId},2018-10-25 10:00:00,1234.56,7.89`]),
      write('more-payments.csv', ['order_id,payment_sequential,payment_type,payment_installments,payment_value', `${paidOrder},${num(lastSeq) + 1},voucher,1,10.01`]),
      write('more-reviews.csv', [
        'review_id,order_id,review_score,review_comment_title,review_comment_message,review_creation_date,review_answer_timestamp',
        `rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr1,${paidOrder},2,,,2018-10-26 00:00:00,2018-10-27 10:00:00`,
      ]),
    ];
    expect((await runJob(lake.ctx, 'bronze', { files })).error).toBeUndefined();
    const silver = await runJob(lake.ctx, 'silver');
    expect(silver.error).toBeUndefined();
    expect(silver.silver.filter((x) => x.status === 'updated').map((x) => [x.table, x.quarantined]).sort()).toEqual([['order_items', 0], ['order_payments', 0], ['order_reviews', 0]]);
    // Silver wrote each updated dated table's digest itself (a digest failing its row-count check is not kept).
    for (const t of ['order_items', 'order_payments', 'order_reviews']) {
      const ds = await getDataset(lake.ctx.catalog.db, 'silver', t);
      expect({ t, cached: cachedDigest(lake.ctx, ds!.id, ds!.currentVersionId!) !== undefined }).toEqual({ t, cached: true });
    }
    expect((await runJob(lake.ctx, 'gold')).error).toBeUndefined();
    expect(productSkOf(await lake.sql(`SELECT product_sk FROM gold.fact_order_items WHERE order_id = '${orderId}' AND order_item_id = ${num(itemId)}`))).toBe(0);

    // Second step: an order's unknown customer and the item's product arrive. No order row changed, but
    // the facts' customer and product keys of the orders naming them do.
    const [[lostCustomer]] = (await lake.sql(`SELECT o.customer_id FROM silver.orders o ANTI JOIN silver.customers c USING (customer_id) ORDER BY 1 LIMIT 1`)) as [[string]];
    const [[unknownBefore]] = (await lake.sql(`SELECT count(*) FROM gold.fact_orders WHERE customer_sk = 0`)) as [[unknown]];
    const dims = [
      write('more-customers.csv', ['customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state', `${lostCustomer},uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu1,01001,sao paulo,SP`]),
      write('more-products.csv', [
        'product_id,product_category_name,product_name_lenght,product_description_lenght,product_photos_qty,product_weight_g,product_length_cm,product_height_cm,product_width_cm',
        `${newProduct},moveis_decoracao,40,200,1,500,20,10,15`,
      ]),
    ];
    const r = await runJob(lake.ctx, 'all', { files: dims });
    expect(r.error).toBeUndefined();
    expect(r.gold?.status).toBe('built');
    const [[unknownAfter]] = (await lake.sql(`SELECT count(*) FROM gold.fact_orders WHERE customer_sk = 0`)) as [[unknown]];
    expect(num(unknownAfter)).toBe(num(unknownBefore) - 1);
    expect(productSkOf(await lake.sql(`SELECT product_sk FROM gold.fact_order_items WHERE order_id = '${orderId}' AND order_item_id = ${num(itemId)}`))).not.toBe(0);
    const facts = ['fact_orders', 'fact_order_items', 'fact_payments', 'fact_reviews'];
    const merged = new Map<string, number>();
    for (const f of facts) {
      const ds = await getDataset(lake.ctx.catalog.db, 'gold', f);
      const [v] = await listVersions(lake.ctx.catalog.db, ds!.id);
      expect({ f, operation: v!.operation }).toEqual({ f, operation: 'merge' });
      merged.set(f, v!.id);
    }

    // The same gold, built whole from silver, must hold exactly the same rows.
    await lake.ctx.catalog.pool.query(`update datasets set facets = facets - 'inputs' where layer = 'gold'`);
    const full = await runJob(lake.ctx, 'gold');
    expect(full.error).toBeUndefined();
    const rowsOf = async (versionId: number) => {
      const fs_ = await filesOfVersion(lake.ctx.catalog.db, versionId);
      const paths = await lake.ctx.readable(lake.ctx.bucket('gold'), fs_.map((x) => x.key));
      return `read_parquet([${paths.map((p) => `'${p}'`).join(', ')}])`;
    };
    for (const f of facts) {
      const ds = await getDataset(lake.ctx.catalog.db, 'gold', f);
      const [[onlyMerged, onlyFull, rows]] = (await lake.sql(
        `SELECT (SELECT count(*) FROM (SELECT * FROM ${await rowsOf(merged.get(f)!)} EXCEPT ALL SELECT * FROM ${await rowsOf(ds!.currentVersionId!)})),
                (SELECT count(*) FROM (SELECT * FROM ${await rowsOf(ds!.currentVersionId!)} EXCEPT ALL SELECT * FROM ${await rowsOf(merged.get(f)!)})),
                (SELECT count(*) FROM ${await rowsOf(ds!.currentVersionId!)})`,
      )) as [[unknown, unknown, unknown]];
      expect({ f, onlyMerged: num(onlyMerged), onlyFull: num(onlyFull) }).toEqual({ f, onlyMerged: 0, onlyFull: 0 });
      expect(num(rows)).toBeGreaterThan(0);
    }
    const [[price, reviews]] = (await lake.sql(
      `SELECT (SELECT CAST(price AS VARCHAR) FROM gold.fact_order_items WHERE order_id = '${orderId}' AND order_item_id = ${num(itemId)}),
              (SELECT count(*) FROM gold.fact_reviews WHERE review_id = 'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr1')`,
    )) as [[unknown, unknown]];
    expect([price, num(reviews)]).toEqual(['1234.56', 1]);

    // Each dated table's key digest holds exactly its current rows' keys, lineage, partitions and reconciled columns.
    for (const t of ['orders', 'order_items', 'order_payments', 'order_reviews'] as const) {
      const ds = await getDataset(lake.ctx.catalog.db, 'silver', t);
      const model = { name: t, contract: contractFor(t) };
      // Written by the runs themselves (a digest that failed its row-count check would not be there).
      const digest = cachedDigest(lake.ctx, ds!.id, ds!.currentVersionId!);
      expect(digest, t).toBeDefined();
      const cols = digestColumns(model).join(', ');
      const [[a, b]] = (await lake.sql(
        `SELECT (SELECT count(*) FROM (SELECT ${cols} FROM ${digest} EXCEPT ALL SELECT ${cols} FROM silver.${t})),
                (SELECT count(*) FROM (SELECT ${cols} FROM silver.${t} EXCEPT ALL SELECT ${cols} FROM ${digest}))`,
      )) as [[unknown, unknown]];
      expect({ t, onlyDigest: num(a), onlyTable: num(b) }).toEqual({ t, onlyDigest: 0, onlyTable: 0 });
    }
  });

  it('rebuilds a restored gold fact whole instead of merging onto the restored files', async () => {
    const ds = await getDataset(lake.ctx.catalog.db, 'gold', 'fact_orders');
    const versions = await listVersions(lake.ctx.catalog.db, ds!.id);
    const { restoreVersion } = await import('../catalog/versions');
    await restoreVersion(lake.ctx.catalog.db, ds!.id, versions.at(-1)!.version);
    const header = 'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date';
    const file = path.join(sourceDir, 'one-more-order.csv');
    fs.writeFileSync(file, `${header}\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3,cccccccccccccccccccccccccccccc04,delivered,2018-10-22 10:00:00,,,,2018-11-03 00:00:00\n`);
    const r = await runJob(lake.ctx, 'all', { files: [{ path: file, displayName: 'one-more-order.csv' }] });
    expect(r.error).toBeUndefined();
    const [latest] = await listVersions(lake.ctx.catalog.db, ds!.id);
    expect(latest!.operation).toBe('overwrite');
    const [[silverOrders, goldOrders, onlyGold]] = (await lake.sql(
      `SELECT (SELECT count(*) FROM silver.orders), (SELECT count(*) FROM gold.fact_orders),
              (SELECT count(*) FROM (SELECT order_id FROM gold.fact_orders EXCEPT SELECT order_id FROM silver.orders))`,
    )) as [[unknown, unknown, unknown]];
    expect([num(goldOrders), num(onlyGold)]).toEqual([num(silverOrders), 0]);
  });

  it('fails a run whose source is mostly unusable, with a readable reason, and changes nothing', async () => {
    const before = await getDataset(lake.ctx.catalog.db, 'silver', 'order_reviews');
    const header = 'review_id,order_id,review_score,review_comment_title,review_comment_message,review_creation_date,review_answer_timestamp';
    const lines = [header, ...Array.from({ length: 10 }, (_, i) => `r${i},o${i},${i < 8 ? 'excellent' : '5'},,,2018-01-0${(i % 9) + 1} 00:00:00,`)];
    const file = path.join(sourceDir, 'bad-reviews.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = await runJob(lake.ctx, 'all', { files: [{ path: file, displayName: 'bad-reviews.csv' }] });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/80\.0% of the rows for silver\.order_reviews were quarantined/);
    expect((await getDataset(lake.ctx.catalog.db, 'silver', 'order_reviews'))?.currentVersionId).toBe(before?.currentVersionId);
    const failedChecks = (await checksOfRun(lake.ctx.catalog.db, r.runId)).filter((c) => c.status === 'failed');
    expect(failedChecks.map((c) => c.name)).toEqual(['quarantine share ≤ 50%']);
  });
});
}
