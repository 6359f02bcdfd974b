/**
 * The SQL editor with a 100k-row result, in Debian's Chromium against a real `keystone serve`:
 *
 *   first rows on screen after the engine answered (target ≤ 1 s): from the moment the answer's
 *     header (the columns) reaches the browser to the first rows painted in the grid
 *   all 100k rows received (from pressing Run)
 *   table rows in the DOM at once (target ≤ ~200), at the top and after scrolling to the end
 *   main-thread long tasks while receiving: the tab must not freeze
 *
 * Run alone: `npx tsx bench/console/grid-sql.ts`; the bench:console runner imports `rows()`.
 */
import { pathToFileURL } from 'node:url';
import { judged, percentile, printRows, startAnalyticsConsole, type BenchRow } from './support/analytics-console';

const RUNS = Number(process.env.KEYSTONE_BENCH_RUNS ?? 5);
const SQL = "SELECT range AS n, 'row ' || range AS label, range * 1.5 AS x, DATE '2017-01-01' + CAST(range % 700 AS INTEGER) AS d FROM range(100000)";

export async function rows(): Promise<BenchRow[]> {
  const c = await startAnalyticsConsole();
  try {
    const page = await c.context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto('/sql');
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ entryTypes: ['longtask'] });
    });
    const firstRows: number[] = [];
    const loaded: number[] = [];
    let domTop = 0;
    let domBottom = 0;
    let longest = 0;
    for (let i = 0; i < RUNS; i++) {
      const editor = page.getByTestId('sql-editor').locator('.cm-content');
      await editor.focus();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(SQL);
      await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks = []));
      await page.keyboard.press('ControlOrMeta+Enter');
      const results = page.getByTestId('results');
      await results.locator('[data-testid="row-count"]').waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid="results"]')?.getAttribute('data-status') === 'done');
      await page.waitForFunction(() => document.querySelector('[data-testid="results"]')?.hasAttribute('data-first-rows-ms'));
      const answered = Number(await results.getAttribute('data-answered-ms'));
      firstRows.push(Number(await results.getAttribute('data-first-rows-ms')) - answered);
      loaded.push(Number(await results.getAttribute('data-loaded-ms')));
      const count = (await page.getByTestId('row-count').textContent())?.replace(/,/g, '');
      if (count !== '100000') throw new Error(`expected 100000 rows, the grid says ${count}`);
      domTop = Math.max(domTop, await page.getByTestId('result-row').count());
      await page.getByTestId('results-grid').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.waitForTimeout(200);
      domBottom = Math.max(domBottom, await page.getByTestId('result-row').count());
      longest = Math.max(longest, ...(await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks)), 0);
    }
    return [
      judged({ metric: 'SQL grid: first rows on screen after the engine answered (100k rows, p50)', value: percentile(firstRows, 50), unit: 'ms', target: { value: 1000, better: 'lower' }, note: `${RUNS} runs; max ${Math.round(Math.max(...firstRows))} ms` }),
      { metric: 'SQL grid: all 100k rows received, from Run (p50)', value: percentile(loaded, 50), unit: 'ms', note: 'NDJSON stream, 2,048-row batches' },
      judged({ metric: 'SQL grid: table rows in the DOM (top / after scrolling to the end)', value: Math.max(domTop, domBottom), unit: 'rows', target: { value: 200, better: 'lower' }, note: `${domTop} at the top, ${domBottom} at the end` }),
      { metric: 'SQL grid: longest main-thread task while 100k rows arrive', value: longest, unit: 'ms' },
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
