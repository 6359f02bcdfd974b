/**
 * Dashboards and lineage over a real (tiny) lake: the generator's CSVs ingested, silver and gold
 * built, then every chart checked against the gold facts and the lineage graph walked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineageChoices, lineageNeighbourhood } from '../catalog/lineage-graph';
import { closeDuckDB } from '../engine/duckdb/engine';
import { generateOlist } from '../olist/generator';
import { runJob } from '../pipeline/jobs';
import { createTestLake, type TestLake } from '../../test/support/lake';
import { checkReadOnly } from '../sql/guard';
import { duckdbInspector } from '../sql/duckdb-inspector';
import { bindSql } from '../sql/run';
import { DATE_PARAMETERS, chartDefinitions } from './charts';
import { clearDashboardCache, loadDashboard, resolveFilter, type DashboardData } from './load';

let lake: TestLake;
let runId: string;

beforeAll(async () => {
  lake = await createTestLake();
  const out = path.join(lake.dataDir, 'olist');
  await generateOlist({ scale: 0.01, seed: 7, outDir: out });
  const files = fs
    .readdirSync(out)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => ({ path: path.join(out, f), displayName: f }));
  const r = await runJob(lake.ctx, 'all', { files });
  expect(r.status, r.error).toBe('succeeded');
  runId = r.runId;
  clearDashboardCache();
}, 240_000);

afterAll(async () => {
  await lake?.close();
  await closeDuckDB();
});

function ready(r: Awaited<ReturnType<typeof loadDashboard>>): DashboardData {
  expect(r.status).toBe('ready');
  return r as DashboardData;
}

describe('dashboards', () => {
  it('draws every chart from gold, matching the facts', async () => {
    const d = ready(await loadDashboard(lake.ctx));
    expect(d.cached).toBe(false);
    expect(d.filter.grain).toBe('month');
    expect(d.filter.from).toBe(d.bounds.firstDay);
    const [[gmv, orders]] = (await lake.sql(
      `SELECT sum(price), count(DISTINCT order_id) FROM gold.fact_order_items WHERE purchase_date_sk <> 0`,
    )) as [[string, string]];
    expect(d.kpis.gmv).toBeCloseTo(Number(gmv), 2);
    expect(d.gmv.reduce((a, p) => a + p.gmv, 0)).toBeCloseTo(Number(gmv), 2);
    const [[allOrders]] = (await lake.sql(`SELECT count(*) FROM gold.fact_orders WHERE purchase_date_sk <> 0`)) as [[string]];
    expect(d.kpis.orders).toBe(Number(allOrders));
    expect(Number(orders)).toBeLessThanOrEqual(d.kpis.orders);
    expect(d.gmv.length).toBeGreaterThan(5);
    expect(d.categories.length).toBeGreaterThan(0);
    expect(d.categories.length).toBeLessThanOrEqual(15);
    expect(d.onTime.every((s) => s.onTimeRate >= 0 && s.onTimeRate <= 1)).toBe(true);
    expect(d.reviews.map((r) => r.score).every((s) => s >= 1 && s <= 5)).toBe(true);
    expect(d.reviews.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1, 2);
    expect(d.payments.reduce((a, p) => a + p.valueShare, 0)).toBeCloseTo(1, 2);
    // Full range: the date-filtered charts agree with the undated marts.
    const [[reviews]] = (await lake.sql('SELECT sum(reviews) FROM gold.mart_review_scores')) as [[string]];
    expect(d.reviews.reduce((a, r) => a + r.reviews, 0)).toBeLessThanOrEqual(Number(reviews));
    const payTypes = (await lake.sql('SELECT payment_type FROM gold.mart_payment_mix ORDER BY 1')).map((r) => r[0]);
    expect(d.payments.map((p) => p.paymentType).sort()).toEqual(payTypes.filter((t) => d.payments.some((p) => p.paymentType === t)));
  });

  it('is cached per gold version and filter', async () => {
    const again = ready(await loadDashboard(lake.ctx));
    expect(again.cached).toBe(true);
    const t0 = performance.now();
    await loadDashboard(lake.ctx);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('the date filter and the grain change the figures', async () => {
    const all = ready(await loadDashboard(lake.ctx));
    const year = ready(await loadDashboard(lake.ctx, { from: '2017-01-01', to: '2017-12-31', grain: 'week' }));
    expect(year.filter).toEqual({ from: '2017-01-01', to: '2017-12-31', grain: 'week' });
    expect(year.kpis.gmv).toBeGreaterThan(0);
    expect(year.kpis.gmv).toBeLessThan(all.kpis.gmv);
    expect(year.gmv.every((p) => p.period >= '2016-12-26' && p.period <= '2017-12-31')).toBe(true);
    // Weeks start on Monday.
    expect(year.gmv.every((p) => new Date(`${p.period}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    const days = ready(await loadDashboard(lake.ctx, { from: '2017-03-01', to: '2017-03-31', grain: 'day' }));
    expect(days.gmv.length).toBeLessThanOrEqual(31);
  });

  it('falls back to the gold bounds for a missing or malformed filter, and swaps a reversed range', () => {
    const bounds = { firstDay: '2016-09-04', lastDay: '2018-10-17' };
    expect(resolveFilter({ from: "2017-01-01'; DROP TABLE x; --", grain: 'year' }, bounds)).toEqual({ from: bounds.firstDay, to: bounds.lastDay, grain: 'month' });
    expect(resolveFilter({ from: '2018-01-01', to: '2017-01-01', grain: 'day' }, bounds)).toEqual({ from: '2017-01-01', to: '2018-01-01', grain: 'day' });
  });

  it('every chart SQL carries {{start_date}} and {{end_date}} and passes the analyst guard', async () => {
    await loadDashboard(lake.ctx); // the views are in place
    const inspector = duckdbInspector({ bind: true });
    for (const grain of ['day', 'week', 'month'] as const) {
      for (const c of chartDefinitions(grain)) {
        expect(c.sql).toContain('{{start_date}}');
        expect(c.sql).toContain('{{end_date}}');
        const bound = bindSql(c.sql, DATE_PARAMETERS, { start_date: '2017-01-01', end_date: '2017-12-31' }, 'duckdb');
        expect(await checkReadOnly(bound.sql, inspector), c.id).toEqual({ ok: true });
      }
    }
  });
});

describe('lineage graph', () => {
  it('centres on a dataset and walks upstream to the source files and downstream to the marts', async () => {
    const g = await lineageNeighbourhood(lake.ctx.catalog, { dataset: 'silver.orders' }, 3);
    const ids = g.nodes.map((n) => n.id);
    expect(g.centre).toEqual(['silver.orders']);
    expect(ids).toContain('bronze.orders');
    expect(ids).toContain('file:olist_orders_dataset.csv');
    expect(ids).toContain('gold.fact_orders');
    expect(ids.some((id) => id.startsWith('gold.mart_'))).toBe(true);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    expect(byId.get('file:olist_orders_dataset.csv')).toMatchObject({ kind: 'source', column: 'source', group: 'file' });
    expect(byId.get('bronze.orders')).toMatchObject({ kind: 'dataset', column: 'bronze', href: '/datasets/bronze/orders' });
    expect(byId.get('gold.fact_orders')).toMatchObject({ column: 'gold', detail: 'fact' });
    expect(byId.get('gold.mart_daily_sales')?.column ?? 'mart').toBe('mart');
    expect(byId.get('silver.orders')!.rows).toBeGreaterThan(0);
    expect(g.links.some((l) => l.from === 'bronze.orders' && l.to === 'silver.orders' && l.runId === runId)).toBe(true);
    // Depth 1: only direct neighbours.
    const near = await lineageNeighbourhood(lake.ctx.catalog, { dataset: 'silver.orders' }, 1);
    expect(near.nodes.map((n) => n.id)).not.toContain('file:olist_orders_dataset.csv');
    expect(near.nodes.map((n) => n.id)).toContain('bronze.orders');
  });

  it('centres on a run: everything it read and wrote', async () => {
    const g = await lineageNeighbourhood(lake.ctx.catalog, { run: runId }, 1);
    expect(g.centre).toContain('file:olist_orders_dataset.csv');
    expect(g.centre).toContain('gold.mart_payment_mix');
    expect(g.nodes.length).toBeGreaterThanOrEqual(g.centre.length);
  });

  it('caps large graphs and says so', async () => {
    const g = await lineageNeighbourhood(lake.ctx.catalog, { dataset: 'silver.orders' }, 10, 4);
    expect(g.truncated).toBe(true);
    expect(g.nodes.length).toBe(4);
  });

  it('lists the datasets and runs to centre on', async () => {
    const c = await lineageChoices(lake.ctx.catalog);
    expect(c.datasets).toContain('gold.fact_orders');
    expect(c.runs.map((r) => r.id)).toContain(runId);
  });
});
