/**
 * Lineage: the graph shows source files, bronze, silver and gold; depth narrows it; a run can be the
 * centre; clicking a dataset opens its page.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, signIn } from './support/auth';
import { ensureGoldData } from './analytics-data';

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

test.beforeAll(async ({ browser }) => {
  test.setTimeout(900_000);
  const page = await browser.newPage();
  await signIn(page, ADMIN.user, ADMIN.password);
  await ensureGoldData(page);
  await page.close();
});

test('the graph runs from source files through the layers, and clicking a node opens the dataset', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/lineage?dataset=silver.orders&depth=3');
  const graph = page.getByTestId('lineage-graph');
  await expect(graph).toBeVisible();
  const node = (id: string) => graph.locator(`[data-testid="lineage-node"][data-node-id="${id}"]`);
  await expect(node('silver.orders')).toBeVisible();
  await expect(node('bronze.orders')).toBeVisible();
  await expect(node('gold.fact_orders')).toBeVisible();
  // Source files are `file:` nodes when loaded by the CLI, `upload:` nodes when dropped in the browser.
  const sources = '[data-testid="lineage-node"][data-node-id^="file:"], [data-testid="lineage-node"][data-node-id^="upload:"]';
  await expect(graph.locator(sources).first()).toBeVisible();
  await expect(graph.locator('.react-flow__edge').first()).toBeAttached();
  const wide = Number(await graph.getAttribute('data-nodes'));
  await info.attach('lineage-silver-orders', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // Depth 1: only the direct neighbours.
  await page.getByRole('spinbutton', { name: 'Depth' }).fill('1');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/depth=1/);
  await expect.poll(async () => Number(await page.getByTestId('lineage-graph').getAttribute('data-nodes'))).toBeLessThan(wide);
  await expect(node('bronze.orders')).toBeVisible();
  await expect(graph.locator(sources)).toHaveCount(0);

  // Click a dataset: its page opens.
  await node('bronze.orders').click();
  await expect(page).toHaveURL(/\/datasets\/bronze\/orders$/);
  await expect(page.getByRole('heading', { name: 'bronze.orders' })).toBeVisible();
});

test('a run can be the centre: what it read and wrote', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/lineage');
  const runs = page.getByLabel('Run', { exact: true });
  const firstRun = await runs.locator('option').nth(1).getAttribute('value');
  expect(firstRun).toBeTruthy();
  await page.getByLabel('Dataset', { exact: true }).selectOption('');
  await runs.selectOption(firstRun!);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`run=${firstRun}`));
  await expect(page.getByTestId('lineage-node').first()).toBeVisible();
  expect(Number(await page.getByTestId('lineage-graph').getAttribute('data-nodes'))).toBeGreaterThan(1);
  await info.attach('lineage-run', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
});
