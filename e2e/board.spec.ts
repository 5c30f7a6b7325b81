// The supervisor's board in Chromium, on a server and store of its own: ranges in a time zone
// (across a daylight-saving change), the per-line view and filters, exports that match the board,
// thresholds and their sound, the ingest health panel, and TV mode.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import Papa from 'papaparse';
import { startServer, type RunningServer } from '../test/helpers/server';
import { TEST_KEY } from '../test/helpers/callbacks';
import { tempDatabaseUrl } from '../test/helpers/db';
import { post, stamp, type Form } from './post';

test.describe.configure({ mode: 'serial' });
test.use({ storageState: { cookies: [], origins: [] } });

let server: RunningServer;
const HOUR = 3_600_000;

test.beforeAll(async () => {
  // A SQLite file of its own (the health test writes to it directly).
  server = await startServer({ databaseUrl: await tempDatabaseUrl('sqlite') });
});
test.afterAll(async () => {
  await server?.stop();
});

async function signedIn(context: BrowserContext) {
  const [name, value] = server.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
}

function call(over: Form): Form {
  return {
    CallSid: randomUUID(),
    AccountSid: 'b3877c40-da60-4998-90ad-b792e98472af',
    From: '+14155550100',
    To: '+18005550100',
    CallStatus: 'completed',
    CallDuration: '60',
    AudioInMos: '4.40',
    Timestamp: stamp(Date.now()),
    ...over,
  };
}

const send = (page: Page, form: Form, expected = 200, key = TEST_KEY) =>
  post(page.request, form, { base: server.url, expected, key });
const kpi = (page: Page, id: string) => page.getByTestId(`kpi-${id}-value`);

async function exported(page: Page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  const rows = Papa.parse<string[]>(readFileSync((await download.path())!, 'utf8').trim()).data.slice(1);
  return { name: download.suggestedFilename(), rows };
}

test.describe('in New York, on the day the clocks go forward', () => {
  test.use({ timezoneId: 'America/New_York' });

  test('"today" runs from local midnight for 23 hours, follows the zone, and the export matches', async ({
    page,
    context,
  }) => {
    await signedIn(context);
    // Sunday 8 March 2026: 02:00 EST becomes 03:00 EDT. Noon there is 16:00 UTC.
    await page.clock.setFixedTime(new Date('2026-03-08T16:00:00Z'));
    const at = {
      yesterdayLate: '2026-03-08T04:59:00Z', // 23:59 EST on the 7th
      midnight: '2026-03-08T05:00:30Z', // 00:00:30 EST
      afterJump: '2026-03-08T07:30:00Z', // 03:30 EDT: 02:30 never happened
      lastMinute: '2026-03-09T03:59:00Z', // 23:59 EDT
      tomorrow: '2026-03-09T04:00:30Z', // 00:00:30 EDT on the 9th
    };
    for (const [k, iso] of Object.entries(at)) {
      await send(page, call({ Timestamp: stamp(Date.parse(iso)), From: `+1415555${k.length}000` }));
    }
    await page.goto(server.url);
    await expect(page.getByTestId('connection')).toHaveText('Live');
    await expect(page.getByTestId('range-label')).toContainText('today 2026-03-08');
    await expect(page.getByTestId('range-label')).toContainText('America/New_York');
    await expect(kpi(page, 'total-calls')).toHaveText('3');
    const today = await exported(page);
    expect(today.rows.length).toBe(3);
    expect(today.name).toMatch(/^calls_today-2026-03-08_America-New_York_exported-.*\.csv$/);

    await page.getByTestId('range').selectOption('yesterday');
    await expect(kpi(page, 'total-calls')).toHaveText('1');
    expect(new URL(page.url()).searchParams.get('range')).toBe('yesterday');

    // The same moment in Tokyo is already 9 March: its "today" holds the two latest calls.
    await page.getByTestId('range').selectOption('today');
    await page.getByTestId('zone').selectOption('Asia/Tokyo');
    await expect(page.getByTestId('range-label')).toContainText('today 2026-03-09');
    await expect(kpi(page, 'total-calls')).toHaveText('2');
    const tokyo = await exported(page);
    expect(tokyo.rows.length).toBe(2);
    expect(tokyo.name).toMatch(/_Asia-Tokyo_/);

    // A custom range, read in the zone: 00:00 to 04:00 New York time spans only 3 hours of UTC.
    await page.getByTestId('zone').selectOption('');
    await page.getByTestId('range').selectOption('custom');
    await page.getByTestId('range-from').fill('2026-03-08T00:00');
    await page.getByTestId('range-to').fill('2026-03-08T04:00');
    await page.getByTestId('range-apply').click();
    await expect(page.getByTestId('range-label')).toContainText('2026-03-08 00:00 to 2026-03-08 04:00');
    await expect(kpi(page, 'total-calls')).toHaveText('2');
    expect((await exported(page)).rows.length).toBe(2);
  });
});

