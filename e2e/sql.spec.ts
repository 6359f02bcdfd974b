/**
 * The SQL editor as people use it: type and run with Ctrl+Enter, read rows and types, save a query
 * with parameters and run it from its form, export the whole result, cancel a long query, hit the
 * time limit, scroll 100k rows, and (as an analyst) be refused a statement that would change the lake.
 */
import fs from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { ADMIN, signIn } from './support/auth';
import { ANALYTICS_ANALYST, ensureAnalyst, ensureGoldData } from './analytics-data';

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

test.beforeAll(async ({ browser }) => {
  test.setTimeout(900_000);
  const page = await browser.newPage();
  await signIn(page, ADMIN.user, ADMIN.password);
  await ensureGoldData(page);
  ensureAnalyst();
  await page.close();
});

async function shot(page: Page, info: TestInfo, name: string) {
  await info.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}

/** Replaces the editor's text the way a person does: select all, type. */
async function typeSql(page: Page, sql: string) {
  const editor = page.getByTestId('sql-editor').locator('.cm-content');
  await editor.focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
  // Typing opens the completion list; a person would dismiss it before reaching for the mouse.
  await page.keyboard.press('Escape');
}

/** Ctrl/Cmd+Enter in the editor (works with the completion list open, too). */
async function runWithKeyboard(page: Page) {
  await page.getByTestId('sql-editor').locator('.cm-content').focus();
  await page.keyboard.press('ControlOrMeta+Enter');
}

test('type a query, run it with Ctrl+Enter, see rows, column types and the engine', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/sql');
  await expect(page.getByRole('heading', { name: 'SQL' })).toBeVisible();
  await expect(page.getByTestId('engine')).toContainText('DuckDB');

  // Autocomplete knows the lake's tables: typing "gold.fact_o" offers fact_orders.
  await typeSql(page, 'SELECT * FROM ');
  await page.keyboard.type('gold.fact_o', { delay: 30 });
  await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('fact_orders');
  await page.keyboard.press('Escape');

  await typeSql(page, 'SELECT order_status, count(*) AS orders, round(sum(payment_value), 2) AS paid\nFROM gold.fact_orders\nGROUP BY 1\nORDER BY 2 DESC');
  // Before running: what the query would scan, from the catalog's statistics, and its Athena price.
  const estimate = page.getByTestId('scan-estimate');
  await expect(estimate).toContainText(/will scan ≈ [\d.]+ (KB|MB) · \$0\.0000\d\d on Athena/);
  expect(Number(await estimate.getAttribute('data-bytes'))).toBeGreaterThan(1000);
  await runWithKeyboard(page);
  const results = page.getByTestId('results');
  await expect(results).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('column-header')).toHaveText([/order_status/, /orders/, /paid/]);
  await expect(page.getByTestId('column-type')).toHaveText(['VARCHAR', 'BIGINT', /DECIMAL|DOUBLE/]);
  await expect(page.getByTestId('result-row').first()).toContainText('delivered');
  expect(Number((await page.getByTestId('row-count').textContent())!.replace(/,/g, ''))).toBeGreaterThan(1);
  await expect(page.getByTestId('elapsed')).not.toHaveText('—');
  await expect(page.getByTestId('bytes-scanned')).toBeVisible();
  await expect(page.getByTestId('estimated')).toContainText(/estimated [\d.]+ (KB|MB) · \$0\.0000\d\d on Athena/);
  await shot(page, info, 'sql-results');
});

test('a syntax error shows the engine message with its line', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/sql');
  await typeSql(page, 'SELECT order_id\nFROM gold.fact_orders\nWHER order_id IS NULL');
  await page.getByTestId('run').click();
  const error = page.getByTestId('query-error');
  await expect(error).toContainText('syntax error at or near');
  await expect(error).toContainText('LINE 3');
  await shot(page, info, 'sql-syntax-error');
});

test('save a parameterized query and run it from its form; quotes in a value stay data', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/sql');
  const name = `Orders since a date ${Date.now().toString(36)}`;
  await typeSql(page, 'SELECT {{label}} AS label, count(*) AS orders\nFROM gold.fact_orders\nWHERE order_purchase_timestamp >= {{start_date}}');
  const params = page.getByTestId('params-form');
  await expect(params).toContainText('{{label}}');
  await expect(params).toContainText('{{start_date}}');
  await params.getByLabel('Type of start_date').selectOption('date');
  await page.getByTestId('save').click();
  const dialog = page.getByRole('form', { name: 'Save query' });
  await dialog.getByLabel('Query name').fill(name);
  await dialog.getByLabel('Description').fill('Orders purchased on or after a day, with a label echoed back');
  await dialog.getByLabel('Default of start_date').fill('2017-01-01');
  await dialog.getByLabel('Label of start_date').fill('Purchased on or after');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('open-saved')).toContainText(name);

  // Run it from its own form, as an analyst would.
  const saved = page.getByTestId('saved-query').filter({ hasText: name });
  await saved.getByRole('link', { name: /Run with parameters/ }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  const form = page.getByTestId('saved-query-form');
  await expect(form.getByLabel('Purchased on or after')).toHaveAttribute('type', 'date');
  await expect(form.getByLabel('Purchased on or after')).toHaveValue('2017-01-01');
  const hostile = "O'Brien'; DROP TABLE gold.fact_orders; --";
  await form.getByLabel('label', { exact: true }).fill(hostile);
  await form.getByTestId('run-saved').click();
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done');
  await expect(page.getByRole('gridcell', { name: hostile, exact: true })).toBeVisible();
  const since2017 = Number((await page.getByTestId('result-row').first().getByRole('gridcell').nth(1).textContent())!);
  expect(since2017).toBeGreaterThan(0);

  // A later date gives fewer orders; the table was not dropped.
  await form.getByLabel('Purchased on or after').fill('2018-01-01');
  await form.getByTestId('run-saved').click();
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done');
  const since2018 = Number((await page.getByTestId('result-row').first().getByRole('gridcell').nth(1).textContent())!);
  expect(since2018).toBeLessThan(since2017);
  await shot(page, info, 'sql-saved-query-form');

  // Its author deletes it (after confirming): gone for everyone.
  await page.goto('/sql');
  const listed = page.getByTestId('saved-query').filter({ hasText: name });
  page.once('dialog', (d) => void d.accept());
  await listed.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(listed).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('saved-query').filter({ hasText: name })).toHaveCount(0);
});

