import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { requireUser } from '@/components/auth/session';
import { appLake } from '@/components/server-context';
import { formatCount, formatDuration } from '@/components/format';
import { CategoryChart, GmvChart, OnTimeChart, PaymentChart, ReviewChart } from '@/components/dashboards/charts';
import styles from '@/components/dashboards/dashboards.module.css';
import { DATE_PARAMETERS, GRAINS, type ChartId } from '@/lib/dashboards/charts';
import { loadDashboard, type DashboardData } from '@/lib/dashboards/load';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboards · Keystone Nexus' };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const BRL = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'BRL', maximumFractionDigits: 0 });
const BRL2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'BRL', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const PCT = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** The SQL editor, opened on a chart's SQL with the date range as its (bound) parameters. */
function editorHref(data: DashboardData, id: ChartId): string {
  const chart = data.charts.find((c) => c.id === id)!;
  const q = new URLSearchParams({ sql: chart.sql, params: JSON.stringify(DATE_PARAMETERS), 'p.start_date': data.filter.from, 'p.end_date': data.filter.to });
  return `/sql?${q.toString()}`;
}

function ChartCard({ data, id, wide, tall, children }: { data: DashboardData; id: ChartId; wide?: boolean; tall?: boolean; children: ReactNode }) {
  const chart = data.charts.find((c) => c.id === id)!;
  return (
    <section className={`${styles.chart} ${wide ? styles.wide : ''}`} aria-label={chart.title} data-testid={`chart-${id}`}>
      <div className={styles.chartHead}>
        <h2>{chart.title}</h2>
        <Link href={editorHref(data, id)} data-testid={`open-sql-${id}`}>
          Open in SQL editor
        </Link>
      </div>
      <p className={styles.chartNote}>{chart.description}</p>
      <div className={tall ? styles.plotTall : styles.plot}>{children}</div>
    </section>
  );
}

export default async function DashboardsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requireUser('analyst', '/dashboards');
  const sp = await searchParams;
  const lake = await appLake();
  const t0 = performance.now();
  const data = await loadDashboard(lake, { from: one(sp.from), to: one(sp.to), grain: one(sp.grain) });
  const renderMs = performance.now() - t0;

  if (data.status === 'empty') {
    return (
      <>
        <h1>Dashboards</h1>
        <p className="subtitle">Gold metrics: sales, categories, delivery, reviews and payments.</p>
        <div className="empty" data-testid="dashboards-empty">
          The gold layer is not built yet (missing {data.missing.map((m) => `gold.${m}`).join(', ')}). <Link href="/ingest">Ingest</Link> the Olist files, then run the pipeline on{' '}
          <Link href="/jobs">Jobs</Link>.
        </div>
      </>
    );
  }
  const { filter, bounds, kpis } = data;
  const link = (patch: Partial<typeof filter>) => `/dashboards?${new URLSearchParams({ ...filter, ...patch }).toString()}`;
  return (
    <>
      <h1>Dashboards</h1>
      <p className="subtitle">Gold metrics for purchases from {filter.from} to {filter.to}. Every chart opens its SQL in the editor.</p>
      <form className={styles.filters} method="get" action="/dashboards" aria-label="Date range" data-testid="date-filter">
        <label>
          From
          <input type="date" name="from" defaultValue={filter.from} min={bounds.firstDay} max={bounds.lastDay} aria-label="From" />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={filter.to} min={bounds.firstDay} max={bounds.lastDay} aria-label="To" />
        </label>
        <input type="hidden" name="grain" value={filter.grain} />
        <button type="submit" className="primary">
          Apply
        </button>
        <Link href={`/dashboards?grain=${filter.grain}`} className="small">
          all dates
        </Link>
        <label>
          GMV per
          <span className={styles.grains} role="group" aria-label="GMV per">
            {GRAINS.map((g) => (
              <Link key={g} href={link({ grain: g })} className={g === filter.grain ? styles.active : ''} aria-current={g === filter.grain ? 'true' : undefined}>
                {g}
              </Link>
            ))}
          </span>
        </label>
        <span className={styles.range}>
          data from {bounds.firstDay} to {bounds.lastDay}
        </span>
      </form>
      <div className={styles.kpis}>
        <div className={styles.kpi}>
          <span>GMV</span>
          <b data-testid="kpi-gmv">{BRL.format(kpis.gmv)}</b>
        </div>
        <div className={styles.kpi}>
          <span>Orders</span>
          <b data-testid="kpi-orders">{formatCount(kpis.orders)}</b>
        </div>
        <div className={styles.kpi}>
          <span>Average order value</span>
          <b data-testid="kpi-aov">{kpis.avgOrderValue === null ? '—' : BRL2.format(kpis.avgOrderValue)}</b>
        </div>
        <div className={styles.kpi}>
          <span>Delivered on time</span>
          <b data-testid="kpi-on-time">{kpis.onTimeRate === null ? '—' : PCT.format(kpis.onTimeRate)}</b>
        </div>
      </div>
      <div className={styles.charts}>
        <ChartCard data={data} id="gmv_over_time" wide>
          <GmvChart data={data.gmv} />
        </ChartCard>
        <ChartCard data={data} id="revenue_by_category" tall>
          <CategoryChart data={data.categories} />
        </ChartCard>
        <ChartCard data={data} id="on_time_by_state" tall>
          <OnTimeChart data={data.onTime} />
        </ChartCard>
        <ChartCard data={data} id="review_scores">
          <ReviewChart data={data.reviews} />
        </ChartCard>
        <ChartCard data={data} id="payment_mix">
          <PaymentChart data={data.payments} />
        </ChartCard>
      </div>
      <p className={styles.footer} data-testid="dashboards-timing">
        {data.cached ? 'From the cache for this gold version' : `Queried in ${formatDuration(data.queryMs)}`} · page data in {formatDuration(renderMs)} · gold version {data.goldVersion}
      </p>
    </>
  );
}
