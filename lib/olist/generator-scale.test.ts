/**
 * Scale 1.0: the published volumes, exactly, and the published shapes, roughly. Generation takes a few
 * seconds; the independent recomputation over 1.55 million rows takes longer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moneyToCents } from './cleanse';
import { CONTRACTS, columnIndex, contractFor, type TableName } from './contracts';
import { generateOlist, type Manifest } from './generator';
import { expectManifestMatchesFiles } from './test-support/expect-manifest';
import type { Recomputed } from './test-support/recompute';

const LONG = 300_000;
let dir: string;
let manifest: Manifest;
let generationMs: number;
let recomputed: Recomputed;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'olist-scale1-'));
  const started = performance.now();
  manifest = await generateOlist({ scale: 1, seed: 42, outDir: dir });
  generationMs = performance.now() - started;
  console.info(`scale 1.0 generation: ${(generationMs / 1000).toFixed(2)} s`);
}, LONG);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Silver values of one column, from the recomputation. */
const column = (t: TableName, name: string) => {
  const i = columnIndex(contractFor(t), name);
  return [...recomputed.tables[t].values.values()].map((v) => v[i]);
};
const share = (values: unknown[], match: (v: unknown) => boolean) => values.filter(match).length / values.length;

describe('generateOlist at scale 1.0', () => {
  it('writes exactly the published volumes, dirt included', () => {
    const published: Record<TableName, number> = {
      customers: 99_441,
      geolocation: 1_000_163,
      order_items: 112_650,
      order_payments: 103_886,
      order_reviews: 99_224,
      orders: 99_441,
      products: 32_951,
      sellers: 3_095,
      category_translation: 71,
    };
    for (const c of CONTRACTS) expect(manifest.tables[c.table].rows, c.table).toBe(published[c.table]);
    expect(manifest.gold.uniqueCustomers).toBe(96_096);
    expect(generationMs).toBeLessThan(60_000);
  });

  it('promises exactly what an independent recomputation from the files finds', async () => {
    recomputed = await expectManifestMatchesFiles(manifest, dir);
  }, LONG);

  it('has the published order shape: statuses, dates, Black Friday, promised dates', () => {
    const status = column('orders', 'order_status');
    expect(share(status, (s) => s === 'delivered')).toBeGreaterThan(0.96);
    expect(share(status, (s) => s === 'delivered')).toBeLessThan(0.98);
    for (const s of ['shipped', 'canceled', 'unavailable', 'invoiced', 'processing']) {
      expect(share(status, (v) => v === s), s).toBeGreaterThan(0.002);
      expect(share(status, (v) => v === s), s).toBeLessThan(0.016);
    }
    const purchase = column('orders', 'order_purchase_timestamp') as string[];
    const days = purchase.map((p) => p.slice(0, 10)).sort();
    expect(days[0]! >= '2016-09-04').toBe(true);
    expect(days[days.length - 1]! <= '2018-10-17').toBe(true);
    const perDay = new Map<string, number>();
    for (const d of days) perDay.set(d, (perDay.get(d) ?? 0) + 1);
    const busiest = [...perDay].sort((a, b) => b[1] - a[1])[0]!;
    expect(busiest[0]).toBe('2017-11-24');
    expect(share(days, (d) => (d as string) < '2017-01-01')).toBeLessThan(0.005);
    expect(share(days, (d) => (d as string) >= '2018-01-01')).toBeGreaterThan(share(days, (d) => (d as string) < '2018-01-01'));
    const estimated = column('orders', 'order_estimated_delivery_date') as string[];
    const delivered = column('orders', 'order_delivered_customer_date');
    const leadDays = purchase.map((p, i) => (Date.parse(estimated[i]!) - Date.parse(p)) / 86_400_000).sort((a, b) => a - b);
    expect(leadDays[Math.floor(leadDays.length / 2)]).toBeGreaterThan(18);
    expect(leadDays[Math.floor(leadDays.length / 2)]).toBeLessThan(28);
    const onTime = delivered.filter((d, i) => d !== null && Date.parse(d as string) < Date.parse(estimated[i]!) + 86_400_000);
    expect(onTime.length / delivered.filter((d) => d !== null).length).toBeGreaterThan(0.85);
  });

  it('has the published item, payment and review shapes', () => {
    const perOrder = new Map<string, number>();
    for (const o of column('order_items', 'order_id')) perOrder.set(o as string, (perOrder.get(o as string) ?? 0) + 1);
    const counts = [...perOrder.values()];
    expect(share(counts, (n) => n === 1)).toBeGreaterThan(0.85);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...counts)).toBeLessThanOrEqual(21);
    const price = column('order_items', 'price').map((p) => moneyToCents(p as string) / 100);
    const freight = column('order_items', 'freight_value').map((p) => moneyToCents(p as string) / 100);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(price)).toBeGreaterThan(105);
    expect(mean(price)).toBeLessThan(135);
    expect(mean(freight)).toBeGreaterThan(17);
    expect(mean(freight)).toBeLessThan(23);

    const type = column('order_payments', 'payment_type');
    const bands: [string, number, number][] = [['credit_card', 0.71, 0.77], ['boleto', 0.17, 0.21], ['voucher', 0.045, 0.07], ['debit_card', 0.01, 0.02]];
    for (const [t, lo, hi] of bands) {
      expect(share(type, (v) => v === t), t).toBeGreaterThan(lo);
      expect(share(type, (v) => v === t), t).toBeLessThan(hi);
    }
    expect(share(type, (v) => v === 'not_defined')).toBeLessThan(0.001);
    const installments = column('order_payments', 'payment_installments') as number[];
    expect(Math.max(...installments)).toBeLessThanOrEqual(24);
    const sequential = column('order_payments', 'payment_sequential') as number[];
    expect(Math.max(...sequential)).toBeGreaterThan(5);

    const score = column('order_reviews', 'review_score');
    const scoreBands: [number, number, number][] = [[5, 0.53, 0.61], [4, 0.16, 0.22], [3, 0.06, 0.1], [2, 0.02, 0.045], [1, 0.09, 0.14]];
    for (const [s, lo, hi] of scoreBands) {
      expect(share(score, (v) => v === s), `score ${s}`).toBeGreaterThan(lo);
      expect(share(score, (v) => v === s), `score ${s}`).toBeLessThan(hi);
    }
    expect(share(column('order_reviews', 'review_comment_title'), (v) => v !== null)).toBeLessThan(0.15);
    const messages = share(column('order_reviews', 'review_comment_message'), (v) => v !== null);
    expect(messages).toBeGreaterThan(0.35);
    expect(messages).toBeLessThan(0.47);
    const reviewIds = column('order_reviews', 'review_id');
    expect(new Set(reviewIds).size).toBeLessThan(reviewIds.length); // shared surveys
  });

  it('puts customers and sellers where the published ones are', () => {
    const customers = column('customers', 'customer_state');
    expect(share(customers, (s) => s === 'SP')).toBeGreaterThan(0.4);
    expect(share(customers, (s) => s === 'SP')).toBeLessThan(0.44);
    expect(share(customers, (s) => s === 'RJ')).toBeGreaterThan(0.11);
    expect(share(customers, (s) => s === 'MG')).toBeGreaterThan(0.1);
    expect(new Set(customers).size).toBe(27);
    expect(share(column('sellers', 'seller_state'), (s) => s === 'SP')).toBeGreaterThan(0.55);
    expect(share(column('products', 'product_category_name'), (c) => c === null)).toBeGreaterThan(0.012);
    expect(new Set(column('products', 'product_category_name')).size).toBe(74); // 73 names and NULL
  });
});
