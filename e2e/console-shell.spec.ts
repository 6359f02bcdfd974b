import { expect, test } from '@playwright/test';

test('the console opens on the Overview with the three layers', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page).toHaveTitle(/Keystone Nexus/);
  await expect(page.getByText('Keystone Nexus').first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  for (const layer of ['Bronze', 'Silver', 'Gold']) {
    const card = page.getByRole('region', { name: `${layer.toLowerCase()} layer` });
    await expect(card).toBeVisible();
    await expect(card.getByRole('link', { name: layer })).toBeVisible();
  }
  await page.screenshot({ path: testInfo.outputPath('overview.png'), fullPage: true });

  // A person follows the Silver link from the sidebar and lands on the layer browser.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Silver' }).click();
  await expect(page.getByRole('heading', { name: 'Silver' })).toBeVisible();
  await expect(page).toHaveURL(/\/layers\/silver$/);
});

test('an unknown layer is a 404, not a crash', async ({ page }) => {
  const response = await page.goto('/layers/platinum');
  expect(response?.status()).toBe(404);
});
