/**
 * The nine Olist source tables as data: exact published columns (typos included), types after
 * cleansing, required-ness, natural keys, silver partitioning and cleansing rules. Cleansing semantics
 * are defined in contract-types.ts, survival and dedup in silver-rules.ts.
 */
import { KeystoneError } from '../errors';
import type { CleanseStep, ColumnContract, ColumnType, TableContract, TableName, ValueRange } from './contract-types';
import { BRAZIL_BOUNDS, BRAZIL_STATES, ORDER_STATUSES, PAYMENT_TYPES } from './domains';

export type * from './contract-types';
export { CAST_PATTERNS } from './contract-types';
export { BRAZIL_BOUNDS, BRAZIL_STATES, ORDER_STATUSES, PAYMENT_TYPES } from './domains';
export { SILVER_RULES, QUARANTINE_REASONS } from './silver-rules';

const TRIM: readonly CleanseStep[] = [{ op: 'trim' }];
const CODE: readonly CleanseStep[] = [{ op: 'trim' }, { op: 'lower' }];

function col(name: string, type: ColumnType, required: boolean, extra: Partial<ColumnContract> = {}): ColumnContract {
  return { name, type, required, cleanse: TRIM, ...extra };
}

/** Olist ids are opaque 32-hex strings; we do not pattern-check them so a re-keyed copy still loads. */
const id = (name: string, note?: string) => col(name, 'string', true, note === undefined ? {} : { note });

/**
 * Zip prefixes are text: "09790" is São Bernardo do Campo, 9790 is nothing. Copies that went through a
 * spreadsheet lost the leading zero, so shorter values are padded back.
 */
const zip = (name: string) =>
  col(name, 'string', true, {
    cleanse: [{ op: 'trim' }, { op: 'pad_left', width: 5, fill: '0' }],
    pattern: '^[0-9]{5}$',
    note: '5-character text, left-padded with zeros',
  });

/**
 * Cities are normalised to the form the customers and sellers files already use (lower case, no accents,
 * single spaces), so geolocation's "são paulo", "sao paulo" and "SAO PAULO " all join as "sao paulo".
 * Accents are dropped rather than restored because restoring needs a gazetteer and the ASCII form is
 * what most rows already carry.
 */
const city = (name: string) =>
  col(name, 'string', false, {
    cleanse: [{ op: 'trim' }, { op: 'collapse_spaces' }, { op: 'lower' }, { op: 'strip_accents' }],
    note: 'lower case, trimmed, single spaces, accents stripped',
  });

const state = (name: string) =>
  col(name, 'string', false, { cleanse: [{ op: 'trim' }, { op: 'upper' }], accepted: BRAZIL_STATES, note: 'one of the 27 UFs' });

const timestamp = (name: string, required: boolean, note?: string) =>
  col(name, 'timestamp', required, note === undefined ? {} : { note });

const money = (name: string, range: ValueRange) => col(name, 'decimal(12,2)', true, { range });

const count = (name: string, required: boolean, range: ValueRange) => col(name, 'integer', required, { range });

const NON_NEGATIVE: ValueRange = { min: 0 };

export const CUSTOMERS: TableContract = {
  table: 'customers',
  file: 'olist_customers_dataset.csv',
  description: 'One row per order-customer: customer_id is per order, customer_unique_id is the person.',
  publishedRows: 99_441,
  columns: [
    id('customer_id'),
    id('customer_unique_id', 'the person; 96,096 distinct in the published data'),
    zip('customer_zip_code_prefix'),
    city('customer_city'),
    state('customer_state'),
  ],
  key: { kind: 'columns', columns: ['customer_id'], note: 'customer_id is unique per order' },
  partition: { kind: 'ingest_date', note: 'no event date of its own: a snapshot per load; the current view is the latest row per key' },
  quirks: ['zip prefixes with leading zeros ("01310") that must stay text', 'fields quoted in some rows, bare in others'],
};

export const GEOLOCATION: TableContract = {
  table: 'geolocation',
  file: 'olist_geolocation_dataset.csv',
  description: 'Many coordinates per zip prefix; the same prefix spans several lat/lng points and city spellings.',
  publishedRows: 1_000_163,
  columns: [
    zip('geolocation_zip_code_prefix'),
    col('geolocation_lat', 'double', true, { range: { min: BRAZIL_BOUNDS.minLat, max: BRAZIL_BOUNDS.maxLat }, note: "within Brazil's bounding box" }),
    col('geolocation_lng', 'double', true, { range: { min: BRAZIL_BOUNDS.minLng, max: BRAZIL_BOUNDS.maxLng }, note: "within Brazil's bounding box" }),
    city('geolocation_city'),
    state('geolocation_state'),
  ],
  key: {
    kind: 'full_row',
    note:
      'No column set is unique (a zip prefix has many points, a point can repeat). Dedup collapses rows whose ' +
      'whole cleansed content is equal, so exact duplicates and spelling variants of one point disappear while ' +
      'distinct points of a prefix stay. Consumers wanting one point per prefix aggregate in gold (e.g. the median).',
  },
  partition: { kind: 'ingest_date', note: 'reference data without an event date: a snapshot per load' },
  quirks: [
    'city names in mixed case, with accents or without, with stray spaces ("são paulo", "sao paulo", "SAO PAULO ")',
    'many exact duplicate rows',
    'zip prefixes with leading zeros',
  ],
};

