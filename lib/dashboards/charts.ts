/**
 * The dashboards' SQL, all in one place. Every chart reads gold (the metric marts, or the gold facts
 * where a mart has no date to filter on) with the date range bound as `{{start_date}}` / `{{end_date}}`
 * parameters — the same text the "Open in SQL editor" link carries, so what a person opens is exactly
 * what drew the chart.
 */
import type { QueryParameter } from '../../db/schema';

export type Grain = 'day' | 'week' | 'month';
export const GRAINS: readonly Grain[] = ['day', 'week', 'month'];

export type ChartId = 'kpis' | 'gmv_over_time' | 'revenue_by_category' | 'on_time_by_state' | 'review_scores' | 'payment_mix';

export interface ChartDefinition {
  id: ChartId;
  title: string;
  description: string;
  /** The gold tables the chart reads (its cache depends on their versions). */
  reads: string[];
  sql: string;
}

export const DATE_PARAMETERS: QueryParameter[] = [
  { name: 'start_date', type: 'date', label: 'From' },
  { name: 'end_date', type: 'date', label: 'To' },
];

/** Purchase dates covered by the gold layer: the default range of the date filter. */
export const DATE_BOUNDS_SQL = `SELECT min(date) AS first_day, max(date) AS last_day FROM gold.mart_daily_sales WHERE orders > 0`;

const KPIS_SQL = `-- Headline figures for the chosen purchase dates
SELECT
  sum(s.gmv) AS gmv,
  sum(s.orders) AS orders,
  round(sum(s.gmv) / nullif(sum(s.orders), 0), 2) AS avg_order_value,
  (SELECT round(avg(CASE WHEN o.on_time THEN 1.0 ELSE 0.0 END), 4)
     FROM gold.fact_orders o
    WHERE o.on_time IS NOT NULL
      AND CAST(o.order_purchase_timestamp AS DATE) BETWEEN {{start_date}} AND {{end_date}}) AS on_time_rate
FROM gold.mart_daily_sales s
WHERE s.date BETWEEN {{start_date}} AND {{end_date}}`;

function gmvSql(grain: Grain): string {
  return `-- GMV (sum of item prices) and orders per ${grain} of purchase
SELECT CAST(date_trunc('${grain}', date) AS DATE) AS period,
       sum(gmv) AS gmv,
       sum(orders) AS orders
FROM gold.mart_daily_sales
WHERE date BETWEEN {{start_date}} AND {{end_date}}
GROUP BY 1
ORDER BY 1`;
}

const CATEGORY_SQL = `-- Revenue by product category (English), months overlapping the chosen dates
SELECT category,
       sum(revenue) AS revenue,
       sum(items) AS items,
       sum(orders) AS orders
FROM gold.mart_monthly_category_revenue
WHERE month BETWEEN CAST(date_trunc('month', {{start_date}}) AS DATE) AND {{end_date}}
GROUP BY 1
ORDER BY revenue DESC, category
LIMIT 15`;

const ON_TIME_SQL = `-- On-time delivery rate by customer state, for orders purchased in the chosen dates
-- (gold.mart_delivery_by_state with a date filter: the same rule, computed from gold.fact_orders)
SELECT coalesce(c.customer_state, '(unknown)') AS state,
       count(*) AS delivered_orders,
       round(avg(CASE WHEN o.on_time THEN 1.0 ELSE 0.0 END), 4) AS on_time_rate,
       round(avg(o.delivery_days), 2) AS avg_delivery_days
FROM gold.fact_orders o
JOIN gold.dim_customer c ON c.customer_sk = o.customer_sk
WHERE o.order_delivered_customer_date IS NOT NULL AND o.on_time IS NOT NULL
  AND CAST(o.order_purchase_timestamp AS DATE) BETWEEN {{start_date}} AND {{end_date}}
GROUP BY 1
ORDER BY delivered_orders DESC, state`;

const REVIEWS_SQL = `-- How many reviews gave each score, for reviews written in the chosen dates
-- (gold.mart_review_scores with a date filter, computed from gold.fact_reviews)
SELECT review_score,
       count(*) AS reviews,
       round(count(*) / sum(count(*)) OVER (), 4) AS share
FROM gold.fact_reviews
WHERE CAST(review_creation_date AS DATE) BETWEEN {{start_date}} AND {{end_date}}
GROUP BY 1
ORDER BY 1`;

const PAYMENTS_SQL = `-- Payment mix: value per payment type, for orders purchased in the chosen dates
-- (gold.mart_payment_mix with a date filter, computed from gold.fact_payments)
SELECT p.payment_type,
       count(*) AS payments,
       sum(p.payment_value) AS total_value,
       round(sum(p.payment_value) / sum(sum(p.payment_value)) OVER (), 4) AS value_share
FROM gold.fact_payments p
JOIN gold.dim_date d ON d.date_sk = p.purchase_date_sk
WHERE d.date BETWEEN {{start_date}} AND {{end_date}}
GROUP BY 1
ORDER BY total_value DESC`;

export function chartDefinitions(grain: Grain): ChartDefinition[] {
  return [
    { id: 'kpis', title: 'Headline figures', description: 'GMV, orders, average order value and on-time rate.', reads: ['mart_daily_sales', 'fact_orders'], sql: KPIS_SQL },
    {
      id: 'gmv_over_time',
      title: `GMV and orders per ${grain}`,
      description: 'Gross merchandise value (sum of item prices) and orders, by purchase date.',
      reads: ['mart_daily_sales'],
      sql: gmvSql(grain),
    },
    { id: 'revenue_by_category', title: 'Revenue by category', description: 'The 15 categories with the most revenue.', reads: ['mart_monthly_category_revenue'], sql: CATEGORY_SQL },
    { id: 'on_time_by_state', title: 'On-time delivery by state', description: 'Share of delivered orders that arrived by the estimated date.', reads: ['fact_orders', 'dim_customer'], sql: ON_TIME_SQL },
    { id: 'review_scores', title: 'Review scores', description: 'Reviews per score (1–5).', reads: ['fact_reviews'], sql: REVIEWS_SQL },
    { id: 'payment_mix', title: 'Payment mix', description: 'Payment value per payment type.', reads: ['fact_payments', 'dim_date'], sql: PAYMENTS_SQL },
  ];
}

/** The gold tables every dashboard needs; a missing one means the gold layer has not been built yet. */
export const REQUIRED_GOLD_TABLES = ['mart_daily_sales', 'mart_monthly_category_revenue', 'fact_orders', 'dim_customer', 'fact_reviews', 'fact_payments', 'dim_date'];
