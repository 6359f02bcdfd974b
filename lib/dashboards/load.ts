/**
 * The dashboards' data: every chart of `charts.ts` run with the date range bound, cached per gold
 * version. The cache key is a digest of the current version ids of the gold tables plus the filter, so
 * a gold run that commits makes the next render query afresh, and every other render is a lookup.
 */
import type { Catalog } from '../catalog/database';
import type { KeystoneConfig } from '../config';
import type { QueryEngine, Row, Value } from '../engine/engine';
import { KeystoneError } from '../errors';
import type { StorageBackend } from '../storage/backend';
import { catalogVersion } from '../sql/completion';
import { ensureLakeViews, lakeHeads } from '../sql/lake-state';
import { toGlueNames } from '../sql/glue-names';
import { bindSql } from '../sql/run';
import { DATE_BOUNDS_SQL, DATE_PARAMETERS, GRAINS, REQUIRED_GOLD_TABLES, chartDefinitions, type ChartId, type Grain } from './charts';

export interface DashboardServices {
  catalog: Catalog;
  storage: StorageBackend;
  engine: QueryEngine;
  /** On Athena, for the Glue names of the gold tables (the lake context passes its own). */
  config?: Pick<KeystoneConfig, 'engine'>;
}

export interface DashboardFilterInput {
  from?: string | undefined;
  to?: string | undefined;
  grain?: string | undefined;
}

export interface DashboardFilter {
  from: string;
  to: string;
  grain: Grain;
}

export interface DashboardData {
  status: 'ready';
  goldVersion: string;
  bounds: { firstDay: string; lastDay: string };
  filter: DashboardFilter;
  kpis: { gmv: number; orders: number; avgOrderValue: number | null; onTimeRate: number | null };
  gmv: { period: string; gmv: number; orders: number }[];
  categories: { category: string; revenue: number; items: number; orders: number }[];
  onTime: { state: string; deliveredOrders: number; onTimeRate: number; avgDeliveryDays: number | null }[];
  reviews: { score: number; reviews: number; share: number }[];
  payments: { paymentType: string; payments: number; totalValue: number; valueShare: number }[];
  /** Each chart's SQL and bound values, for "Open in SQL editor". */
  charts: { id: ChartId; title: string; description: string; sql: string }[];
  /** Time the queries took when computed (a cache hit reports the original figure). */
  queryMs: number;
  cached: boolean;
}

export type DashboardResult = DashboardData | { status: 'empty'; missing: string[] };

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const num = (v: Value | undefined): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: Value | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: Value | undefined): string => (v === null || v === undefined ? '' : String(v));

