/**
 * Dashboards server render: GET /dashboards (the whole HTML, as a browser receives it) against a real
 * `keystone serve` on a scale 1.0 lake (see support/analytics-console.ts).
 *
 *   p50 / p90, cached gold version (the steady state: the target is ≤ 300 ms p50)
 *   p50, cache miss: a date range not asked for before, so every chart's SQL runs in DuckDB
 *
 * Run alone: `npx tsx bench/console/render-dashboards.ts`; the bench:console runner imports `rows()`.
 */
import { pathToFileURL } from 'node:url';
import { judged, percentile, printRows, startAnalyticsConsole, type BenchRow } from './support/analytics-console';

const RUNS = Number(process.env.KEYSTONE_BENCH_RUNS ?? 30);

export async function rows(): Promise<BenchRow[]> {
  const c = await startAnalyticsConsole();
  try {
    const get = async (url: string) => {
      const t0 = performance.now();
      const r = await c.context.request.get(url, { maxRedirects: 0 });
      const html = await r.text();
      const ms = performance.now() - t0;
      if (r.status() !== 200 || !html.includes('data-testid="kpi-gmv"')) throw new Error(`GET ${url} answered ${r.status()} without the dashboards`);
      return ms;
    };
    // Warm-up: the route's first compile-free render and the cache for the default range.
    await get('/dashboards');
    await get('/dashboards');
    const cached: number[] = [];
    for (let i = 0; i < RUNS; i++) cached.push(await get('/dashboards'));
    const misses: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 15); i++) {
      // A new range each time: 2017-01-01 … 2017-06-(10+i), never cached before in this process.
      const day = String(10 + i).padStart(2, '0');
      misses.push(await get(`/dashboards?from=2017-01-0${1 + (i % 9)}&to=2018-06-${day}&grain=${['day', 'week', 'month'][i % 3]}`));
    }
    const scale = c.scale.toFixed(1);
    return [
      judged({ metric: `dashboards SSR p50, cached gold version (scale ${scale})`, value: percentile(cached, 50), unit: 'ms', target: { value: 300, better: 'lower' }, note: `${RUNS} GETs of /dashboards` }),
      { metric: `dashboards SSR p90, cached gold version (scale ${scale})`, value: percentile(cached, 90), unit: 'ms' },
      judged({ metric: `dashboards SSR p50, cache miss (scale ${scale})`, value: percentile(misses, 50), unit: 'ms', target: { value: 300, better: 'lower' }, note: `${misses.length} new date ranges: six queries each` }),
    ];
  } finally {
    await c.stop();
  }
}

export default rows;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  rows().then(
    (r) => {
      printRows(r);
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
