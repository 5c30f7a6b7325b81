// Access control in a real browser: the first start on a fresh store, and a TV paired and revoked.
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { startServer } from '../test/helpers/server';
import { post } from './post';
import { randomUUID } from 'node:crypto';

const call = () => ({
  CallSid: randomUUID(),
  CallStatus: 'completed',
  // Two days ago: on the TV's last-7-days board, and off the other specs' last-hour boards, which
  // share this store and start empty.
  Timestamp: new Date(Date.now() - 2 * 86_400_000).toUTCString().replace('GMT', '+0000'),
  CallDuration: '61',
  AudioInMos: '4.2',
});

test.describe.configure({ mode: 'serial' });

test.describe('first start on a fresh store', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('the admin signs in with the printed one-time password and must choose a new one', async ({
    page,
  }) => {
    const fresh = await startServer({ env: { ADMIN_PASSWORD: '' }, signIn: false });
    try {
      const password = /one-time password: (\S+)/.exec(fresh.logs.join('\n'))![1]!;
      await page.goto(fresh.url);
      await expect(page).toHaveURL(/\/login/);
      mkdirSync('e2e/screenshots', { recursive: true });
      await page.screenshot({ path: 'e2e/screenshots/login.png' });
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/account\/password$/);
      await expect(page.getByRole('heading')).toHaveText('Choose your password');
      // Nothing else opens until it is changed.
      await page.goto(`${fresh.url}/admin`);
      await expect(page).toHaveURL(/\/account\/password$/);
      await page.getByLabel('Current password').fill(password);
      await page.getByLabel('New password (12 characters or more)').fill('a-password-of-my-own');
      await page.getByLabel('New password again').fill('a-password-of-my-own');
      await page.getByRole('button', { name: 'Save password' }).click();
      await expect(page).toHaveURL(`${fresh.url}/`);
      await expect(page.getByTestId('connection')).toHaveText('Live');
      await expect(page.getByTestId('signed-in-as')).toHaveText('Administrator');
    } finally {
      await fresh.stop();
    }
  });
});

test('an admin pairs a TV with a code; the TV views read-only until the admin revokes it', async ({
  page,
  browser,
}) => {
  await page.goto('/admin');
  await page.getByLabel('Wallboard name').fill('Lobby TV');
  await page.getByRole('button', { name: 'Add wallboard TV' }).click();
  const code = (await page.getByTestId('pairing-code').textContent())!.trim();
  expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
  await expect(page.getByTestId('wallboard-Lobby TV')).toContainText('waiting');
  await page.screenshot({ path: 'e2e/screenshots/admin.png' });

  const tvContext = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const tv = await tvContext.newPage();
  await tv.goto('/pair');
  await tv.getByLabel('Pairing code').fill(code.toLowerCase());
  await tv.getByRole('button', { name: 'Pair' }).click();
  await expect(tv.getByTestId('connection')).toHaveText('Live');
  await expect(tv.getByTestId('export-csv')).toHaveCount(0);
  await expect(tv.getByTestId('signed-in-as')).toHaveCount(0);
  const cookie = (await tvContext.cookies()).find((c) => c.name === 'wallboard_tv')!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Lax');
  // The TV cannot take the numbers away in bulk.
  expect((await tv.request.get('/api/calls/export')).status()).toBe(403);
  // A call arrives live with its caller masked: the full number never reaches the TV.
  await tv.goto('/?range=7d');
  await expect(tv.getByTestId('connection')).toHaveText('Live');
  const caller = '+14155550142';
  await post(page.request, { ...call(), From: caller, To: '+18005550100' });
  const row = tv.getByTestId('call-row').filter({ hasText: '+1 415 ••• 0142' });
  await expect(row).toHaveCount(1);
  expect(await tv.content()).not.toContain(caller.slice(1));
  await tv.screenshot({ path: 'e2e/screenshots/tv-paired.png' });

  await page.reload();
  await expect(page.getByTestId('wallboard-Lobby TV')).toContainText('paired');
  await page.getByTestId('wallboard-Lobby TV').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByTestId('wallboard-Lobby TV')).toContainText('revoked');
  // Its live connection closes and the page goes back to sign-in.
  await expect(tv).toHaveURL(/\/login/, { timeout: 10_000 });
  await tvContext.close();
});