/** A valid day within the gold bounds, or the fallback. */
function day(value: string | undefined, fallback: string): string {
  if (!value || !DATE_RE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return fallback;
  return value;
}

export function resolveFilter(input: DashboardFilterInput, bounds: { firstDay: string; lastDay: string }): DashboardFilter {
  let from = day(input.from, bounds.firstDay);
  let to = day(input.to, bounds.lastDay);
  if (from > to) [from, to] = [to, from];
  const grain = (GRAINS as readonly string[]).includes(input.grain ?? '') ? (input.grain as Grain) : 'month';
  return { from, to, grain };
}

// ── cache ──────────────────────────────────────────────────────────────────────────────────────
const KEY = Symbol.for('keystone.dashboards.cache');
const MAX_ENTRIES = 64;
type Cache = Map<string, Promise<unknown>>;

function cache(): Cache {
  const g = globalThis as { [KEY]?: Cache };
  return (g[KEY] ??= new Map());
}

/** Concurrent callers share one computation; a failure is not cached. */
async function cached<T>(key: string, compute: () => Promise<T>): Promise<{ value: T; hit: boolean }> {
  const c = cache();
  const hit = c.get(key) as Promise<T> | undefined;
  if (hit) return { value: await hit, hit: true };
  const p = compute();
  c.set(key, p);
  if (c.size > MAX_ENTRIES) c.delete(c.keys().next().value!);
  try {
    return { value: await p, hit: false };
  } catch (e) {
    c.delete(key);
    throw e;
  }
}

export function clearDashboardCache(): void {
  cache().clear();
}

async function rowsOf(engine: QueryEngine, sql: string, values: Record<string, string>, config: DashboardServices['config']): Promise<Row[]> {
  const bound = bindSql(config?.engine.kind === 'athena' ? toGlueNames(sql, config.engine.database) : sql, DATE_PARAMETERS, values, engine.kind);
  const r = await engine.query(bound.sql, { params: bound.params.length ? bound.params : undefined, timeoutMs: 60_000, maxRows: 10_000 });
  return r.rows;
}

export async function loadDashboard(services: DashboardServices, input: DashboardFilterInput = {}): Promise<DashboardResult> {
  const { engine } = services;
  // One small catalog query decides whether anything must be computed; the views sync only on a miss.
  const gold = (await lakeHeads(services.catalog)).filter((t) => t.layer === 'gold');
  const missing = REQUIRED_GOLD_TABLES.filter((n) => !gold.some((g) => g.name === n));
  if (missing.length > 0) return { status: 'empty', missing };
  const goldVersion = catalogVersion(gold);

  let synced: Promise<unknown> | undefined;
  const sync = () => (synced ??= ensureLakeViews(services));
  const { value: bounds } = await cached(`${goldVersion}|bounds`, async () => {
    await sync();
    const [row] = await rowsOf(engine, DATE_BOUNDS_SQL, {}, services.config);
    const firstDay = str(row?.[0]);
    const lastDay = str(row?.[1]);
    if (!firstDay || !lastDay) throw new KeystoneError('not_found:gold', 'The gold layer has no sales yet: run the pipeline first.');
    return { firstDay, lastDay };
  });
  const filter = resolveFilter(input, bounds);
  const values = { start_date: filter.from, end_date: filter.to };
  const defs = chartDefinitions(filter.grain);
  const sqlOf = (id: ChartId) => defs.find((d) => d.id === id)!.sql;

  const { value, hit } = await cached(`${goldVersion}|${filter.grain}|${filter.from}|${filter.to}`, async () => {
    await sync();
    const t0 = performance.now();
    const [kpis, gmv, categories, onTime, reviews, payments] = await Promise.all(
      (['kpis', 'gmv_over_time', 'revenue_by_category', 'on_time_by_state', 'review_scores', 'payment_mix'] as const).map((id) => rowsOf(engine, sqlOf(id), values, services.config)),
    );
    const k = kpis![0] ?? [];
    const data: DashboardData = {
      status: 'ready',
      goldVersion,
      bounds,
      filter,
      kpis: { gmv: num(k[0]), orders: num(k[1]), avgOrderValue: numOrNull(k[2]), onTimeRate: numOrNull(k[3]) },
      gmv: gmv!.map((r) => ({ period: str(r[0]), gmv: num(r[1]), orders: num(r[2]) })),
      categories: categories!.map((r) => ({ category: str(r[0]), revenue: num(r[1]), items: num(r[2]), orders: num(r[3]) })),
      onTime: onTime!.map((r) => ({ state: str(r[0]), deliveredOrders: num(r[1]), onTimeRate: num(r[2]), avgDeliveryDays: numOrNull(r[3]) })),
      reviews: reviews!.map((r) => ({ score: num(r[0]), reviews: num(r[1]), share: num(r[2]) })),
      payments: payments!.map((r) => ({ paymentType: str(r[0]), payments: num(r[1]), totalValue: num(r[2]), valueShare: num(r[3]) })),
      charts: defs.map((d) => ({ id: d.id, title: d.title, description: d.description, sql: d.sql })),
      queryMs: Math.round(performance.now() - t0),
      cached: false,
    };
    return data;
  });
  return hit ? { ...value, cached: true } : value;
}
