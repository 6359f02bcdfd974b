/**
 * The manifest: what was written and what must come out. A pipeline run over the files is correct when
 * its silver row counts, quarantine counts by reason, dedup counts and gold totals equal `expected` and
 * `gold` exactly; `dirt` says row by row why.
 */
import type { TableName } from '../contract-types';
import { SILVER_RULES, type QuarantineReason } from '../silver-rules';
import type { DirtRecord, FormatRecord } from './dirt';
import type { TableExpectation } from './table-writer';

export type { DirtRecord, FormatRecord, TableExpectation, QuarantineReason };

export interface TableManifest {
  table: TableName;
  /** The published file name. */
  file: string;
  /** Data records, header excluded. Equals the scaled published volume, dirt included. */
  rows: number;
  bytes: number;
  sha256: string;
  /** Every planned oddity, with its exact 1-based data-row positions. */
  dirt: DirtRecord[];
  /** Formatting features (quoted rows, leading-zero zips, BOM): counts and a sample of positions. */
  formats: FormatRecord[];
  /** After cleansing: rows = silverRows + quarantined.total + duplicatesRemoved. */
  expected: TableExpectation;
}

/**
 * Totals over silver rows, each table on its own (no join filtering: orphans count). Money in integer
 * cents, and as exact decimal strings.
 */
export interface GoldTotals {
  orders: number;
  orderItems: number;
  payments: number;
  reviews: number;
  customers: number;
  /** Distinct customer_unique_id in silver customers. */
  uniqueCustomers: number;
  priceCents: number;
  freightCents: number;
  paymentCents: number;
  sumPrice: string;
  sumFreight: string;
  sumPayment: string;
}

/** Silver rows that point at a row absent from the silver table they reference. */
export interface OrphanCounts {
  /** order_items whose product_id is not in silver products. */
  orderItemsWithoutProduct: number;
  /** order_items whose seller_id is not in silver sellers. */
  orderItemsWithoutSeller: number;
  /** orders whose customer_id is not in silver customers. */
  ordersWithoutCustomer: number;
}

export interface Manifest {
  generator: 'keystone-olist-synthetic';
  version: 1;
  scale: number;
  seed: number;
  /** The bad-row rate used, or null when bad rows were turned off (realistic dirt stays). */
  badRowRate: number | null;
  rules: typeof SILVER_RULES;
  tables: Record<TableName, TableManifest>;
  gold: GoldTotals;
  orphans: OrphanCounts;
}

export const MANIFEST_FILE = 'manifest.json';

/** Exact 'd.dd' from integer cents (no floating point on the way). */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * JSON with objects indented and arrays of numbers or strings kept on one line: position lists run to
 * tens of thousands of entries and one per line would bury the structure. Deterministic: no timestamps.
 */
export function renderManifest(manifest: Manifest): string {
  const render = (value: unknown, indent: string): string => {
    if (Array.isArray(value)) {
      if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
      const inner = indent + '  ';
      return `[\n${value.map((v) => inner + render(v, inner)).join(',\n')}\n${indent}]`;
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return '{}';
      const inner = indent + '  ';
      return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner)}`).join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(value);
  };
  return render(manifest, '') + '\n';
}
