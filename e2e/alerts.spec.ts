// The server's alerts on the board, in Chromium, on a server and store of their own that evaluate
// the rules every second: an alert shows on every board and sounds until someone acknowledges it
// on any of them; a paired TV shows it but cannot acknowledge it; the board still fits at 1080p.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { seriousViolations } from './axe';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createSupervisor, startServer, type RunningServer } from '../test/helpers/server';
import { TEST_KEY } from '../test/helpers/callbacks';
import { tempDatabaseUrl } from '../test/helpers/db';
import { post, stamp } from './post';

test.describe.configure({ mode: 'serial' });
test.use({ storageState: { cookies: [], origins: [] } });

let server: RunningServer;
let supervisor: string;
const LINE = '+18005550100';
const VIEWPORT = { width: 1920, height: 1080 };

test.beforeAll(async () => {
  server = await startServer({
    databaseUrl: await tempDatabaseUrl('sqlite'),
    // Every second rather than every 15: an alert opens within a round or two of its calls.
    env: { ALERT_INTERVAL_SECONDS: '1' },
  });
  supervisor = await createSupervisor(server, 'sam');
});
test.afterAll(async () => {
  await server?.stop();
});

async function signedIn(context: BrowserContext, cookie: string) {
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
}

/** JSON to the API with the page's session, from the site's own origin as the pages send it. */
async function api(page: Page, method: string, path: string, data?: unknown) {
  return page.request.fetch(new URL(path, server.url).toString(), {
    method,
    data,
    headers: { Origin: server.url },
  });
}

async function lowMosCalls(page: Page, n: number) {
  for (let i = 0; i < n; i++) {
    const form = {
      CallSid: randomUUID(),
      AccountSid: 'b3877c40-da60-4998-90ad-b792e98472af',
      From: `+1415555${String(1000 + i)}`,
      To: LINE,
      CallStatus: 'completed',
      CallDuration: '60',
      AudioInMos: '2.10',
      Timestamp: stamp(Date.now() - i * 1000),
    };
    await post(page.request, form, { base: server.url, key: TEST_KEY });
  }
}

const beeps = (page: Page) =>
  page.evaluate(() => (window as unknown as { __wallboardBeeps?: number }).__wallboardBeeps ?? 0);

async function openBoard(page: Page, path = '/?range=1h') {
  await page.goto(server.url + path);
  await expect(page.getByTestId('connection')).toHaveText('Live');
}

test('an alert shows on every board and sounds until it is acknowledged on one of them', async ({
  page,
  context,
  browser,
}) => {
  await signedIn(context, server.cookie);
  // Sound on; no tile thresholds, so what the boards beep for is the alert alone.
  const settings = await (await api(page, 'GET', '/api/admin/settings')).json();
  const saved = await api(page, 'PUT', '/api/admin/settings', {
    ...settings,
    soundAlerts: true,
    thresholds: { ...settings.thresholds, averageMos: null },
  });
  expect(saved.status()).toBe(200);
  const rule = await api(page, 'POST', '/api/admin/alert-rules', {
    name: 'Low MOS',
    kind: 'mos-below',
    threshold: 3.5,
    minCalls: 1,
    windowMinutes: 15,
    channels: [],
  });
  expect(rule.status()).toBe(201);

  // The second board is a supervisor's, on a clock the test moves: two minutes pass in a moment.
  const other = await browser.newContext({ viewport: VIEWPORT });
  await signedIn(other, supervisor);
  await other.clock.install();
  const second = await other.newPage();
  try {
    await openBoard(page);
    await openBoard(second);
    for (const p of [page, second]) {
      // None open: the panel takes no room.
      await expect(p.getByTestId('alerts')).toBeHidden();
      await expect(p.getByTestId('alerts')).toHaveAttribute('data-sounding', 'false');
      expect(await beeps(p)).toBe(0);
    }

    await lowMosCalls(page, 3);
    for (const p of [page, second]) {
      const alert = p.getByTestId('alert');
      await expect(alert).toHaveCount(1);
      await expect(alert.getByTestId('alert-rule')).toHaveText('⚠ Low MOS');
      await expect(alert.getByTestId('alert-line')).toHaveText('all lines');
      await expect(alert.getByTestId('alert-summary')).toContainText('Average MOS 2.10 below 3.5');
      await expect(alert.getByTestId('alert-fired')).toContainText(/fired \d+ s ago/);
      await expect(alert.getByTestId('alert-ack')).toBeVisible();
      await expect(p.getByTestId('alerts')).toHaveAttribute('data-sounding', 'true');
      await expect(p.getByTestId('alerts-sounding')).toHaveText('Sounding until acknowledged');
      await expect.poll(() => beeps(p)).toBe(1);
    }
    // Unacknowledged, it sounds again every 2 minutes.
    await other.clock.fastForward('02:00');
    await expect.poll(() => beeps(second)).toBe(2);

    await page.getByTestId('alert-ack').click();
    await expect(page.getByTestId('alert-acknowledged')).toContainText('Acknowledged by Administrator at');
    await expect(page.getByTestId('alerts')).toHaveAttribute('data-sounding', 'false');
    // The other board hears of it through its socket and goes quiet.
    const acknowledged = second.getByTestId('alert').getByTestId('alert-acknowledged');
    await expect(acknowledged).toContainText(/^Acknowledged by Administrator at \d\d:\d\d:\d\d$/);
    await expect(second.getByTestId('alert-ack')).toHaveCount(0);
    await expect(second.getByTestId('alerts')).toHaveAttribute('data-sounding', 'false');
    await expect(second.getByTestId('alerts-sounding')).toHaveCount(0);
    await expect(second.getByTestId('alert')).toHaveAttribute('data-acknowledged', 'true');
    await expect(second.getByTestId('alerts-title')).toHaveText('1 open alert');
    const heard = await beeps(second);
    await other.clock.fastForward('06:00');
    // Still open and acknowledged after the jump, and not one beep more.
    await expect(second.getByTestId('alert')).toHaveAttribute('data-acknowledged', 'true');
    expect(await beeps(second)).toBe(heard);
    expect(await beeps(page)).toBe(1);
  } finally {
    await other.close();
  }
});