export const ORDER_ITEMS: TableContract = {
  table: 'order_items',
  file: 'olist_order_items_dataset.csv',
  description: 'One row per unit sold: an order with two units of one product has order_item_id 1 and 2.',
  publishedRows: 112_650,
  columns: [
    id('order_id'),
    count('order_item_id', true, { min: 1 }),
    id('product_id'),
    id('seller_id'),
    timestamp('shipping_limit_date', true, 'the partition date, hence required'),
    money('price', { min: 0, minExclusive: true }),
    money('freight_value', NON_NEGATIVE),
  ],
  key: { kind: 'columns', columns: ['order_id', 'order_item_id'], note: 'order_item_id numbers the units within an order' },
  partition: { kind: 'event_column', column: 'shipping_limit_date', note: "the seller's shipping deadline, set at sale time" },
  quirks: ['rows whose product or seller is absent from the products / sellers files'],
};

export const ORDER_PAYMENTS: TableContract = {
  table: 'order_payments',
  file: 'olist_order_payments_dataset.csv',
  description: 'One row per payment instrument of an order; vouchers often split an order into several rows.',
  publishedRows: 103_886,
  columns: [
    id('order_id'),
    count('payment_sequential', true, { min: 1 }),
    col('payment_type', 'string', true, { cleanse: CODE, accepted: PAYMENT_TYPES }),
    count('payment_installments', true, { min: 0, max: 24 }),
    money('payment_value', NON_NEGATIVE),
  ],
  key: { kind: 'columns', columns: ['order_id', 'payment_sequential'], note: 'payment_sequential numbers the instruments within an order' },
  partition: {
    kind: 'lookup',
    table: 'orders',
    on: [{ local: 'order_id', remote: 'order_id' }],
    column: 'order_purchase_timestamp',
    fallback: 'ingest_date',
    note:
      "payments carry no date of their own; they are filed under their order's purchase date so an order and its " +
      'payments share a partition. A payment whose order is not in silver falls back to the ingest date.',
  },
  quirks: ['payment_installments is 0 on a few real rows', 'payment_value written as a float ("24.0", "18.1")'],
};

export const ORDER_REVIEWS: TableContract = {
  table: 'order_reviews',
  file: 'olist_order_reviews_dataset.csv',
  description: 'Satisfaction survey answers; one survey (review_id) can cover several orders.',
  publishedRows: 99_224,
  columns: [
    id('review_id'),
    id('order_id'),
    count('review_score', true, { min: 1, max: 5 }),
    col('review_comment_title', 'string', false),
    col('review_comment_message', 'string', false, { note: 'Portuguese free text; may contain line breaks and quotes' }),
    col('review_creation_date', 'date', true, { note: 'written as "YYYY-MM-DD 00:00:00"' }),
    timestamp('review_answer_timestamp', false),
  ],
  key: {
    kind: 'columns',
    columns: ['review_id', 'order_id'],
    note: 'review_id alone is not unique: one review can belong to several orders (real structure, not an error)',
  },
  partition: { kind: 'event_column', column: 'review_creation_date', note: 'the day the survey was sent' },
  quirks: [
    'messages with accents, line breaks (CRLF or LF) and embedded double quotes inside quoted fields',
    'most reviews have no title, many no message',
    'the same review_id on several orders',
  ],
};

export const ORDERS: TableContract = {
  table: 'orders',
  file: 'olist_orders_dataset.csv',
  description: 'One row per order with its lifecycle timestamps.',
  publishedRows: 99_441,
  columns: [
    id('order_id'),
    id('customer_id'),
    col('order_status', 'string', true, { cleanse: CODE, accepted: ORDER_STATUSES }),
    timestamp('order_purchase_timestamp', true, 'the partition date, hence required'),
    timestamp('order_approved_at', false, 'empty until approved'),
    timestamp('order_delivered_carrier_date', false, 'empty until handed to the carrier'),
    timestamp('order_delivered_customer_date', false, 'empty unless delivered'),
    col('order_estimated_delivery_date', 'date', false, { note: 'written as "YYYY-MM-DD 00:00:00"' }),
  ],
  key: { kind: 'columns', columns: ['order_id'], note: 'one row per order' },
  partition: { kind: 'event_column', column: 'order_purchase_timestamp', note: 'the purchase instant' },
  quirks: ['empty strings for timestamps that have not happened yet', 'orders whose customer is absent from the customers file'],
};

