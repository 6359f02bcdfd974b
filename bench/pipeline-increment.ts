/**
 * A realistic increment for the incremental benchmark: a share of the orders, copied with new ids and
 * moved to the days right after the last purchase (new data arrives for new days), with their items,
 * payments and reviews shifted alike. Made from silver, so it is clean and typed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { quoteLiteral } from '../lib/catalog/identifiers';
import type { LakeContext } from '../lib/lake/context';
import { syncLakeViews } from '../lib/lake/views';

/**
 * `withCustomers`: as Olist does, each new order gets a new customer_id, and the increment carries those
 * customers too (copied from the orders' customers).
 */
export async function makeIncrement(ctx: LakeContext, outDir: string, share: number, round = 1, withCustomers = false) {
  // Each round's ids are new (a later round would otherwise copy the same orders onto the same ids).
  const salt = quoteLiteral(round === 1 ? '+increment' : `+increment-${round}`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  await syncLakeViews(ctx.catalog, ctx.storage, ctx.engine, ctx.readable);
  const out = (f: string) => quoteLiteral(path.join(outDir, f));
  const ts = (c: string) => `strftime(${c} + d.shift, '%Y-%m-%d %H:%M:%S')`;
  await ctx.engine.execute(`CREATE OR REPLACE TEMP TABLE inc_orders AS
    WITH n AS (SELECT count(*) AS total, max(order_purchase_timestamp) AS last FROM silver.orders),
         chosen AS (SELECT * FROM silver.orders QUALIFY row_number() OVER (ORDER BY md5(order_id)) <= (SELECT ceil(total * ${share}) FROM n))
    SELECT c.*, md5(c.order_id || ${salt}) AS new_id, ${withCustomers ? `md5(c.customer_id || ${salt})` : 'c.customer_id'} AS new_customer_id,
           (date_trunc('day', n.last) + INTERVAL 1 DAY + to_days(CAST(abs(hash(c.order_id)) % 30 AS INTEGER))
             + (c.order_purchase_timestamp - date_trunc('day', c.order_purchase_timestamp))) - c.order_purchase_timestamp AS shift
    FROM chosen c, n;
    COPY (SELECT d.new_id AS order_id, d.new_customer_id AS customer_id, d.order_status, ${ts('d.order_purchase_timestamp')} AS order_purchase_timestamp,
                 ${ts('d.order_approved_at')} AS order_approved_at, ${ts('d.order_delivered_carrier_date')} AS order_delivered_carrier_date,
                 ${ts('d.order_delivered_customer_date')} AS order_delivered_customer_date, ${ts('CAST(d.order_estimated_delivery_date AS TIMESTAMP)')} AS order_estimated_delivery_date
          FROM inc_orders d) TO ${out('orders.csv')} (HEADER, DELIMITER ',');
    COPY (SELECT d.new_id AS order_id, i.order_item_id, i.product_id, i.seller_id, ${ts('i.shipping_limit_date')} AS shipping_limit_date, i.price, i.freight_value
          FROM silver.order_items i JOIN inc_orders d ON d.order_id = i.order_id) TO ${out('order_items.csv')} (HEADER, DELIMITER ',');
    COPY (SELECT d.new_id AS order_id, p.payment_sequential, p.payment_type, p.payment_installments, p.payment_value
          FROM silver.order_payments p JOIN inc_orders d ON d.order_id = p.order_id) TO ${out('order_payments.csv')} (HEADER, DELIMITER ',');
    COPY (SELECT md5(r.review_id || ${salt}) AS review_id, d.new_id AS order_id, r.review_score, r.review_comment_title, r.review_comment_message,
                 ${ts('CAST(r.review_creation_date AS TIMESTAMP)')} AS review_creation_date, ${ts('r.review_answer_timestamp')} AS review_answer_timestamp
          FROM silver.order_reviews r JOIN inc_orders d ON d.order_id = r.order_id) TO ${out('order_reviews.csv')} (HEADER, DELIMITER ',');
    ${
      // In the same statement batch: the temp table lives on one pooled connection.
      withCustomers
        ? `COPY (SELECT d.new_customer_id AS customer_id, c.customer_unique_id, c.customer_zip_code_prefix, c.customer_city, c.customer_state
                 FROM silver.customers c JOIN inc_orders d ON d.customer_id = c.customer_id) TO ${out('customers.csv')} (HEADER, DELIMITER ',');`
        : ''
    }`);
  const files = ['orders.csv', 'order_items.csv', 'order_payments.csv', 'order_reviews.csv', ...(withCustomers ? ['customers.csv'] : [])];
  return files.map((f) => ({ path: path.join(outDir, f), displayName: `increment-${f}` }));
}