test('export the full result as CSV: every row, not only what the grid shows', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/sql');
  await typeSql(page, 'SELECT order_id, order_status, payment_value FROM gold.fact_orders ORDER BY order_id');
  await runWithKeyboard(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done');
  const shown = Number((await page.getByTestId('row-count').textContent())!.replace(/,/g, ''));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const text = fs.readFileSync((await download.path())!, 'utf8');
  const lines = text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
  expect(lines[0]).toBe('order_id,order_status,payment_value');
  expect(lines.length - 1).toBe(shown);
  await info.attach('export.csv (first lines)', { body: lines.slice(0, 20).join('\n'), contentType: 'text/plain' });

  // Beyond the grid: 300,001 rows exported although the grid would stop at 250,000.
  await typeSql(page, 'SELECT range AS n FROM range(300001)');
  const [big] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const bigLines = fs.readFileSync((await big.path())!, 'utf8').split('\r\n').filter(Boolean);
  expect(bigLines.length).toBe(300_002);
});

test('cancel stops a long query in the engine', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/sql');
  await typeSql(page, 'SELECT count(*) FROM range(10000000000) a');
  await page.getByTestId('run').click();
  await expect(page.getByTestId('result-status')).toContainText('Running');
  await page.waitForTimeout(1000);
  const t0 = Date.now();
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('query-cancelled')).toBeVisible({ timeout: 10_000 });
  expect(Date.now() - t0).toBeLessThan(10_000);
  await expect(page.getByTestId('run')).toBeEnabled();
  await shot(page, info, 'sql-cancelled');
  // The history says so, and the engine runs the next query at once.
  await page.getByRole('tab', { name: 'History' }).click();
  await expect(page.getByTestId('history-item').first()).toContainText('cancelled');
  await typeSql(page, 'SELECT 42 AS answer');
  await runWithKeyboard(page);
  await expect(page.getByRole('gridcell', { name: '42', exact: true })).toBeVisible();
});

test('a query over its time limit is stopped with a clear message', async ({ page }) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/sql');
  await page.getByLabel('Time limit in seconds').fill('1');
  await typeSql(page, 'SELECT count(*) FROM range(10000000000) a');
  await page.getByTestId('run').click();
  const error = page.getByTestId('query-error');
  await expect(error).toContainText('Timed out', { timeout: 20_000 });
  await expect(error).toContainText('longer than its 1 s limit');
});

test('100k rows: the grid keeps ~200 rows in the DOM and scrolls to the last one', async ({ page }, info) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/sql');
  await typeSql(page, "SELECT range AS n, 'row ' || range AS label, range * 1.5 AS x FROM range(100000)");
  await runWithKeyboard(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('row-count')).toHaveText('100,000');
  expect(await page.getByTestId('result-row').count()).toBeLessThanOrEqual(200);
  const answered = Number(await page.getByTestId('results').getAttribute('data-answered-ms'));
  const firstRows = Number(await page.getByTestId('results').getAttribute('data-first-rows-ms'));
  info.annotations.push({ type: 'first rows after the engine answered (ms)', description: String(firstRows - answered) });
  expect(firstRows - answered).toBeLessThan(1000);
  await page.getByTestId('results-grid').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
  await expect(page.getByRole('gridcell', { name: 'row 99999', exact: true })).toBeVisible();
  expect(await page.getByTestId('result-row').count()).toBeLessThanOrEqual(200);
  await shot(page, info, 'sql-100k-rows');
});

test('an analyst reads the lake but is refused DDL and file reads, by the server', async ({ page }, info) => {
  await signIn(page, ANALYTICS_ANALYST.user, ANALYTICS_ANALYST.password);
  await page.goto('/sql');
  await typeSql(page, 'SELECT count(*) AS orders FROM gold.fact_orders');
  await runWithKeyboard(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done');

  await typeSql(page, 'CREATE TABLE gold.mine AS SELECT * FROM gold.fact_orders');
  await runWithKeyboard(page);
  const error = page.getByTestId('query-error');
  await expect(error).toContainText('Refused');
  await expect(error).toContainText('CREATE is not allowed');
  await shot(page, info, 'sql-analyst-refused');

  await typeSql(page, "SELECT * FROM read_csv('/etc/passwd')");
  await runWithKeyboard(page);
  await expect(error).toContainText('read_csv() is not allowed');

  // A forged request straight to the route gets the same refusal: the guard is on the server.
  const forged = await page.request.post('/api/sql/run', { data: { queryId: 'forged-query-0001', sql: 'DROP TABLE gold.fact_orders' } });
  expect(forged.status()).toBe(403);
  expect((await forged.json()).error).toMatch(/DROP is not allowed/);
  const exportForged = await page.request.post('/api/sql/export', { data: { sql: "COPY gold.fact_orders TO '/tmp/x.csv'" } });
  expect(exportForged.status()).toBe(403);

  // The table is still there.
  await typeSql(page, 'SELECT count(*) AS orders FROM gold.fact_orders');
  await runWithKeyboard(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-status', 'done');
});
