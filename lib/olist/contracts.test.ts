import { describe, expect, it } from 'vitest';
import { BRAZIL_STATES, CONTRACTS, contractFor, columnNames, recognizeTable, type TableName } from './contracts';

/** Spelled out from DESIGN.md ("The Olist source tables"), typos included. */
const PUBLISHED: Record<TableName, { file: string; columns: string[] }> = {
  customers: {
    file: 'olist_customers_dataset.csv',
    columns: ['customer_id', 'customer_unique_id', 'customer_zip_code_prefix', 'customer_city', 'customer_state'],
  },
  geolocation: {
    file: 'olist_geolocation_dataset.csv',
    columns: ['geolocation_zip_code_prefix', 'geolocation_lat', 'geolocation_lng', 'geolocation_city', 'geolocation_state'],
  },
  order_items: {
    file: 'olist_order_items_dataset.csv',
    columns: ['order_id', 'order_item_id', 'product_id', 'seller_id', 'shipping_limit_date', 'price', 'freight_value'],
  },
  order_payments: {
    file: 'olist_order_payments_dataset.csv',
    columns: ['order_id', 'payment_sequential', 'payment_type', 'payment_installments', 'payment_value'],
  },
  order_reviews: {
    file: 'olist_order_reviews_dataset.csv',
    columns: ['review_id', 'order_id', 'review_score', 'review_comment_title', 'review_comment_message', 'review_creation_date', 'review_answer_timestamp'],
  },
  orders: {
    file: 'olist_orders_dataset.csv',
    columns: [
      'order_id', 'customer_id', 'order_status', 'order_purchase_timestamp', 'order_approved_at',
      'order_delivered_carrier_date', 'order_delivered_customer_date', 'order_estimated_delivery_date',
    ],
  },
  products: {
    file: 'olist_products_dataset.csv',
    columns: [
      'product_id', 'product_category_name', 'product_name_lenght', 'product_description_lenght', 'product_photos_qty',
      'product_weight_g', 'product_length_cm', 'product_height_cm', 'product_width_cm',
    ],
  },
  sellers: { file: 'olist_sellers_dataset.csv', columns: ['seller_id', 'seller_zip_code_prefix', 'seller_city', 'seller_state'] },
  category_translation: { file: 'product_category_name_translation.csv', columns: ['product_category_name', 'product_category_name_english'] },
};