test('a line, a status or a caller filters the whole board, and the export holds what the board counts', async ({
  page,
  context,
}) => {
  await signedIn(context);
  const now = Date.now();
  const lines = ['+18005557001', '+18005557002', '+18005557003'];
  // Line 2 gets calls 1, 4, 7, 10, 13, 16: no-answer, completed, failed, completed, no-answer, completed.
  const statuses = ['completed', 'no-answer', 'completed', 'failed'];
  for (let i = 0; i < 18; i++) {
    const status = statuses[i % statuses.length]!;
    await send(
      page,
      call({
        To: lines[i % 3]!,
        From: `+1312555${String(2000 + i)}`,
        CallStatus: status,
        CallDuration: status === 'completed' ? String(60 + i * 10) : '0',
        AudioInMos: i % 4 === 0 ? '2.80' : '4.30',
        Timestamp: stamp(now - (i + 1) * 60_000),
      }),
    );
  }
  await page.goto(`${server.url}/?range=1h`);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  const table = page.getByTestId('line-table');
  for (const l of lines)
    await expect(table.locator(`[data-line="${l}"] [data-testid=line-calls]`)).toHaveText('6');
  await expect(kpi(page, 'total-calls')).toHaveText('18');
  mkdirSync('e2e/screenshots', { recursive: true });
  await page.screenshot({ path: 'e2e/screenshots/board-1080p.png' });

  // One click on a line: every figure follows it; the line stays listed, marked, with the others.
  await table.locator(`[data-line="${lines[1]}"]`).click();
  await expect(page.getByTestId('line-filter')).toContainText(lines[1]!);
  await expect(kpi(page, 'total-calls')).toHaveText('6');
  await expect(page.getByTestId('call-row')).toHaveCount(6);
  for (const row of await page.getByTestId('call-row').all()) await expect(row).toContainText(lines[1]!);
  await expect(table.locator(`[data-line="${lines[1]}"]`)).toHaveAttribute('aria-selected', 'true');
  let file = await exported(page);
  expect(file.rows.length).toBe(6);
  expect(file.rows.every((r) => r[3] === lines[1])).toBe(true);

  // And a status on top of it.
  await page.getByTestId('status-filter').selectOption('completed');
  await expect(kpi(page, 'total-calls')).toHaveText('3');
  await expect(kpi(page, 'success-rate')).toHaveText('100.0%');
  file = await exported(page);
  expect(file.rows.map((r) => r[1])).toEqual(['completed', 'completed', 'completed']);

  // A caller search, across every line: numbers typed with spaces and brackets still match.
  await page.getByTestId('line-filter').click();
  await page.getByTestId('status-filter').selectOption('');
  await page.getByTestId('caller-search').fill('(312) 555-201');
  await expect(kpi(page, 'total-calls')).toHaveText('8'); // 2010 to 2017
  file = await exported(page);
  expect(file.rows.length).toBe(8);
  expect(file.rows.every((r) => r[4]!.includes('312555201'))).toBe(true);
  expect(new URL(page.url()).searchParams.get('caller')).toBe('312555201');

  // The filter lives in the URL: a reload shows the same board.
  await page.reload();
  await expect(kpi(page, 'total-calls')).toHaveText('8');
  // A live call that matches joins the board; one that does not, does not.
  await send(page, call({ From: '+13125552019', To: lines[0]! }));
  await send(page, call({ From: '+13125559999', To: lines[0]! }));
  await expect(kpi(page, 'total-calls')).toHaveText('9');
  expect((await exported(page)).rows.length).toBe(9);
});

