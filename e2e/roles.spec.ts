/**
 * Roles are enforced by the server. An analyst browses the lake but cannot upload, run jobs or manage
 * users: the UI does not offer it, and forged requests — a raw upload, and server actions replayed
 * from an engineer's clicks with the analyst's cookie — are refused and change nothing.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, ANALYST, signIn } from './support/auth';
import { captureServerAction, replayServerAction } from './support/forge';

const ORDERS = 'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\nx,y,delivered,2018-01-01 10:00:00,,,,2018-02-01\n';

test('an analyst browses but is refused uploads, jobs and user management — by the server', async ({ browser }, testInfo) => {
  // An engineer's real clicks give us what a forger would replay.
  const engineer = await browser.newPage();
  await signIn(engineer, ADMIN.user, ADMIN.password);
  await engineer.goto('/jobs');
  // Silver has nothing new by now, so the real run is over in a moment.
  const startSilver = await captureServerAction(engineer, () => engineer.getByRole('button', { name: 'Run silver' }).click());
  const panel = engineer.getByRole('region', { name: 'Start a job' });
  await expect(panel.getByRole('status').or(panel.getByRole('alert'))).toBeVisible();
  await engineer.goto('/users');
  const addForm = engineer.getByRole('form', { name: 'Add a user' });
  await addForm.getByLabel('User name').fill('bianca');
  await addForm.getByLabel('Password').fill('bianca-password');
  const addUser = await captureServerAction(engineer, () => engineer.getByRole('button', { name: 'Add user' }).click());
  await expect(engineer.getByRole('form', { name: 'Add a user' }).getByRole('status')).toHaveText('Added bianca (analyst).');
  await engineer.close();

  const page = await browser.newPage();
  await signIn(page, ANALYST.user, ANALYST.password);
  await expect(page.getByTestId('current-user')).toContainText('Ana Lyst');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);

  // The Ingest page says no, and offers no file picker.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ingest' }).click();
  await expect(page.getByTestId('upload-refused')).toContainText('needs the engineer role');
  await expect(page.getByLabel('Choose files to upload')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('analyst-ingest.png'), fullPage: true });

  // A forged upload straight to the route handler: 403, nothing staged.
  const upload = await page.request.post('/api/uploads', { headers: { 'x-file-name': 'olist_orders_dataset.csv', 'content-type': 'application/octet-stream' }, data: Buffer.from(ORDERS) });
  expect(upload.status()).toBe(403);
  expect((await upload.json()).error).toMatch(/needs the engineer role; you are signed in as analyst \(analyst\)/);
  const pending = (await (await page.request.get('/api/uploads')).json()) as { uploads: { fileName: string }[] };
  expect(pending.uploads).toEqual([]);

  // Jobs: no start buttons; a replayed "Run silver" action is refused and starts nothing.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByRole('note')).toContainText('Starting jobs needs the engineer role');
  await expect(page.getByRole('button', { name: /^Run / })).toHaveCount(0);
  const runsBefore = ((await (await page.request.get('/api/runs?limit=500')).json()) as { runs: unknown[] }).runs.length;
  const forgedStart = await replayServerAction(page, startSilver);
  expect(forgedStart.text).toContain('needs the engineer role');
  const runsAfter = ((await (await page.request.get('/api/runs?limit=500')).json()) as { runs: unknown[] }).runs.length;
  expect(runsAfter).toBe(runsBefore);
  await page.screenshot({ path: testInfo.outputPath('analyst-jobs.png'), fullPage: true });

  // A replayed "Add user" is refused on the role, not on the (already taken) name.
  const forgedUser = await replayServerAction(page, addUser);
  expect(forgedUser.text).toContain('needs the engineer role');
  expect(forgedUser.text).not.toContain('already exists');
  await page.goto('/users');
  await expect(page.getByRole('note')).toHaveText('Managing users needs the engineer role.');

  // Datasets are readable; restoring a version is not offered.
  await page.goto('/datasets/silver/orders');
  await expect(page.getByRole('heading', { name: 'silver.orders' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Restore/ })).toHaveCount(0);
  await page.goto('/datasets/silver/orders/partitions');
  await expect(page.getByRole('button', { name: /Compact/ })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('analyst-partitions.png'), fullPage: true });
});
