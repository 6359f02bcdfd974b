/**
 * Shared page objects for the browser suite: signing in and out as a person does (typing into the
 * sign-in form), and the users the suite works with. Every spec signs in through here.
 */
import { expect, type Page } from '@playwright/test';

/** Created at first start by `keystone serve` (playwright.config.ts sets KEYSTONE_ADMIN_PASSWORD). */
export const ADMIN = { user: 'admin', password: 'e2e-admin-password' } as const;
/** Created by e2e/global-setup.ts with `keystone users add analyst --role analyst`. */
export const ANALYST = { user: 'analyst', password: 'e2e-analyst-password' } as const;

/** Open the sign-in page, type the credentials, submit, and wait until the console shows the user. */
export async function signIn(page: Page, user: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('current-user')).toContainText(user);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}