const PUBLISHED_ROWS: Record<TableName, number> = {
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

describe('Olist contracts', () => {
  it('list the nine published tables with their exact file names, columns (in order) and volumes', () => {
    expect(CONTRACTS.map((c) => c.table).sort()).toEqual(Object.keys(PUBLISHED).sort());
    for (const contract of CONTRACTS) {
      expect(contract.file, contract.table).toBe(PUBLISHED[contract.table].file);
      expect(columnNames(contract), contract.table).toEqual(PUBLISHED[contract.table].columns);
      expect(contract.publishedRows, contract.table).toBe(PUBLISHED_ROWS[contract.table]);
    }
  });

  it('key each table as the data really is', () => {
    const keyOf = (t: TableName) => {
      const key = contractFor(t).key;
      return key.kind === 'full_row' ? 'full_row' : key.columns;
    };
    expect(keyOf('orders')).toEqual(['order_id']);
    expect(keyOf('order_items')).toEqual(['order_id', 'order_item_id']);
    expect(keyOf('order_payments')).toEqual(['order_id', 'payment_sequential']);
    expect(keyOf('order_reviews')).toEqual(['review_id', 'order_id']);
    expect(keyOf('customers')).toEqual(['customer_id']);
    expect(keyOf('geolocation')).toBe('full_row');
    expect(keyOf('products')).toEqual(['product_id']);
    expect(keyOf('sellers')).toEqual(['seller_id']);
    expect(keyOf('category_translation')).toEqual(['product_category_name']);
  });

  it('partition by the event date where there is one, and say what happens where there is none', () => {
    const partition = (t: TableName) => contractFor(t).partition;
    expect(partition('orders')).toMatchObject({ kind: 'event_column', column: 'order_purchase_timestamp' });
    expect(partition('order_items')).toMatchObject({ kind: 'event_column', column: 'shipping_limit_date' });
    expect(partition('order_reviews')).toMatchObject({ kind: 'event_column', column: 'review_creation_date' });
    expect(partition('order_payments')).toMatchObject({ kind: 'lookup', table: 'orders', column: 'order_purchase_timestamp', fallback: 'ingest_date' });
    for (const t of ['customers', 'geolocation', 'products', 'sellers', 'category_translation'] as const) {
      expect(partition(t).kind, t).toBe('ingest_date');
    }
  });

  it('make key and partition columns required, so no silver row lacks them', () => {
    for (const contract of CONTRACTS) {
      const required = new Set(contract.columns.filter((c) => c.required).map((c) => c.name));
      if (contract.key.kind === 'columns') for (const k of contract.key.columns) expect(required.has(k), `${contract.table}.${k}`).toBe(true);
      if (contract.partition.kind === 'event_column') expect(required.has(contract.partition.column), contract.table).toBe(true);
      if (contract.partition.kind === 'lookup') {
        const remote = contractFor(contract.partition.table);
        expect(remote.columns.find((c) => c.name === (contract.partition as { column: string }).column)?.required).toBe(true);
      }
    }
  });

  it('type money as decimal(12,2), zips as padded text, and close the value sets', () => {
    const column = (t: TableName, name: string) => contractFor(t).columns.find((c) => c.name === name)!;
    for (const [t, name] of [['order_items', 'price'], ['order_items', 'freight_value'], ['order_payments', 'payment_value']] as const) {
      expect(column(t, name).type).toBe('decimal(12,2)');
    }
    for (const [t, name] of [['customers', 'customer_zip_code_prefix'], ['sellers', 'seller_zip_code_prefix'], ['geolocation', 'geolocation_zip_code_prefix']] as const) {
      expect(column(t, name)).toMatchObject({ type: 'string', pattern: '^[0-9]{5}$' });
      expect(column(t, name).cleanse).toContainEqual({ op: 'pad_left', width: 5, fill: '0' });
    }
    expect(column('orders', 'order_status').accepted).toEqual(['created', 'approved', 'invoiced', 'processing', 'shipped', 'delivered', 'unavailable', 'canceled']);
    expect(column('order_payments', 'payment_type').accepted).toEqual(['credit_card', 'boleto', 'voucher', 'debit_card', 'not_defined']);
    expect(column('order_reviews', 'review_score').range).toEqual({ min: 1, max: 5 });
    expect(BRAZIL_STATES).toHaveLength(27);
    expect(new Set(BRAZIL_STATES).size).toBe(27);
    expect(column('customers', 'customer_state').accepted).toBe(BRAZIL_STATES);
    expect(column('orders', 'order_delivered_customer_date')).toMatchObject({ type: 'timestamp', required: false });
  });
});

describe('recognizeTable', () => {
  it('recognises a file by a shuffled, upper-cased, padded header with a BOM', () => {
    const columns = PUBLISHED.products.columns;
    const shuffled = [columns[3]!, columns[0]!, columns[8]!, columns[1]!, columns[5]!, columns[2]!, columns[7]!, columns[4]!, columns[6]!];
    const header = shuffled.map((c, i) => (i === 0 ? '\uFEFF' : '') + ` ${c.toUpperCase()} `);
    const found = recognizeTable(header);
    expect(found?.table).toBe('products');
    expect(found?.contract).toBe(contractFor('products'));
    // positions[k] is where contract column k sits in the header
    expect(found?.positions.map((p) => shuffled[p])).toEqual(columns);
  });

  it('recognises every table from its published header, quoted or not', () => {
    for (const [table, { columns }] of Object.entries(PUBLISHED)) {
      expect(recognizeTable(columns)?.table).toBe(table);
      expect(recognizeTable(columns.map((c) => `"${c}"`))?.table).toBe(table);
    }
  });

  it('rejects near misses: a fixed typo, a missing, extra or repeated column', () => {
    const columns = PUBLISHED.products.columns;
    expect(recognizeTable(columns.map((c) => c.replace('lenght', 'length')))).toBeUndefined();
    expect(recognizeTable(columns.slice(1))).toBeUndefined();
    expect(recognizeTable([...columns, 'extra'])).toBeUndefined();
    expect(recognizeTable([...columns.slice(1), columns[1]!])).toBeUndefined();
    expect(recognizeTable([])).toBeUndefined();
  });
});
