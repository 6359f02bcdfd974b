/**
 * A realistic increment for the incremental benchmark: a share of the orders, copied with new ids and
 * moved to the days right after the last purchase (new data arrives for new days), with their items,
 * payments and reviews shifted alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { quoteLiteral } from '../lib/catalog/identifiers';
import type { LakeContext } from '../lib/lake/context';

export async function makeIncrement(ctx: LakeContext, sourceDir: string, outDir: string, share: number) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const src = (f: string) => `read_csv(${quoteLiteral(path.join(sourceDir, f))}, header = true, all_varchar = true, strict_mode = false, null_padding = true)`;
  const out = (f: string) => quoteLiteral(path.join(outDir, f));
  const ts = (c: string) => `strftime(TRY_CAST(${c} AS TIMESTAMP) + d.shift, '%Y-%m-%d %H:%M:%S')`;
  const picked = `(
    WITH o AS (SELECT * FROM ${src('olist_orders_dataset.csv')} WHERE TRY_CAST(order_purchase_timestamp AS TIMESTAMP) IS NOT NULL),
         n AS (SELECT count(DISTINCT order_id) AS total, max(TRY_CAST(order_purchase_timestamp AS TIMESTAMP)) AS last FROM o),
         chosen AS (SELECT DISTINCT ON (order_id) * FROM o QUALIFY row_number() OVER (ORDER BY md5(order_id)) <= (SELECT ceil(total * ${share}) FROM n))
    SELECT c.*, md5(c.order_id || '+increment') AS new_id,
           (date_trunc('day', n.last) + INTERVAL 1 DAY + to_days(CAST(abs(hash(c.order_id)) % 30 AS INTEGER))
             + (TRY_CAST(c.order_purchase_timestamp AS TIMESTAMP) - date_trunc('day', TRY_CAST(c.order_purchase_timestamp AS TIMESTAMP))))
             - TRY_CAST(c.order_purchase_timestamp AS TIMESTAMP) AS shift
    FROM chosen c, n)`;
  await ctx.engine.execute(`CREATE OR REPLACE TEMP TABLE inc_orders AS SELECT * FROM ${picked};
    COPY (SELECT d.new_id AS order_id, d.customer_id, d.order_status, ${ts('d.order_purchase_timestamp')} AS order_purchase_timestamp,
                 ${ts('d.order_approved_at')} AS order_approved_at, ${ts('d.order_delivered_carrier_date')} AS order_delivered_carrier_date,
                 ${ts('d.order_delivered_customer_date')} AS order_delivered_customer_date, ${ts('d.order_estimated_delivery_date')} AS order_estimated_delivery_date
          FROM inc_orders d) TO ${out('orders.csv')} (HEADER, DELIMITER ',');
    COPY (SELECT d.new_id AS order_id, i.order_item_id, i.product_id, i.seller_id, ${ts('i.shipping_limit_date')} AS shipping_limit_date, i.price, i.freight_value
          FROM ${src('olist_order_items_dataset.csv')} i JOIN inc_orders d ON d.order_id = i.order_id) TO ${out('order_items.csv')} (HEADER, DELIMITER ',');
    COPY (SELECT d.new_id AS order_id, p.payment_sequential, p.payment_type, p.payment_installments, p.payment_value
          FROM ${src('olist_order_payments_dataset.csv')} p JOIN inc_orders d ON d.order_id = p.order_id) TO ${out('order_payments.csv')} (HEADER, DELIMITER ',');
    COPY (SELECT md5(r.review_id || '+increment') AS review_id, d.new_id AS order_id, r.review_score, r.review_comment_title, r.review_comment_message,
                 ${ts('r.review_creation_date')} AS review_creation_date, ${ts('r.review_answer_timestamp')} AS review_answer_timestamp
          FROM ${src('olist_order_reviews_dataset.csv')} r JOIN inc_orders d ON d.order_id = r.order_id) TO ${out('order_reviews.csv')} (HEADER, DELIMITER ',');`);
  return ['orders.csv', 'order_items.csv', 'order_payments.csv', 'order_reviews.csv'].map((f) => ({ path: path.join(outDir, f), displayName: `increment-${f}` }));
}
