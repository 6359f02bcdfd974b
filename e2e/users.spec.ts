/**
 * Managing people from the Users page, as an engineer does it: add a user, hand over a reset password,
 * change a role, disable (which signs them out at once); and the sign-in form's brake on guessing.
 */
import { expect, test } from '@playwright/test';
import { ADMIN, signIn } from './support/auth';

test('an engineer adds a user, resets their password, promotes and then disables them', async ({ browser }, info) => {
  const admin = await browser.newPage();
  await signIn(admin, ADMIN.user, ADMIN.password);
  await admin.goto('/users');
  const add = admin.getByRole('form', { name: 'Add a user' });
  await add.getByLabel('User name').fill('carol');
  await add.getByLabel('Password').fill('carol-first-password');
  await add.getByRole('button', { name: 'Add user' }).click();
  await expect(add.getByRole('status')).toHaveText('Added carol (analyst).');

  // Reset: the new password is shown once, and it is the one that works.
  const carolRow = admin.getByRole('row', { name: /carol/ });
  await carolRow.getByRole('button', { name: 'Reset password' }).click();
  const shown = carolRow.getByTestId('new-password');
  await expect(shown).toBeVisible();
  const password = (await shown.textContent())!.trim();
  expect(password.length).toBeGreaterThanOrEqual(16);

  const carol = await (await browser.newContext()).newPage();
  await signIn(carol, 'carol', password);
  await carol.goto('/users');
  await expect(carol.getByRole('note')).toHaveText('Managing users needs the engineer role.');

  // Promoted, Carol sees the user table on her next page load.
  await carolRow.getByLabel('Role of carol').selectOption('engineer');
  await carolRow.getByRole('button', { name: 'Set role' }).click();
  await expect(carolRow.getByRole('status')).toHaveText('Role set to engineer.');
  await carol.reload();
  await expect(carol.getByRole('table', { name: 'Users' })).toBeVisible();

  // The admin cannot disable their own account; disabling Carol signs her out at once.
  await expect(admin.getByRole('row', { name: /^admin/ }).getByRole('button', { name: 'Disable' })).toBeDisabled();
  await carolRow.getByRole('button', { name: 'Disable' }).click();
  await expect(carolRow.getByRole('status')).toHaveText('Disabled and signed out everywhere.');
  await expect(carolRow).toContainText('disabled');
  await carol.reload();
  await expect(carol.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await carol.getByLabel('User name').fill('carol');
  await carol.getByLabel('Password').fill(password);
  await carol.getByRole('button', { name: 'Sign in' }).click();
  await expect(carol.locator('form').getByRole('alert')).toHaveText('Wrong user name or password.');
  await admin.screenshot({ path: info.outputPath('users.png'), fullPage: true });
});

test('guessing passwords is slowed down: after 5 wrong tries the form says to wait', async ({ page }) => {
  await page.goto('/sign-in');
  const alert = page.locator('form').getByRole('alert');
  // One try as a person makes it: type, press Sign in, wait for the answer (the message may not change).
  const attempt = async (password: string) => {
    await page.getByLabel('User name').fill('mallory');
    await page.getByLabel('Password').fill(password);
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await answered;
  };
  for (let i = 1; i <= 6; i++) {
    await attempt(`guess-number-${i}`);
    await expect(alert).toHaveText('Wrong user name or password.');
  }
  // Locked now: even the next try is refused before any password is checked.
  await attempt('guess-number-7');
  await expect(alert).toHaveText(/^Too many failed sign-ins\. Try again in \d+ s\.$/);
});