test('the alert history lists the alert', async ({ page, context }) => {
  await signedIn(context, server.cookie);
  const res = await page.request.get(`${server.url}/alerts`);
  expect(res.status()).toBe(200);
  await page.goto(`${server.url}/alerts`);
  const row = page.getByRole('row').filter({ hasText: 'Low MOS' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('all lines');
  await expect(row).toContainText('Administrator');
});

test('a paired TV shows the alerts but may not acknowledge them; the board fits at 1080p', async ({
  page,
  context,
  browser,
}) => {
  await signedIn(context, server.cookie);
  // A second rule, on the line: it opens on the calls already in its window, unacknowledged.
  const rule = await api(page, 'POST', '/api/admin/alert-rules', {
    name: 'Low MOS on the sales line',
    kind: 'mos-below',
    line: LINE,
    threshold: 3.5,
    minCalls: 1,
    windowMinutes: 15,
    channels: [],
  });
  expect(rule.status()).toBe(201);
  await page.setViewportSize(VIEWPORT);
  await openBoard(page);
  const rows = page.getByTestId('alert');
  await expect(rows).toHaveCount(2);
  // Unacknowledged first.
  await expect(rows.nth(0).getByTestId('alert-rule')).toHaveText('⚠ Low MOS on the sales line');
  await expect(rows.nth(0).getByTestId('alert-line')).toHaveText(LINE);
  await expect(rows.nth(1)).toHaveAttribute('data-acknowledged', 'true');
  await expect(page.getByTestId('alerts-title')).toHaveText('⚠ 2 open alerts · 1 unacknowledged');
  await expect(page.getByTestId('alerts-history')).toHaveAttribute('href', '/alerts');
  mkdirSync('e2e/screenshots', { recursive: true });
  await page.screenshot({ path: 'e2e/screenshots/alerts-board.png' });
  await expectFits(page);
  expect(await seriousViolations(page, '[data-testid=alerts]')).toEqual([]);

  const created = await api(page, 'POST', '/api/admin/wallboards', { name: 'Floor TV' });
  expect(created.status()).toBe(201);
  const { code } = (await created.json()) as { code: string };
  const tvContext = await browser.newContext({ viewport: VIEWPORT });
  try {
    const tv = await tvContext.newPage();
    const paired = await tv.request.post(`${server.url}/api/pair`, {
      data: { code },
      headers: { Origin: server.url },
    });
    expect(paired.status()).toBe(200);
    await openBoard(tv, '/');
    await expect(tv.getByTestId('alert')).toHaveCount(2);
    await expect(tv.getByTestId('alert-ack')).toHaveCount(0);
    await expect(tv.getByTestId('alerts-history')).toHaveCount(0);
    await expect(tv.getByTestId('alert').first()).toContainText('Unacknowledged');
    const id = await tv.getByTestId('alert').first().getAttribute('data-alert-id');
    const refused = await tv.request.post(`${server.url}/api/alerts/${id}/ack`, {
      headers: { Origin: server.url },
    });
    expect(refused.status()).toBe(403);
    await tv.screenshot({ path: 'e2e/screenshots/alerts-tv.png' });
    await expectFits(tv);
  } finally {
    await tvContext.close();
  }
});

/** Nothing scrolls and every panel is on the screen: the alerts took their room from the body. */
async function expectFits(page: Page) {
  const overflow = await page.evaluate(() => ({
    down: document.documentElement.scrollHeight - window.innerHeight,
    across: document.documentElement.scrollWidth - window.innerWidth,
  }));
  expect(overflow.down).toBeLessThanOrEqual(0);
  expect(overflow.across).toBeLessThanOrEqual(0);
  for (const id of ['alerts', 'kpi-jitter', 'call-table', 'lines', 'failures', 'health']) {
    const box = (await page.getByTestId(id).boundingBox())!;
    expect(box.x + box.width, id).toBeLessThanOrEqual(VIEWPORT.width + 1);
    expect(box.y + box.height, id).toBeLessThanOrEqual(VIEWPORT.height + 1);
  }
  // Nothing in the alerts panel is cut off sideways.
  const cut = await page
    .getByTestId('alerts')
    .evaluate((panel) =>
      [...panel.querySelectorAll('*')]
        .filter(
          (el) => el instanceof HTMLElement && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0,
        )
        .map((el) => `${el.className}: ${el.textContent}`),
    );
  expect(cut).toEqual([]);
}
