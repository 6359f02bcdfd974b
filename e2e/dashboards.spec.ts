/**
 * Dashboards: every chart draws (an svg in each card), the date range changes the figures, the grain
 * toggle regroups GMV, and a chart's "Open in SQL editor" carries its SQL and bound dates to the editor.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, signIn } from './support/auth';
import { ANALYTICS_ANALYST, ensureAnalyst, ensureGoldData } from './analytics-data';

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

const CHARTS = ['gmv_over_time', 'revenue_by_category', 'on_time_by_state', 'review_scores', 'payment_mix'];

test.beforeAll(async ({ browser }) => {
  test.setTimeout(900_000);
  const page = await browser.newPage();
  await signIn(page, ADMIN.user, ADMIN.password);
  await ensureGoldData(page);
  ensureAnalyst();
  await page.close();
});

const money = (s: string | null) => Number((s ?? '').replace(/[^0-9.]/g, ''));

test('every chart renders, and the date filter changes the figures', async ({ page }, info) => {
  await signIn(page, ANALYTICS_ANALYST.user, ANALYTICS_ANALYST.password);
  await page.goto('/dashboards');
  await expect(page.getByRole('heading', { name: 'Dashboards' })).toBeVisible();
  for (const id of CHARTS) {
    await expect(page.getByTestId(`chart-${id}`).locator('svg.recharts-surface').first()).toBeVisible();
  }
  await expect(page.getByTestId('chart-gmv_over_time').locator('.recharts-line')).toHaveCount(1);
  await expect(page.getByTestId('chart-review_scores').locator('.recharts-bar-rectangle').first()).toBeVisible();
  const allGmv = money(await page.getByTestId('kpi-gmv').textContent());
  expect(allGmv).toBeGreaterThan(0);
  await info.attach('dashboards', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // One year only: a smaller GMV, and the URL says which range is shown.
  const filter = page.getByTestId('date-filter');
  await filter.getByLabel('From').fill('2017-01-01');
  await filter.getByLabel('To').fill('2017-12-31');
  await filter.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/from=2017-01-01/);
  await expect(page.getByText('Gold metrics for purchases from 2017-01-01 to 2017-12-31')).toBeVisible();
  const yearGmv = money(await page.getByTestId('kpi-gmv').textContent());
  expect(yearGmv).toBeGreaterThan(0);
  expect(yearGmv).toBeLessThan(allGmv);
  for (const id of CHARTS) await expect(page.getByTestId(`chart-${id}`).locator('svg.recharts-surface').first()).toBeVisible();

  // Weekly GMV: more points than monthly, same total.
  const monthlyTicks = await page.getByTestId('chart-gmv_over_time').locator('.recharts-bar-rectangle').count();
  await page.getByRole('group', { name: 'GMV per' }).getByRole('link', { name: 'week' }).click();
  await expect(page).toHaveURL(/grain=week/);
  await expect(page.getByRole('heading', { name: 'GMV and orders per week' })).toBeVisible();
  await expect.poll(() => page.getByTestId('chart-gmv_over_time').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(monthlyTicks);
  expect(money(await page.getByTestId('kpi-gmv').textContent())).toBe(yearGmv);
  await info.attach('dashboards-2017-weekly', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
});

test("a chart's SQL opens in the editor with its dates bound, and runs", async ({ page }, info) => {
  await signIn(page, ANALYTICS_ANALYST.user, ANALYTICS_ANALYST.password);
  await page.goto('/dashboards?from=2017-03-01&to=2017-06-30&grain=month');
  await page.getByTestId('open-sql-revenue_by_category').click();
  await expect(page).toHaveURL(/\/sql\?/);
  await expect(page.getByTestId('sql-editor')).toContainText('gold.mart_monthly_category_revenue');
  await expect(page.getByTestId('sql-editor')).toContainText('{{start_date}}');
  const params = page.getByTestId('params-form');
  await expect(params.getByLabel('From')).toHaveValue('2017-03-01');
  await expect(params.getByLabel('To')).toHaveValue('2017-06-30');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('column-header').first()).toContainText('category');
  expect(await page.getByTestId('result-row').count()).toBeGreaterThan(0);
  await info.attach('dashboard-sql-in-editor', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
});