test('a tile that crosses its threshold changes state and sounds once; a muted screen stays silent', async ({
  page,
  context,
}) => {
  await signedIn(context);
  // Counts the tones the board plays (Web Audio has no sound to hear in a headless browser).
  await page.addInitScript(() => {
    const w = window as unknown as { tones: number; AudioContext: typeof AudioContext };
    w.tones = 0;
    const Real = w.AudioContext;
    w.AudioContext = class extends Real {
      createOscillator() {
        w.tones++;
        return super.createOscillator();
      }
    };
  });
  const tones = () => page.evaluate(() => (window as unknown as { tones: number }).tones);

  await page.goto(`${server.url}/admin`);
  const form = page.getByTestId('settings-form');
  await form.locator('input[name=threshold-averageMos]').fill('4.00');
  await form.locator('input[name=soundAlerts]').check();
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByTestId('settings-status')).toContainText('Saved');

  const line = '+18005558001';
  await send(page, call({ To: line, AudioInMos: '4.40' }));
  await page.goto(`${server.url}/?range=1h&line=${encodeURIComponent(line)}`);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  const tile = page.getByTestId('kpi-average-mos');
  await expect(tile).toHaveAttribute('data-state', 'ok');
  await expect(tile).toContainText('target ≥ 4.00');
  expect(await tones()).toBe(0);

  // Two bad calls pull the average to 3.33: the tile turns, says why, and the screen beeps once.
  await send(page, call({ To: line, AudioInMos: '2.80' }));
  await send(page, call({ To: line, AudioInMos: '2.80' }));
  await expect(kpi(page, 'average-mos')).toHaveText('3.33');
  await expect(tile).toHaveAttribute('data-state', 'breached');
  await expect(page.getByTestId('kpi-average-mos-alert')).toHaveText(/Below target ≥ 4\.00/);
  await expect.poll(tones).toBe(2); // one alert: two tones
  mkdirSync('e2e/screenshots', { recursive: true });
  await page.screenshot({ path: 'e2e/screenshots/threshold.png' });
  // Still over: no new sound.
  await send(page, call({ To: line, AudioInMos: '3.00' }));
  await expect(kpi(page, 'average-mos')).toHaveText('3.25');
  expect(await tones()).toBe(2);

  // Back over the line, then under it again on a muted screen: the tile turns, the screen is quiet.
  for (let i = 0; i < 6; i++) await send(page, call({ To: line, AudioInMos: '4.50' }));
  await expect(tile).toHaveAttribute('data-state', 'ok');
  await page.getByTestId('mute').click();
  await expect(page.getByTestId('mute')).toHaveAttribute('aria-pressed', 'true');
  for (let i = 0; i < 8; i++) await send(page, call({ To: line, AudioInMos: '1.50' }));
  await expect(tile).toHaveAttribute('data-state', 'breached');
  expect(await tones()).toBe(2);
});

test('the ingest health panel counts what the webhook refused or dropped and flags a line gone silent', async ({
  page,
  context,
}) => {
  await signedIn(context);
  const quiet = '+18005559001';
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  // This hour on each of the last 7 days, 6 calls: 6 an hour is this line's usual now.
  for (let d = 1; d <= 7; d++) {
    // And the next hour too, should the clock turn the hour during the test.
    for (const h of [hour, hour + HOUR]) {
      for (let k = 0; k < 6; k++)
        await send(page, call({ To: quiet, Timestamp: stamp(h - d * 24 * HOUR + k * 60_000) }));
    }
  }
  await send(page, call({ To: quiet }), 403, 'not-the-signing-key');
  await send(page, call({ To: quiet, CallStatus: 'exploded' }), 400);
  // A malformed MOS loses the value, not the call: stored, and counted by field name.
  await send(page, call({ To: quiet, AudioInMos: '9.5' }), 200);
  // Its last callback was 40 minutes ago: 4 calls' worth of silence.
  const db = new Database(server.databaseUrl.replace(/^file:/, ''));
  db.prepare('UPDATE "Line" SET "lastCallbackAt" = ? WHERE "line" = ?').run(Date.now() - 40 * 60_000, quiet);
  db.close();

  await page.goto(`${server.url}/?range=1h`);
  const health = page.getByTestId('health');
  await expect(health.getByTestId('health-signature').locator('dd')).toHaveText('✖ 1', { timeout: 30_000 });
  await expect(health.getByTestId('health-rejected').locator('dd')).toHaveText('✖ 1');
  await expect(health.getByTestId('health-dropped').locator('dd')).toHaveText('✖ 1');
  await expect(health.getByTestId('health-dropped-fields')).toBeVisible();
  await expect(health.getByTestId('health-dropped-field')).toHaveText(['AudioInMos 1']);
  await expect(health.getByTestId('silent-alert')).toContainText(quiet);
  await expect(health.getByTestId('silent-alert')).toContainText('no callback for 40 min');
  mkdirSync('e2e/screenshots', { recursive: true });
  await health.screenshot({ path: 'e2e/screenshots/ingest-health.png' });
});

