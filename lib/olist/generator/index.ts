/**
 * A synthetic copy of the Olist dataset, shaped like the published one, with its real-world dirt and a
 * controlled number of bad rows, and a manifest that says exactly what a correct pipeline must produce.
 *
 *   const manifest = await generateOlist({ scale: 0.01, seed: 42, outDir: '/tmp/olist' });
 *
 * Files are written one after another, each streamed in chunks; manifest.json is written last, so its
 * presence means the set is complete.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KeystoneError } from '../../errors';
import { SILVER_RULES } from '../silver-rules';
import type { TableName } from '../contract-types';
import { Catalog } from './catalog';
import type { GenContext } from './context';
import { centsToDecimal, MANIFEST_FILE, renderManifest, type Manifest, type TableManifest } from './manifest';
import { resolveOptions, type GenerateOptions } from './options';
import { planAll, PUBLISHED_UNIQUE_CUSTOMERS } from './plan';
import { seedKey } from './prng';
import type { WrittenTable } from './table-writer';
import { writeCustomers } from './write-customers';
import { writeGeolocation } from './write-geolocation';
import { writeOrderTables } from './write-orders';
import { writeProducts } from './write-products';
import { writeSellers } from './write-sellers';
import { writeTranslations } from './write-translations';

export type { GenerateOptions, BadRowOptions } from './options';
export type * from './manifest';
export { MANIFEST_FILE } from './manifest';

export async function generateOlist(options: GenerateOptions): Promise<Manifest> {
  const { scale, seed, outDir, badRate } = resolveOptions(options);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (e) {
    throw new KeystoneError('unavailable:olist_output', `cannot create ${outDir}: ${(e as Error).message}`, { cause: e });
  }
  const key = seedKey(seed);
  const plans = planAll(scale, badRate);
  const ctx: GenContext = {
    seed: key,
    outDir,
    plans,
    catalog: Catalog.from(key, plans),
    uniqueCustomers: Math.max(1, Math.round(PUBLISHED_UNIQUE_CUSTOMERS * scale)),
  };

  const written: Partial<Record<TableName, WrittenTable>> = {};
  written.category_translation = await writeTranslations(ctx);
  written.products = await writeProducts(ctx);
  written.sellers = await writeSellers(ctx);
  written.customers = await writeCustomers(ctx);
  written.geolocation = await writeGeolocation(ctx);
  const orderSide = await writeOrderTables(ctx);
  written.orders = orderSide.orders;
  written.order_items = orderSide.order_items;
  written.order_payments = orderSide.order_payments;
  written.order_reviews = orderSide.order_reviews;

  const tables = Object.fromEntries(
    Object.values(plans).map((plan): [TableName, TableManifest] => {
      const w = written[plan.table]!;
      return [plan.table, { table: plan.table, file: w.file, rows: w.rows, bytes: w.bytes, sha256: w.sha256, dirt: w.dirt, formats: w.formats, expected: w.expected }];
    }),
  ) as Record<TableName, TableManifest>;

  const { totals } = orderSide;
  const manifest: Manifest = {
    generator: 'keystone-olist-synthetic',
    version: 1,
    scale,
    seed,
    badRowRate: badRate,
    rules: SILVER_RULES,
    tables,
    gold: {
      orders: tables.orders.expected.silverRows,
      orderItems: tables.order_items.expected.silverRows,
      payments: tables.order_payments.expected.silverRows,
      reviews: tables.order_reviews.expected.silverRows,
      customers: tables.customers.expected.silverRows,
      uniqueCustomers: Math.min(ctx.uniqueCustomers, plans.customers.logicalRows),
      priceCents: totals.priceCents,
      freightCents: totals.freightCents,
      paymentCents: totals.paymentCents,
      sumPrice: centsToDecimal(totals.priceCents),
      sumFreight: centsToDecimal(totals.freightCents),
      sumPayment: centsToDecimal(totals.paymentCents),
    },
    orphans: {
      orderItemsWithoutProduct: totals.itemsWithoutProduct,
      orderItemsWithoutSeller: totals.itemsWithoutSeller,
      ordersWithoutCustomer: totals.ordersWithoutCustomer,
    },
  };
  await writeFile(path.join(outDir, MANIFEST_FILE), renderManifest(manifest));
  return manifest;
}
