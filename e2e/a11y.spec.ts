// Every page is usable with assistive technology (axe-core finds no serious or critical violation)
// and loads without an error in the browser's console.
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from './axe';
import { randomUUID } from 'node:crypto';
import { post, stamp } from './post';
import { startServer, type RunningServer } from '../test/helpers/server';
import { TEST_KEY } from '../test/helpers/callbacks';
import { tempDatabaseUrl } from '../test/helpers/db';

// A server and store of its own: the call posted here must not show on the other specs' boards.
test.describe.configure({ mode: 'serial' });
test.use({ storageState: { cookies: [], origins: [] } });
let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ databaseUrl: await tempDatabaseUrl('sqlite') });
});
test.afterAll(async () => {
  await server?.stop();
});

/** Errors the page logs or throws, and requests that fail or answer 4xx/5xx, while `run` runs. */
async function problemsWhile(page: Page, run: () => Promise<void>): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  await run();
  return problems;
}

for (const [name, path] of [
  ['the board', '/?range=1h'],
  ['TV mode', '/?range=1h&view=tv'],
  ['the admin page', '/admin'],
] as const) {
  test(`${name} has no serious accessibility violation and no console error`, async ({ page, context }) => {
    const [cookie, value] = server.cookie.split('=') as [string, string];
    await context.addCookies([{ name: cookie, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
    // A call on the board, so that its table is audited with rows in it.
    const call = { CallSid: randomUUID(), From: '+14155550199', To: '+18005550100', CallStatus: 'completed' };
    const form = { ...call, CallDuration: '30', AudioInMos: '3.9', Timestamp: stamp(Date.now()) };
    await post(page.request, form, { base: server.url, key: TEST_KEY });
    const problems = await problemsWhile(page, async () => {
      await page.goto(server.url + path);
      if (path.startsWith('/?')) {
        await expect(page.getByTestId('connection')).toHaveText('Live');
        await expect(page.locator(`[data-call-sid="${call.CallSid}"]`)).toBeVisible();
      } else await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
    expect(problems).toEqual([]);
  });
}

test.describe('signed out', () => {
  for (const [name, path, field] of [
    ['the sign-in page', '/login', 'Username'],
    ['the pairing page', '/pair', 'Pairing code'],
  ] as const) {
    test(`${name} has no serious accessibility violation and no console error`, async ({ page }) => {
      const problems = await problemsWhile(page, async () => {
        await page.goto(server.url + path);
        await expect(page.getByLabel(field)).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
      });
      expect(problems).toEqual([]);
    });
  }
});
