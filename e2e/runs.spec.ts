/**
 * Runs as the Jobs pages show them. The runs here are written straight into the catalog of the console
 * under test (the embedded Postgres `keystone serve` started): one that logged 50,000 lines — the log
 * stays smooth (virtualized, only the lines in view are in the page) and reaches its last line — and
 * one that failed a check: its reason and failing check are shown, and the Overview puts it first.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { expect, test } from '@playwright/test';
import { ADMIN, signIn } from './support/auth';

async function catalog<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const conn = JSON.parse(fs.readFileSync(path.join(process.env.E2E_DATA_DIR!, 'pg.json'), 'utf8')) as { port: number; user: string; password: string; database: string };
  const client = new pg.Client({ host: '127.0.0.1', port: conn.port, user: conn.user, password: conn.password, database: conn.database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function insertNoisyRun(lines: number): Promise<string> {
  return catalog(async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `insert into job_runs (job, status, started_at, finished_at, rows_in, rows_out, params) values ('noisy', 'succeeded', now() - interval '2 minutes', now(), 0, 0, '{}') returning id`,
    );
    const id = rows[0]!.id;
    await client.query(
      `insert into run_logs (run_id, seq, at, level, message)
       select $1, g, now() - interval '2 minutes' + g * interval '1 millisecond', case when g % 1000 = 0 then 'warn' else 'info' end, 'line ' || g || ': processed batch ' || (g * 7) % 997
         from generate_series(1, $2::int) g`,
      [id, lines],
    );
    return id;
  });
}

test('50,000 log lines: virtualized, all reachable, scrolling stays fast', async ({ page }, testInfo) => {
  const id = await insertNoisyRun(50_000);
  await signIn(page, ADMIN.user, ADMIN.password);
  await page.goto('/jobs');
  await page.getByRole('table', { name: 'Run history' }).locator(`tr[data-run-id="${id}"]`).getByRole('link', { name: 'noisy' }).click();
  const log = page.getByRole('log', { name: 'Run log' });
  await expect(page.getByTestId('log-count')).toHaveText('50,000 lines', { timeout: 30_000 });
  // Following the end: the last line is on screen, and only ~a screenful of lines is in the DOM.
  await expect(log.getByText('line 50000: ', { exact: false })).toBeVisible();
  expect(await log.locator('.log-line').count()).toBeLessThan(200);

  // Jump to the top and to the middle, as a reader dragging the scrollbar would.
  for (const [fraction, expected] of [
    [0, 'line 1: '],
    [0.5, /line 2\d{4}: /],
  ] as const) {
    const t0 = Date.now();
    await log.evaluate((el, f) => (el.scrollTop = f * (el.scrollHeight - el.clientHeight)), fraction);
    await expect(log.locator('.log-line').filter({ hasText: expected }).first()).toBeVisible();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(await log.locator('.log-line').count()).toBeLessThan(200);
  }
  await page.screenshot({ path: testInfo.outputPath('run-log-50k.png'), fullPage: true });
});

test('a failed run shows its reason and the failing check, and the Overview shows it first until the job succeeds', async ({ page }, testInfo) => {
  const failed = await catalog(async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `insert into job_runs (job, status, started_at, finished_at, error, params) values ('nightly-audit', 'failed', now() - interval '1 minute', now(), 'silver.orders: 61.0% of the rows were quarantined (limit 50%)', '{}') returning id`,
    );
    const id = rows[0]!.id;
    await client.query(
      `insert into run_checks (run_id, name, action, status, observed, expected, message) values
         ($1, 'reconcile(rows_in = rows_out + quarantined + duplicates)', 'fail', 'passed', '{"rowsIn": 100}', null, null),
         ($1, 'quarantine share ≤ 50%', 'fail', 'failed', '61', '50', '61.0% of the rows for silver.orders were quarantined (limit 50%): the source is probably not what it claims to be')`,
      [id],
    );
    await client.query(`insert into run_logs (run_id, seq, level, message) values ($1, 1, 'info', 'nightly-audit started'), ($1, 2, 'error', 'run failed: too many rows quarantined')`, [id]);
    return id;
  });
  await signIn(page, ADMIN.user, ADMIN.password);
  const attention = page.getByRole('region', { name: 'Needs attention' });
  await expect(attention).toContainText('The latest nightly-audit run failed');
  await expect(attention).toContainText('quarantine share ≤ 50% — 61.0% of the rows for silver.orders were quarantined');
  await page.screenshot({ path: testInfo.outputPath('overview-attention.png'), fullPage: true });

  await attention.getByRole('link', { name: 'Open the run' }).click();
  await expect(page).toHaveURL(`/jobs/${failed}`);
  const failure = page.locator('.failure');
  await expect(failure).toContainText('This run failed: silver.orders: 61.0% of the rows were quarantined (limit 50%)');
  await expect(failure).toContainText('Failing check: quarantine share ≤ 50% — 61.0% of the rows');
  // Failures come first in the checks table.
  await expect(page.getByRole('table', { name: 'Checks' }).getByRole('row').nth(1)).toContainText('failed');
  await expect(page.getByRole('log', { name: 'Run log' })).toContainText('run failed: too many rows quarantined');
  await page.screenshot({ path: testInfo.outputPath('run-failed.png'), fullPage: true });
  await page.getByRole('link', { name: 'Jobs' }).first().click();
  await expect(page.getByRole('table', { name: 'Run history' }).locator(`tr[data-run-id="${failed}"]`)).toContainText('quarantine share ≤ 50%: 61.0% of the rows');

  // The job succeeds later: it no longer needs attention.
  await catalog((client) => client.query(`insert into job_runs (job, status, started_at, finished_at, params) values ('nightly-audit', 'succeeded', now(), now(), '{}')`));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Needs attention' })).toHaveCount(0);
});
