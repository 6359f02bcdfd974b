import { expect, test } from '@playwright/test';
import { ADMIN, signIn, signOut } from './support/auth';

test('the console asks who you are, opens on the Overview with the three layers, and signs you out', async ({ page }, testInfo) => {
  await page.goto('/jobs');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fjobs$/);
  await expect(page).toHaveTitle(/Sign in/);
  // After signing in, the page that was asked for opens.
  await page.getByLabel('User name').fill(ADMIN.user);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await expect(page.getByTestId('current-user')).toContainText('admin');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page).toHaveTitle(/Keystone Nexus/);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  for (const layer of ['Bronze', 'Silver', 'Gold']) {
    const card = page.getByRole('region', { name: `${layer.toLowerCase()} layer` });
    await expect(card).toBeVisible();
    await expect(card.getByRole('link', { name: layer })).toBeVisible();
  }
  await expect(page.getByRole('region', { name: 'Ingestor' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('overview.png'), fullPage: true });

  // A person follows the Silver link from the sidebar and lands on the layer browser.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Silver' }).click();
  await expect(page.getByRole('heading', { name: 'Silver' })).toBeVisible();
  await expect(page).toHaveURL(/\/layers\/silver$/);

  await signOut(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
});

test('an unknown layer, dataset or run is a 404, not a crash', async ({ page }) => {
  await signIn(page, ADMIN.user, ADMIN.password);
  for (const url of ['/layers/platinum', '/datasets/silver/no_such_table', '/jobs/00000000-0000-0000-0000-000000000000']) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(404);
  }
});

test('route handlers refuse callers who are not signed in', async ({ request }) => {
  for (const url of ['/api/runs', '/api/uploads', '/api/ingestor']) {
    const r = await request.get(url);
    expect(r.status(), url).toBe(401);
    expect((await r.json()).error).toMatch(/signed out/);
  }
  const upload = await request.post('/api/uploads', { headers: { 'x-file-name': 'x.csv' }, data: 'a,b\n1,2\n' });
  expect(upload.status()).toBe(401);
});
