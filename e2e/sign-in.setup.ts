// Signs in as the first admin through the real login page, as a person would.
import { expect, test } from '@playwright/test';
import { ADMIN_STATE, E2E_ADMIN_PASSWORD } from './signing';

test('an anonymous visitor is sent to the login page, signs in and lands on the board', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('auth-error')).toContainText(/invalid/i);
  await page.getByLabel('Password').fill(E2E_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  await expect(page.getByTestId('signed-in-as')).toHaveText('Administrator');
  await page.context().storageState({ path: ADMIN_STATE });
});
