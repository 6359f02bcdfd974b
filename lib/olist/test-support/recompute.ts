/**
 * Recomputes, from the CSV files alone, everything the generator's manifest promises: rows, quarantine by
 * reason, dedup, nulled values, gold totals and orphans. It knows nothing of how the files were made; it
 * reads them as a pipeline would — RFC 4180 parse, recognise by header, cleanse and cast per contract,
 * quarantine, then keep the latest row per natural key — so agreement with the manifest checks both.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanseRow, moneyToCents, naturalKeyOf, type CellValue } from '../cleanse';
import { contractFor, recognizeTable } from '../contracts';
import type { TableContract, TableName } from '../contract-types';
import { forEachCsvRecord } from '../csv';
import { QUARANTINE_REASONS, type QuarantineReason } from '../silver-rules';

export interface RecomputedTable {
  table: TableName;
  file: string;
  header: string[];
  rows: number;
  silverRows: number;
  quarantinedByReason: Record<QuarantineReason, number>;
  quarantinedRows: number[];
  duplicatesRemoved: number;
  /** Rows a later row with the same key replaced. */
  removedRows: number[];
  nulledValues: Record<string, number>;
  /** Silver rows' positions by natural key. */
  survivors: Map<string, number>;
  /** Silver rows' cast values by natural key; empty for geolocation, whose million rows nothing reads. */
  values: Map<string, CellValue[]>;
}

export async function recomputeTable(file: string): Promise<RecomputedTable> {
  const text = await readFile(file, 'utf8');
  let contract: TableContract | undefined;
  let positions: number[] = [];
  let header: string[] = [];
  const out = {
    quarantinedByReason: Object.fromEntries(QUARANTINE_REASONS.map((r) => [r, 0])) as Record<QuarantineReason, number>,
    quarantinedRows: [] as number[],
    removedRows: [] as number[],
    survivors: new Map<string, number>(),
    values: new Map<string, CellValue[]>(),
    nulled: new Map<string, string[]>(),
  };
  const records = forEachCsvRecord(text, (fields, index) => {
    if (index === 0) {
      const recognized = recognizeTable(fields);
      if (recognized === undefined) throw new Error(`${file}: header not recognised: ${fields.join(',')}`);
      ({ contract, positions } = recognized);
      header = fields;
      return;
    }
    const c = contract!;
    const ordered = fields.length === header.length ? positions.map((p) => fields[p]!) : fields;
    const outcome = cleanseRow(c, ordered);
    if (!outcome.ok) {
      out.quarantinedByReason[outcome.reason]++;
      out.quarantinedRows.push(index);
      return;
    }
    const key = naturalKeyOf(c, outcome.values);
    const previous = out.survivors.get(key);
    if (previous !== undefined) {
      out.removedRows.push(previous);
      out.nulled.delete(key);
    }
    out.survivors.set(key, index);
    if (c.table !== 'geolocation') out.values.set(key, outcome.values);
    if (outcome.nulled.length > 0) out.nulled.set(key, outcome.nulled);
  });
  const nulledValues: Record<string, number> = {};
  for (const columns of out.nulled.values()) for (const column of columns) nulledValues[column] = (nulledValues[column] ?? 0) + 1;
  return {
    table: contract!.table,
    file: path.basename(file),
    header,
    rows: records - 1,
    silverRows: out.survivors.size,
    quarantinedByReason: out.quarantinedByReason,
    quarantinedRows: out.quarantinedRows,
    duplicatesRemoved: out.removedRows.length,
    removedRows: out.removedRows.sort((a, b) => a - b),
    nulledValues,
    survivors: out.survivors,
    values: out.values,
  };
}

export interface Recomputed {
  tables: Record<TableName, RecomputedTable>;
  gold: {
    orders: number;
    orderItems: number;
    payments: number;
    reviews: number;
    customers: number;
    uniqueCustomers: number;
    priceCents: number;
    freightCents: number;
    paymentCents: number;
  };
  orphans: { orderItemsWithoutProduct: number; orderItemsWithoutSeller: number; ordersWithoutCustomer: number };
}

/** Reads every CSV in `dir`; tables are told apart by header, not by file name. */
export async function recomputeFromFiles(dir: string): Promise<Recomputed> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.csv'));
  const tables = {} as Record<TableName, RecomputedTable>;
  for (const f of files) {
    const t = await recomputeTable(path.join(dir, f));
    tables[t.table] = t;
  }
  const values = (table: TableName, name: string) => {
    const i = contractFor(table).columns.findIndex((c) => c.name === name);
    return [...tables[table].values.values()].map((v) => v[i]);
  };
  const sumCents = (table: TableName, name: string) => values(table, name).reduce<number>((sum, v) => sum + moneyToCents(v as string), 0);
  const present = (table: TableName, name: string) => new Set(values(table, name));
  const products = present('products', 'product_id');
  const sellers = present('sellers', 'seller_id');
  const customers = present('customers', 'customer_id');
  return {
    tables,
    gold: {
      orders: tables.orders.silverRows,
      orderItems: tables.order_items.silverRows,
      payments: tables.order_payments.silverRows,
      reviews: tables.order_reviews.silverRows,
      customers: tables.customers.silverRows,
      uniqueCustomers: present('customers', 'customer_unique_id').size,
      priceCents: sumCents('order_items', 'price'),
      freightCents: sumCents('order_items', 'freight_value'),
      paymentCents: sumCents('order_payments', 'payment_value'),
    },
    orphans: {
      orderItemsWithoutProduct: values('order_items', 'product_id').filter((p) => !products.has(p)).length,
      orderItemsWithoutSeller: values('order_items', 'seller_id').filter((s) => !sellers.has(s)).length,
      ordersWithoutCustomer: values('orders', 'customer_id').filter((c) => !customers.has(c)).length,
    },
  };
}
