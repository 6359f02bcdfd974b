/**
 * The gold layer, one SQL model per table, written once. A star schema (dimensions with surrogate keys
 * and an "unknown" member, facts that never drop a row for a missing reference) and the metric marts the
 * dashboards read. Models read `silver.<table>` at its current version and earlier gold models of the
 * same run as `gold_next.<model>`.
 *
 * Surrogate keys are derived from the natural key (60 bits of its md5), so they are stable across runs
 * and engines; 0 is the unknown member of every dimension.
 */
export interface GoldModel {
  name: string;
  kind: 'dimension' | 'fact' | 'mart';
  description: string;
  sql: string;
}

/** Surrogate key of a natural key: stable, engine-independent (the Athena adapter overrides the spelling). */
export const sk = (expr: string) => `CAST(('0x' || substr(md5(CAST(${expr} AS VARCHAR)), 1, 15)) AS BIGINT)`;
const dateSk = (expr: string) => `coalesce(CAST(strftime(CAST(${expr} AS DATE), '%Y%m%d') AS INTEGER), 0)`;
const UNKNOWN = `'(unknown)'`;

export const GOLD_MODELS: readonly GoldModel[] = [
  {
    name: 'dim_customer',
    kind: 'dimension',
    description: 'One row per customer_id (Olist issues one per order) with the person (customer_unique_id) and location.',
    sql: `
SELECT ${sk('customer_id')} AS customer_sk, customer_id, customer_unique_id, customer_zip_code_prefix, customer_city, customer_state
FROM silver.customers
UNION ALL SELECT 0, ${UNKNOWN}, ${UNKNOWN}, NULL, ${UNKNOWN}, NULL
ORDER BY customer_sk`,
  },
  {
    name: 'dim_seller',
    kind: 'dimension',
    description: 'One row per seller with where it ships from.',
    sql: `
SELECT ${sk('seller_id')} AS seller_sk, seller_id, seller_zip_code_prefix, seller_city, seller_state FROM silver.sellers
UNION ALL SELECT 0, ${UNKNOWN}, NULL, ${UNKNOWN}, NULL
ORDER BY seller_sk`,
  },
  {
    name: 'dim_product',
    kind: 'dimension',
    description: 'One row per product with its category in Portuguese and English (untranslated names kept, missing ones "unknown").',
    sql: `
SELECT ${sk('p.product_id')} AS product_sk, p.product_id,
       coalesce(p.product_category_name, 'unknown') AS category,
       coalesce(t.product_category_name_english, p.product_category_name, 'unknown') AS category_english,
       p.product_name_lenght AS name_length, p.product_description_lenght AS description_length, p.product_photos_qty AS photos,
       p.product_weight_g AS weight_g, p.product_length_cm AS length_cm, p.product_height_cm AS height_cm, p.product_width_cm AS width_cm
FROM silver.products p LEFT JOIN silver.category_translation t ON t.product_category_name = p.product_category_name
UNION ALL SELECT 0, ${UNKNOWN}, 'unknown', 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL
ORDER BY product_sk`,
  },
  {
    name: 'dim_geolocation',
    kind: 'dimension',
    description: 'One row per zip code prefix: median coordinates of its points and its most common city and state.',
    sql: `
SELECT ${sk('geolocation_zip_code_prefix')} AS geolocation_sk, geolocation_zip_code_prefix AS zip_code_prefix,
       median(geolocation_lat) AS lat, median(geolocation_lng) AS lng,
       mode(geolocation_city) AS city, mode(geolocation_state) AS state, count(*) AS points
FROM silver.geolocation GROUP BY geolocation_zip_code_prefix
UNION ALL SELECT 0, ${UNKNOWN}, NULL, NULL, ${UNKNOWN}, NULL, 0
ORDER BY geolocation_sk`,
  },
  {
    name: 'fact_orders',
    kind: 'fact',
    description: 'One row per order: status, lifecycle dates, item, freight and payment totals, and delivery against the estimate.',
    sql: `
WITH items AS (SELECT order_id, count(*) AS items, sum(price) AS items_value, sum(freight_value) AS freight_value FROM silver.order_items GROUP BY 1),
     pays AS (SELECT order_id, count(*) AS payments, sum(payment_value) AS payment_value FROM silver.order_payments GROUP BY 1)
SELECT ${sk('o.order_id')} AS order_sk, o.order_id,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE ${sk('o.customer_id')} END AS customer_sk,
       ${dateSk('o.order_purchase_timestamp')} AS purchase_date_sk,
       o.order_status, o.order_purchase_timestamp, o.order_approved_at, o.order_delivered_carrier_date,
       o.order_delivered_customer_date, o.order_estimated_delivery_date,
       coalesce(i.items, 0) AS items, coalesce(i.items_value, 0) AS items_value, coalesce(i.freight_value, 0) AS freight_value,
       coalesce(p.payments, 0) AS payments, coalesce(p.payment_value, 0) AS payment_value,
       CASE WHEN o.order_delivered_customer_date IS NOT NULL THEN date_diff('day', CAST(o.order_purchase_timestamp AS DATE), CAST(o.order_delivered_customer_date AS DATE)) END AS delivery_days,
       CASE WHEN o.order_delivered_customer_date IS NOT NULL AND o.order_estimated_delivery_date IS NOT NULL
            THEN CAST(o.order_delivered_customer_date AS DATE) <= o.order_estimated_delivery_date END AS on_time,
       CASE WHEN o.order_delivered_customer_date IS NOT NULL AND o.order_estimated_delivery_date IS NOT NULL
            THEN greatest(date_diff('day', o.order_estimated_delivery_date, CAST(o.order_delivered_customer_date AS DATE)), 0) END AS days_late
FROM silver.orders o
LEFT JOIN silver.customers c ON c.customer_id = o.customer_id
LEFT JOIN items i ON i.order_id = o.order_id
LEFT JOIN pays p ON p.order_id = o.order_id
ORDER BY o.order_purchase_timestamp, o.order_id`,
  },
  {
    name: 'fact_order_items',
    kind: 'fact',
    description: 'One row per order item (unit sold); references that are missing point to the unknown members.',
    sql: `
SELECT ${sk('i.order_id')} AS order_sk, i.order_id, i.order_item_id,
       CASE WHEN p.product_id IS NULL THEN 0 ELSE ${sk('i.product_id')} END AS product_sk,
       CASE WHEN s.seller_id IS NULL THEN 0 ELSE ${sk('i.seller_id')} END AS seller_sk,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE ${sk('o.customer_id')} END AS customer_sk,
       ${dateSk('o.order_purchase_timestamp')} AS purchase_date_sk,
       ${dateSk('i.shipping_limit_date')} AS shipping_limit_date_sk,
       i.product_id, i.seller_id, i.shipping_limit_date, i.price, i.freight_value
FROM silver.order_items i
LEFT JOIN silver.orders o ON o.order_id = i.order_id
LEFT JOIN silver.customers c ON c.customer_id = o.customer_id
LEFT JOIN silver.products p ON p.product_id = i.product_id
LEFT JOIN silver.sellers s ON s.seller_id = i.seller_id
ORDER BY i.order_id, i.order_item_id`,
  },
  {
    name: 'fact_payments',
    kind: 'fact',
    description: 'One row per payment instrument of an order.',
    sql: `
SELECT ${sk('pm.order_id')} AS order_sk, pm.order_id, pm.payment_sequential, pm.payment_type, pm.payment_installments, pm.payment_value,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE ${sk('o.customer_id')} END AS customer_sk,
       ${dateSk('o.order_purchase_timestamp')} AS purchase_date_sk
FROM silver.order_payments pm
LEFT JOIN silver.orders o ON o.order_id = pm.order_id
LEFT JOIN silver.customers c ON c.customer_id = o.customer_id
ORDER BY pm.order_id, pm.payment_sequential`,
  },
  {
    name: 'fact_reviews',
    kind: 'fact',
    description: 'One row per (review, order): the score, whether it has a comment, and how long the answer took.',
    sql: `
SELECT ${sk("r.review_id || '|' || r.order_id")} AS review_sk, r.review_id, r.order_id, ${sk('r.order_id')} AS order_sk,
       CASE WHEN c.customer_id IS NULL THEN 0 ELSE ${sk('o.customer_id')} END AS customer_sk,
       ${dateSk('r.review_creation_date')} AS creation_date_sk,
       r.review_score, r.review_comment_title IS NOT NULL OR r.review_comment_message IS NOT NULL AS has_comment,
       r.review_creation_date, r.review_answer_timestamp,
       CASE WHEN r.review_answer_timestamp IS NOT NULL THEN date_diff('hour', CAST(r.review_creation_date AS TIMESTAMP), r.review_answer_timestamp) END AS answer_hours
FROM silver.order_reviews r
LEFT JOIN silver.orders o ON o.order_id = r.order_id
LEFT JOIN silver.customers c ON c.customer_id = o.customer_id
ORDER BY r.review_creation_date, r.review_id, r.order_id`,
  },
  {
    name: 'dim_date',
    kind: 'dimension',
    description: 'One row per calendar day of every year a fact has a date in, plus the unknown day (date_sk 0).',
    sql: `
WITH bounds AS (
  SELECT coalesce(min(d), DATE '2016-01-01') AS lo, coalesce(max(d), DATE '2018-12-31') AS hi FROM (
    SELECT CAST(order_purchase_timestamp AS DATE) AS d FROM gold_next.fact_orders
    UNION ALL SELECT CAST(order_estimated_delivery_date AS DATE) FROM gold_next.fact_orders
    UNION ALL SELECT CAST(order_delivered_customer_date AS DATE) FROM gold_next.fact_orders
    UNION ALL SELECT CAST(shipping_limit_date AS DATE) FROM gold_next.fact_order_items
    UNION ALL SELECT CAST(review_creation_date AS DATE) FROM gold_next.fact_reviews)
),
days AS (
  SELECT CAST(generate_series AS DATE) AS d
  FROM bounds, generate_series(CAST(date_trunc('year', lo) AS TIMESTAMP), CAST(date_trunc('year', hi) + INTERVAL 1 YEAR - INTERVAL 1 DAY AS TIMESTAMP), INTERVAL 1 DAY)
)
SELECT ${dateSk('d')} AS date_sk, d AS date, year(d) AS year, quarter(d) AS quarter, month(d) AS month,
       monthname(d) AS month_name, day(d) AS day, isodow(d) AS day_of_week, dayname(d) AS day_name,
       isodow(d) >= 6 AS is_weekend, CAST(date_trunc('week', d) AS DATE) AS week_start, CAST(date_trunc('month', d) AS DATE) AS month_start
FROM days
UNION ALL
SELECT 0, NULL, NULL, NULL, NULL, ${UNKNOWN}, NULL, NULL, ${UNKNOWN}, NULL, NULL, NULL
ORDER BY date_sk`,
  },
  {
    name: 'mart_daily_sales',
    kind: 'mart',
    description: 'Per purchase day: orders, items, GMV (sum of item prices), freight and average order value.',
    sql: `
WITH o AS (SELECT purchase_date_sk, count(*) AS orders FROM gold_next.fact_orders WHERE purchase_date_sk <> 0 GROUP BY 1),
     i AS (SELECT purchase_date_sk, count(*) AS items, sum(price) AS gmv, sum(freight_value) AS freight FROM gold_next.fact_order_items WHERE purchase_date_sk <> 0 GROUP BY 1)
SELECT d.date, d.date_sk, coalesce(o.orders, 0) AS orders, coalesce(i.items, 0) AS items,
       coalesce(i.gmv, 0) AS gmv, coalesce(i.freight, 0) AS freight,
       CASE WHEN coalesce(o.orders, 0) > 0 THEN round(coalesce(i.gmv, 0) / o.orders, 2) END AS avg_order_value
FROM gold_next.dim_date d LEFT JOIN o ON o.purchase_date_sk = d.date_sk LEFT JOIN i ON i.purchase_date_sk = d.date_sk
WHERE d.date_sk <> 0 AND d.date BETWEEN (SELECT min(d2.date) FROM gold_next.dim_date d2 JOIN o ON o.purchase_date_sk = d2.date_sk)
                                    AND (SELECT max(d2.date) FROM gold_next.dim_date d2 JOIN o ON o.purchase_date_sk = d2.date_sk)
ORDER BY d.date`,
  },
  {
    name: 'mart_monthly_category_revenue',
    kind: 'mart',
    description: 'Per purchase month and product category (English): revenue, items and orders.',
    sql: `
SELECT d.month_start AS month, p.category_english AS category, sum(f.price) AS revenue, count(*) AS items, count(DISTINCT f.order_id) AS orders
FROM gold_next.fact_order_items f
JOIN gold_next.dim_date d ON d.date_sk = f.purchase_date_sk
JOIN gold_next.dim_product p ON p.product_sk = f.product_sk
WHERE f.purchase_date_sk <> 0
GROUP BY 1, 2 ORDER BY 1, 3 DESC`,
  },
  {
    name: 'mart_seller_scorecard',
    kind: 'mart',
    description: 'Per seller: orders, items, revenue, average review score, on-time delivery rate and average delivery days.',
    sql: `
WITH per_order AS (
  SELECT f.seller_sk, f.order_id, sum(f.price) AS revenue, count(*) AS items FROM gold_next.fact_order_items f GROUP BY 1, 2)
SELECT s.seller_sk, s.seller_id, s.seller_city, s.seller_state,
       count(*) AS orders, sum(po.items) AS items, sum(po.revenue) AS revenue,
       round(avg(r.review_score), 2) AS avg_review_score,
       round(avg(CASE WHEN o.on_time THEN 1.0 WHEN NOT o.on_time THEN 0.0 END), 4) AS on_time_rate,
       round(avg(o.delivery_days), 2) AS avg_delivery_days
FROM per_order po
JOIN gold_next.dim_seller s ON s.seller_sk = po.seller_sk
LEFT JOIN gold_next.fact_orders o ON o.order_id = po.order_id
LEFT JOIN (SELECT order_id, avg(review_score) AS review_score FROM gold_next.fact_reviews GROUP BY 1) r ON r.order_id = po.order_id
GROUP BY 1, 2, 3, 4 ORDER BY revenue DESC, s.seller_id`,
  },
  {
    name: 'mart_delivery_by_state',
    kind: 'mart',
    description: 'Per customer state: delivered orders, on-time rate, average delivery days and average days late of the late ones.',
    sql: `
SELECT coalesce(c.customer_state, '(unknown)') AS state, count(*) AS delivered_orders,
       round(avg(CASE WHEN o.on_time THEN 1.0 ELSE 0.0 END), 4) AS on_time_rate,
       round(avg(o.delivery_days), 2) AS avg_delivery_days,
       round(avg(o.days_late) FILTER (WHERE o.days_late > 0), 2) AS avg_days_late
FROM gold_next.fact_orders o JOIN gold_next.dim_customer c ON c.customer_sk = o.customer_sk
WHERE o.order_delivered_customer_date IS NOT NULL AND o.on_time IS NOT NULL
GROUP BY 1 ORDER BY delivered_orders DESC, state`,
  },
  {
    name: 'mart_review_scores',
    kind: 'mart',
    description: 'How many reviews gave each score, and the share of all reviews.',
    sql: `
SELECT review_score, count(*) AS reviews, round(count(*) / sum(count(*)) OVER (), 4) AS share
FROM gold_next.fact_reviews GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'mart_payment_mix',
    kind: 'mart',
    description: 'Per payment type: payments, total value, share of value and average installments.',
    sql: `
SELECT payment_type, count(*) AS payments, sum(payment_value) AS total_value,
       round(sum(payment_value) / sum(sum(payment_value)) OVER (), 4) AS value_share,
       round(avg(payment_installments), 2) AS avg_installments
FROM gold_next.fact_payments GROUP BY 1 ORDER BY total_value DESC`,
  },
];
