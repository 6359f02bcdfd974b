/**
 * Gold must add up to silver, exactly (money compared as DECIMAL, i.e. to the cent): the pairs of
 * queries both engines run after building gold and before publishing it (run-gold.ts on DuckDB,
 * athena/run-athena.ts on Athena, which rewrites the table names).
 */
import type { CheckRecord } from '../../catalog/runs';

export interface ReconciliationPair {
  name: string;
  silver: string;
  gold: string;
}

export const GOLD_RECONCILIATION: readonly ReconciliationPair[] = [
  { name: 'order items', silver: 'SELECT count(*) FROM silver.order_items', gold: 'SELECT count(*) FROM gold_next.fact_order_items' },
  { name: 'sum of price', silver: 'SELECT coalesce(sum(price), 0) FROM silver.order_items', gold: 'SELECT coalesce(sum(price), 0) FROM gold_next.fact_order_items' },
  { name: 'sum of freight', silver: 'SELECT coalesce(sum(freight_value), 0) FROM silver.order_items', gold: 'SELECT coalesce(sum(freight_value), 0) FROM gold_next.fact_order_items' },
  { name: 'sum of payment value', silver: 'SELECT coalesce(sum(payment_value), 0) FROM silver.order_payments', gold: 'SELECT coalesce(sum(payment_value), 0) FROM gold_next.fact_payments' },
  { name: 'orders', silver: 'SELECT count(*) FROM silver.orders', gold: 'SELECT count(*) FROM gold_next.fact_orders' },
  { name: 'reviews', silver: 'SELECT count(*) FROM silver.order_reviews', gold: 'SELECT count(*) FROM gold_next.fact_reviews' },
  { name: 'GMV in the daily mart', silver: 'SELECT coalesce(sum(price), 0) FROM gold_next.fact_order_items WHERE purchase_date_sk <> 0', gold: 'SELECT coalesce(sum(gmv), 0) FROM gold_next.mart_daily_sales' },
];

/** One query answering every pair as text: silver's figure then gold's, pair after pair. `silver` may rewrite the silver side. */
export function reconciliationSql(silver: (sql: string) => string = (s) => s): string {
  return `SELECT ${GOLD_RECONCILIATION.map((p) => `CAST((${silver(p.silver)}) AS VARCHAR), CAST((${p.gold}) AS VARCHAR)`).join(', ')}`;
}

/** The checks from that query's one row. */
export function reconciliationChecks(row: readonly unknown[]): CheckRecord[] {
  return GOLD_RECONCILIATION.map((p, i) => {
    const s = String(row[2 * i]);
    const g = String(row[2 * i + 1]);
    const ok = s === g;
    return {
      name: `reconcile(${p.name})`,
      action: 'fail' as const,
      status: ok ? ('passed' as const) : ('failed' as const),
      observed: g,
      expected: s,
      ...(ok ? {} : { message: `${p.name}: gold has ${g}, silver has ${s}` }),
    };
  });
}
