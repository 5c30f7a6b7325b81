// A board that a large call center fills stays whole: no tile, cell or chart label is cut off at
// 1080p or 4K, in the normal and the TV layout, and a phone gets one column without sideways
// scrolling. The store is given a day of a very large center's totals.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { startServer, type RunningServer } from '../test/helpers/server';
import { tempDatabaseUrl } from '../test/helpers/db';
import { TEST_KEY } from '../test/helpers/callbacks';
import { post, stamp } from './post';

test.describe.configure({ mode: 'serial' });
test.use({ storageState: { cookies: [], origins: [] } });

let server: RunningServer;
/** Numbers as long as E.164 allows (15 digits). */
const LINES = Array.from({ length: 8 }, (_, i) => `+99912345678900${i}`);
const CALLER = '+998765432109876';

test.beforeAll(async () => {
  server = await startServer({ databaseUrl: await tempDatabaseUrl('sqlite') });
  const context = await (await import('@playwright/test')).request.newContext();
  for (const [i, line] of LINES.entries()) {
    const form = {
      CallSid: randomUUID(),
      From: CALLER,
      To: line,
      CallStatus: i % 3 ? 'completed' : 'no-answer',
      CallDuration: i % 3 ? '3599' : '0',
      AudioInMos: '2.10',
      Timestamp: stamp(Date.now()),
    };
    await post(context, form, { base: server.url, key: TEST_KEY });
  }
  await context.dispose();
  // Then a very large center's day on top, straight into the rollups every figure is read from:
  // 1,234,567 calls on the busiest line, 2,000,000 talk minutes, as much bad audio.
  const db = new Database(new URL(server.databaseUrl).pathname);
  db.prepare(
    `UPDATE "Rollup" SET "calls" = "calls" + 1234567, "finished" = "finished" + 1234560,
       "completed" = "completed" + 1000000, "durationSum" = "durationSum" + 120000000,
       "durationCount" = "durationCount" + 1234560, "mosSumCenti" = "mosSumCenti" + 250000000,
       "mosCount" = "mosCount" + 1000000, "mosBad" = "mosBad" + 1000000, "dur5" = "dur5" + 1234560,
       "badAudioSum" = "badAudioSum" + 119000000, "lossCount" = "lossCount" + 1000000,
       "packetsSum" = "packetsSum" + 1500000000, "lostSum" = "lostSum" + 187654321,
       "loss6" = "loss6" + 1000000, "jitterCount" = "jitterCount" + 1000000,
       "jitterSumCenti" = "jitterSumCenti" + 123456789000, "jit5" = "jit5" + 1000000
     WHERE "line" = ?`,
  ).run(LINES[0]);
  // And every way a call fails, each code many times over, with the longest meanings.
  const bucket = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const fail = db.prepare(
    `INSERT INTO "FailureRollup" ("resolution", "bucket", "line", "direction", "status", "sipCode", "calls")
     VALUES (?, ?, ?, 'inbound', ?, ?, ?)`,
  );
  const codes: [string, number][] = [
    ['no-answer', 480],
    ['busy', 486],
    ['busy', 600],
    ['failed', 604],
    ['failed', 503],
    ['canceled', 487],
    ['no-answer', 408],
    ['failed', 404],
    ['failed', 0],
  ];
  for (const [i, [status, code]] of codes.entries()) {
    // The day row, the hour row and its first minute: boards read one of them, by range.
    fail.run(1440, day, LINES[0], status, code, 123_456 - i);
    fail.run(60, bucket, LINES[0], status, code, 123_456 - i);
    fail.run(1, bucket, LINES[0], status, code, 123_456 - i);
  }
  db.close();
});
test.afterAll(async () => {
  await server?.stop();
});

async function signedIn(context: BrowserContext) {
  const [name, value] = server.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
}

/** Every element on the board whose content is wider than its box, and every chart label outside its chart. */
function clipped(page: Page, { scrollable = false } = {}) {
  return page.evaluate((scrollable) => {
    const out: string[] = [];
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}.${el.className}: "${(el.textContent ?? '').slice(0, 40)}"`;
    for (const el of document.querySelectorAll('main *')) {
      if (!(el instanceof HTMLElement) || el.closest('svg')) continue;
      // On a phone a wide table may scroll sideways inside its own panel: cut off it is not.
      if (scrollable && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) continue;
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) out.push(name(el));
    }
    for (const text of document.querySelectorAll('main svg text')) {
      const chart = text.closest('svg')!.getBoundingClientRect();
      const box = text.getBoundingClientRect();
      if (box.left < chart.left - 1 || box.right > chart.right + 1) out.push(name(text));
    }
    return out;
  }, scrollable);
}

for (const [name, width, height] of [
  ['1080p', 1920, 1080],
  ['4k', 3840, 2160],
] as const) {
  for (const layout of ['board', 'tv'] as const) {
    test(`nothing is cut off at ${name} in the ${layout} layout, with a large center's totals`, async ({
      page,
      context,
    }) => {
      await signedIn(context);
      await page.setViewportSize({ width, height });
      await page.goto(`${server.url}/?range=today${layout === 'tv' ? '&view=tv' : ''}`);
      await expect(page.getByTestId('connection')).toHaveText('Live');
      await expect(page.getByTestId('kpi-total-calls-value')).toHaveText('1,234,575');
      // 2,000,000 minutes and more, read in hours.
      await expect(page.getByTestId('kpi-talk-minutes')).toContainText('33,338 h');
      await expect(page.getByTestId('kpi-bad-audio')).toContainText('33,061 h');
      await expect(page.getByTestId('line-row')).toHaveCount(LINES.length);
      // 187,654,321 lost of 1.5 billion packets; a mean largest jitter of 1,234.57 ms.
      await expect(page.getByTestId('kpi-packet-loss-value')).toHaveText('12.51%');
      await expect(page.getByTestId('kpi-jitter-value')).toHaveText('1,234.6 ms');
      // Why calls fail lists what it can hold, and sums the rest on its last line.
      await expect(page.getByTestId('failure-row').first()).toContainText('Temporarily Unavailable');
      mkdirSync('e2e/screenshots', { recursive: true });
      await page.screenshot({ path: `e2e/screenshots/fit-${layout}-${name}.png` });
      expect(await clipped(page)).toEqual([]);
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      ).toBeLessThanOrEqual(0);
    });
  }
}

test('a phone gets a single column, nothing cut off and no sideways scrolling', async ({ page, context }) => {
  await signedIn(context);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/?range=today`);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  await expect(page.getByTestId('kpi-total-calls-value')).toHaveText('1,234,575');
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
  ).toBeLessThanOrEqual(0);
  expect(await clipped(page, { scrollable: true })).toEqual([]);
  // One column: the call table and the charts stand one above the other, each the page's width.
  const calls = (await page.getByTestId('call-table').boundingBox())!;
  const chart = (await page.getByTestId('chart-mos-time').boundingBox())!;
  expect(chart.y).toBeGreaterThan(calls.y + calls.height - 1);
  await page.screenshot({ path: 'e2e/screenshots/fit-phone.png', fullPage: true });
});

test.describe('in a German browser', () => {
  test.use({ locale: 'de-DE' });
  test('numbers follow the browser’s locale', async ({ page, context }) => {
    await signedIn(context);
    await page.goto(`${server.url}/?range=today`);
    await expect(page.getByTestId('connection')).toHaveText('Live');
    await expect(page.getByTestId('kpi-total-calls-value')).toHaveText('1.234.575');
    await expect(page.getByTestId('kpi-average-mos-value')).toHaveText('2,50');
  });
});
