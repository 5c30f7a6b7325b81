// The audit log page in Chromium, on a server and store of their own (the setting changed here must
// not reach the other specs' boards): an admin changes a board setting, finds the change in the log
// with its time in the browser's zone, filters by action, downloads the CSV and reads its rows, and
// axe-core finds no serious or critical violation.
import { expect, test } from '@playwright/test';
import { seriousViolations } from './axe';
import Papa from 'papaparse';
import { mkdirSync, readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../test/helpers/server';
import { tempDatabaseUrl } from '../test/helpers/db';

const ZONE = 'America/New_York';

test.describe.configure({ mode: 'serial' });
test.use({ storageState: { cookies: [], origins: [] }, timezoneId: ZONE, locale: 'en-US' });

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ databaseUrl: await tempDatabaseUrl('sqlite') });
});
test.afterAll(async () => {
  await server?.stop();
});

test('an admin finds a settings change in the audit log, filters it and downloads it as CSV', async ({
  page,
  context,
}) => {
  const [name, value] = server.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);

  // A setting changed through the admin page's form.
  await page.goto(`${server.url}/admin`);
  const form = page.getByTestId('settings-form');
  const silence = form.locator('input[name=silenceMinutes]');
  const before = await silence.inputValue();
  await silence.fill('45');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Saved');

  await page.goto(`${server.url}/admin/audit`);
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const filters = page.getByRole('search', { name: 'Audit filters' });
  await expect(filters).toContainText(`Days and times in ${ZONE}`);
  const rows = page.getByTestId('audit-row');
  // Newest first: the change, then the sign-in that started the session.
  const change = rows.first();
  await expect(change).toHaveAttribute('data-action', 'settings.save');
  await expect(change).toContainText('Saved board settings');
  await expect(change).toContainText('admin');
  await expect(change).toContainText('127.0.0.1');
  await expect(change).toContainText(`silenceMinutes: ${before} → 45`);
  await expect(rows.filter({ hasText: 'Signed in' })).toHaveCount(1);
  // Its time in the browser's zone, to the second.
  const at = (await change.locator('time').getAttribute('datetime'))!;
  const local = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    hourCycle: 'h23',
    dateStyle: 'medium',
    timeStyle: 'medium',
  }).format(new Date(at));
  await expect(change.locator('time')).toHaveText(local);
  const exportLink = page.getByRole('link', { name: 'Export CSV' });
  await expect(exportLink).toHaveAttribute('href', '/api/admin/audit/export');
  mkdirSync('e2e/screenshots', { recursive: true });
  await page.screenshot({ path: 'e2e/screenshots/audit-log.png' });
  expect(await seriousViolations(page)).toEqual([]);

  // Filtered by action: the change alone, in the link and in the export.
  await filters.getByLabel('Action').selectOption({ label: 'Saved board settings' });
  await expect(page).toHaveURL(/\/admin\/audit\?action=settings\.save$/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-action', 'settings.save');
  await expect(page.getByTestId('audit-count')).toHaveText('1 entry, newest first; page 1 of 1.');
  await expect(exportLink).toHaveAttribute('href', '/api/admin/audit/export?action=settings.save');
  expect(await seriousViolations(page)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()]);
  expect(download.suggestedFilename()).toMatch(/^audit_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.csv$/);
  const parsed = Papa.parse<string[]>(readFileSync((await download.path())!, 'utf8').trim());
  expect(parsed.errors).toEqual([]);
  const [header, ...data] = parsed.data;
  expect(header).toEqual(['Time', 'User', 'User ID', 'Address', 'Action', 'Target', 'Detail']);
  expect(data).toHaveLength(1);
  const [time, user, userId, address, action, target, detail] = data[0]!;
  expect(time).toBe(at);
  expect([user, action, target]).toEqual(['admin', 'settings.save', '']);
  expect(userId).toBeTruthy();
  expect(address).toMatch(/127\.0\.0\.1$/);
  const { changes } = JSON.parse(detail!) as { changes: Record<string, unknown> };
  expect(changes.silenceMinutes).toEqual({ from: Number(before), to: 45 });

  // A filter no entry matches, then cleared.
  await filters.getByRole('searchbox', { name: 'User' }).fill('nobody');
  await expect(page.getByTestId('audit-count')).toHaveText('No entries for these filters.');
  await expect(rows).toHaveCount(0);
  await filters.getByRole('button', { name: 'Clear' }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  // The export is in the log too, newest.
  await expect(rows.first()).toHaveAttribute('data-action', 'audit.export');
  await expect(page.getByRole('link', { name: 'Back to admin' })).toHaveAttribute('href', '/admin');
});