for (const [name, width, height, minFont] of [
  ['1080p', 1920, 1080, 50],
  ['4k', 3840, 2160, 100],
] as const) {
  test(`TV mode fits everything on one ${name} screen, without controls`, async ({ page, context }) => {
    await signedIn(context);
    await page.setViewportSize({ width, height });
    await page.goto(`${server.url}/?range=1h&view=tv`);
    await expect(page.getByTestId('connection')).toHaveText('Live');
    await expect(page.getByTestId('range')).toHaveCount(0);
    await expect(page.getByTestId('export-csv')).toHaveCount(0);
    const size = await kpi(page, 'total-calls').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(minFont);
    expect(
      await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight),
    ).toBeLessThanOrEqual(0);
    // Every part of the board is inside the screen.
    for (const id of [
      'kpi-jitter',
      'call-table',
      'chart-duration-distribution',
      'lines',
      'failures',
      'health',
    ]) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.x + box.width, id).toBeLessThanOrEqual(width + 1);
      expect(box.y + box.height, id).toBeLessThanOrEqual(height + 1);
    }
    await page.screenshot({ path: `e2e/screenshots/tv-${name}.png` });
  });
}

test('a forwarded call counts once; packet loss and jitter show beside MOS; the board says why calls fail', async ({
  page,
  context,
}) => {
  await signedIn(context);
  const now = Date.now();
  const line = '+18005558801';
  const agent = '+15550100042';
  const at = (minutes: number) => stamp(now - minutes * 60_000);
  const parent = call({
    To: line,
    CallDuration: '300',
    Timestamp: at(9),
    SipResultCode: '200',
    AudioInMediaPacketCount: '15000',
    AudioInSkipPacketCount: '300',
    AudioInJitterMaxVariance: '35.50',
    AudioInFlushPacketCount: '4',
  });
  await send(page, parent);
  // Its second leg, to an agent: a leg of the same call, not another call to the center.
  const leg = call({
    To: agent,
    From: line,
    Direction: 'outbound-dial',
    ParentCallSid: parent.CallSid!,
    CallDuration: '290',
    Timestamp: at(9),
    SipResultCode: '200',
  });
  await send(page, leg);
  await send(
    page,
    call({
      To: line,
      Timestamp: at(8),
      AudioInMediaPacketCount: '10000',
      AudioInSkipPacketCount: '10',
      AudioInJitterMaxVariance: '5.00',
    }),
  );
  // A call without audio counters (as Twilio sends them) counts in neither figure.
  await send(page, call({ To: line, Timestamp: at(7) }));
  const failed = (status: string, sip: string | null, minutes: number) => {
    const form = call({ To: line, CallStatus: status, CallDuration: '0', Timestamp: at(minutes) });
    delete form.AudioInMos;
    if (sip) form.SipResultCode = sip;
    return send(page, form);
  };
  await failed('busy', '486', 6);
  await failed('busy', '486', 5);
  await failed('no-answer', '480', 4);
  await failed('failed', '503', 3);
  await failed('failed', null, 2);

  await page.goto(`${server.url}/?range=1h&line=${encodeURIComponent(line)}`);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  // 8 calls to the line; the leg is not one of them.
  await expect(kpi(page, 'total-calls')).toHaveText('8');
  // 310 packets lost of 25,000 received: 1.24%, degraded (above 1%, not above 3%).
  await expect(kpi(page, 'packet-loss')).toHaveText('1.24%');
  await expect(page.getByTestId('kpi-packet-loss')).toHaveClass(/tone-fair/);
  await expect(page.getByTestId('kpi-packet-loss')).toContainText('◆');
  // The mean of the calls' largest jitters: (35.5 + 5) / 2.
  await expect(kpi(page, 'jitter')).toHaveText('20.3 ms');
  const row = page.getByTestId('line-table').locator(`[data-line="${line}"]`);
  await expect(row.getByTestId('line-loss')).toHaveText('◆ 1.24%');
  await expect(row.getByTestId('line-jitter')).toHaveText('▲ 20.3');

  // The agent's number is not a line of the center's: the health panel does not watch it.
  await expect(page.getByTestId('health-line').filter({ hasText: line })).toHaveCount(1);
  await expect(page.getByTestId('health-line').filter({ hasText: agent })).toHaveCount(0);
  const failures = page.getByTestId('failures');
  const code = (c: number) => failures.locator(`[data-testid=failure-row][data-code="${c}"]`);
  // Every code is listed, or summed on the last line when the panel cannot hold it.
  await expect(failures.getByTestId('failure-row')).toHaveCount(4);
  await expect(code(486)).toContainText('Busy Here');
  await expect(code(486).getByTestId('failure-count')).toHaveText('2');
  await expect(code(486).getByTestId('failure-statuses')).toHaveText('busy');
  await expect(code(480)).toContainText('Temporarily Unavailable');
  await expect(code(480).getByTestId('failure-count')).toHaveText('1');
  await expect(code(480).getByTestId('failure-statuses')).toHaveText('no answer');
  await expect(code(503)).toContainText('Service Unavailable');
  await expect(code(503).getByTestId('failure-count')).toHaveText('1');
  await expect(code(0)).toContainText('No SIP code reported');
  await expect(code(0).getByTestId('failure-statuses')).toHaveText('failed');
  // Live: one more busy call joins its row.
  await failed('busy', '486', 1);
  await expect(code(486).getByTestId('failure-count')).toHaveText('3');
  mkdirSync('e2e/screenshots', { recursive: true });
  await page.screenshot({ path: 'e2e/screenshots/quality-1080p.png' });
  // On a 4K screen every code shows: nothing is left over to sum, and no row is cut.
  await page.setViewportSize({ width: 3840, height: 2160 });
  await expect(failures.getByTestId('failure-row').and(page.locator(':not([aria-hidden])'))).toHaveCount(4);
  await expect(failures.getByTestId('failure-rest')).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/quality-4k.png' });
  await page.setViewportSize({ width: 1920, height: 1080 });

  // The drill-down shows the leg under its call, and the leg leads back to it.
  await page.locator(`[data-call-sid="${parent.CallSid}"]`).click();
  const detail = page.getByTestId('call-detail');
  await expect(detail.getByTestId('call-leg')).toHaveCount(1);
  await expect(detail.getByTestId('call-leg')).toContainText(agent);
  await expect(detail.getByTestId('call-summary')).toContainText('2.00%');
  await expect(detail.getByTestId('call-summary')).toContainText('35.5 ms');
  await detail.getByTestId('call-leg').getByRole('button').click();
  await expect(detail.getByTestId('call-direction')).toHaveText('outbound-dial');
  await expect(detail.getByTestId('call-parent')).toContainText(parent.CallSid!);
  await detail.getByRole('button', { name: 'Close' }).click();

  // The legs on their own, and the export with them.
  await page.getByTestId('line-filter').click();
  await page.getByTestId('direction-filter').selectOption('outbound-dial');
  await expect(kpi(page, 'total-calls')).toHaveText('1');
  await expect(page.getByTestId('call-row')).toHaveCount(1);
  await expect(page.getByTestId('direction-label')).toContainText('Outbound legs');
  const file = await exported(page);
  expect(file.rows.map((r) => [r[0], r[7], r[8]])).toEqual([[leg.CallSid, 'outbound-dial', parent.CallSid]]);
});

test('a TV reloads itself when the server it reconnects to runs a new release', async ({ page, context }) => {
  await signedIn(context);
  const db = server.databaseUrl;
  const port = server.port;
  await server.stop();
  server = await startServer({ databaseUrl: db, port, env: { RELEASE: 'first' } });
  await signedIn(context);
  await page.goto(`${server.url}/?view=tv`);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  await page.evaluate(() => ((window as unknown as { marker: boolean }).marker = true));

  // A deploy: the old release stops, the new one starts on the same address.
  await server.stop();
  await expect(page.getByTestId('connection')).not.toHaveText('Live');
  const reloaded = page.waitForEvent('load', { timeout: 30_000 });
  server = await startServer({ databaseUrl: db, port, env: { RELEASE: 'second' }, signIn: false });
  await reloaded;
  await expect(page.getByTestId('connection')).toHaveText('Live');
  // A reload cleared the page's memory: it runs the new release's scripts.
  expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBeUndefined();
});
