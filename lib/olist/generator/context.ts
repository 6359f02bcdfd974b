/** What every table writer needs to know about the run. */
import path from 'node:path';
import type { TableName } from '../contract-types';
import type { Catalog } from './catalog';
import { CsvFileSink } from './csv-sink';
import type { TablePlan } from './plan';
import { Rng, type SeedKey } from './prng';
import { TableWriter, type TableWriterOptions } from './table-writer';

export interface GenContext {
  seed: SeedKey;
  outDir: string;
  plans: Record<TableName, TablePlan>;
  catalog: Catalog;
  /** Distinct customer_unique_id values the customers file must hold. */
  uniqueCustomers: number;
}

/** Share of rows quoted field by field, per table: real copies mix quoted and bare rows. */
const QUOTE_SHARE: Record<TableName, number> = {
  customers: 0.3,
  geolocation: 0.2,
  order_items: 0.25,
  order_payments: 0.25,
  order_reviews: 0.5,
  orders: 0.4,
  products: 0.3,
  sellers: 0.3,
  category_translation: 0,
};

export function openTable(
  ctx: GenContext,
  table: TableName,
  extra: Pick<TableWriterOptions, 'onSurvivor' | 'bom'> = {},
): TableWriter {
  const plan = ctx.plans[table];
  return new TableWriter({
    plan,
    sink: new CsvFileSink(path.join(ctx.outDir, plan.contract.file)),
    // The writer's own stream: dirt placement never shifts the data a table's generator draws.
    rng: new Rng(ctx.seed, `${table}/dirt`),
    quoteShare: QUOTE_SHARE[table],
    ...extra,
  });
}