export const PRODUCTS: TableContract = {
  table: 'products',
  file: 'olist_products_dataset.csv',
  description: 'Product catalogue with measures; category names in Portuguese.',
  publishedRows: 32_951,
  columns: [
    id('product_id'),
    col('product_category_name', 'string', false, { cleanse: CODE, note: 'empty for products without a category' }),
    count('product_name_lenght', false, NON_NEGATIVE),
    count('product_description_lenght', false, NON_NEGATIVE),
    count('product_photos_qty', false, NON_NEGATIVE),
    count('product_weight_g', false, NON_NEGATIVE),
    count('product_length_cm', false, NON_NEGATIVE),
    count('product_height_cm', false, NON_NEGATIVE),
    count('product_width_cm', false, NON_NEGATIVE),
  ],
  key: { kind: 'columns', columns: ['product_id'], note: 'one row per product' },
  partition: { kind: 'ingest_date', note: 'no event date of its own: a snapshot per load' },
  quirks: [
    '"lenght" is misspelt in the published header and must be matched as is',
    'products without a category: empty category and empty name/description lengths and photo count',
    'two categories (pc_gamer, portateis_cozinha_e_preparadores_de_alimentos) have no English translation',
  ],
};

export const SELLERS: TableContract = {
  table: 'sellers',
  file: 'olist_sellers_dataset.csv',
  description: 'Marketplace sellers and where they ship from.',
  publishedRows: 3_095,
  columns: [id('seller_id'), zip('seller_zip_code_prefix'), city('seller_city'), state('seller_state')],
  key: { kind: 'columns', columns: ['seller_id'], note: 'one row per seller' },
  partition: { kind: 'ingest_date', note: 'no event date of its own: a snapshot per load' },
  quirks: ['zip prefixes with leading zeros', 'city names with stray spaces or in upper case'],
};

export const CATEGORY_TRANSLATION: TableContract = {
  table: 'category_translation',
  file: 'product_category_name_translation.csv',
  description: 'Portuguese category name → English name.',
  publishedRows: 71,
  columns: [col('product_category_name', 'string', true, { cleanse: CODE }), col('product_category_name_english', 'string', true, { cleanse: CODE })],
  key: { kind: 'columns', columns: ['product_category_name'], note: 'one row per Portuguese name' },
  partition: { kind: 'ingest_date', note: 'a 71-row lookup: a snapshot per load' },
  quirks: ['starts with a UTF-8 BOM, which a reader must strip from the first header name', 'English names keep their typos (costruction_tools_garden, fashio_female_clothing)'],
};

/** In the order of the published dataset's listing. */
export const CONTRACTS: readonly TableContract[] = [
  CUSTOMERS,
  GEOLOCATION,
  ORDER_ITEMS,
  ORDER_PAYMENTS,
  ORDER_REVIEWS,
  ORDERS,
  PRODUCTS,
  SELLERS,
  CATEGORY_TRANSLATION,
];

export const TABLE_NAMES: readonly TableName[] = CONTRACTS.map((c) => c.table);

const BY_TABLE = new Map<TableName, TableContract>(CONTRACTS.map((c) => [c.table, c]));

export function contractFor(table: TableName): TableContract {
  const contract = BY_TABLE.get(table);
  if (contract === undefined) throw new KeystoneError('bad_request:olist_table', `no Olist table named ${table}`);
  return contract;
}

export function columnNames(contract: TableContract): string[] {
  return contract.columns.map((c) => c.name);
}

export function columnIndex(contract: TableContract, name: string): number {
  const i = contract.columns.findIndex((c) => c.name === name);
  if (i < 0) throw new KeystoneError('bad_request:olist_column', `${contract.table} has no column ${name}`);
  return i;
}

/** Header cell as written → comparable name: BOM stripped, surrounding quotes and spaces removed, lower case. */
export function normalizeHeaderName(cell: string): string {
  let s = cell.replace(/^\uFEFF/, '').trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1).replaceAll('""', '"').trim();
  return s.toLowerCase();
}

export interface RecognizedTable {
  table: TableName;
  contract: TableContract;
  /** For each contract column (in contract order), its index in the given header. */
  positions: number[];
}

const signature = (names: readonly string[]) => [...names].sort().join('\u0000');
const BY_SIGNATURE = new Map<string, TableContract>(CONTRACTS.map((c) => [signature(columnNames(c)), c]));

/**
 * Which Olist table a file holds, from its header alone: file names of real copies vary (samples,
 * re-exports, uploads), the columns do not. Case, surrounding spaces, a BOM and column order are ignored;
 * anything else — a missing, extra, duplicated or differently spelt column — is not that table.
 */
export function recognizeTable(header: readonly string[]): RecognizedTable | undefined {
  const names = header.map(normalizeHeaderName);
  const contract = BY_SIGNATURE.get(signature(names));
  if (contract === undefined) return undefined;
  const positions = contract.columns.map((c) => names.indexOf(c.name));
  return { table: contract.table, contract, positions };
}

export function isTableName(name: string): name is TableName {
  return (TABLE_NAMES as readonly string[]).includes(name);
}
