// The wallboard in a real Chromium against the production build, fed the way a provider feeds it.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, mkdirSync } from 'node:fs';
import Papa from 'papaparse';
import { randomUUID } from 'node:crypto';
import { post, type Form } from './post';

test.describe.configure({ mode: 'serial' });

const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toUTCString();

// A known set: 5 calls, one retried, one with a late earlier status.
const known: Form[] = [
  { CallStatus: 'completed', CallDuration: '120', AudioInMos: '4.50', Timestamp: at(5) },
  { CallStatus: 'completed', CallDuration: '300', AudioInMos: '3.20', Timestamp: at(4) },
  { CallStatus: 'failed', CallDuration: '0', Timestamp: at(3) },
  { CallStatus: 'completed', CallDuration: '45', Timestamp: at(2) },
  { CallStatus: 'busy', CallDuration: '0', Timestamp: at(1) },
];
const calls: Form[] = known.map((c, i) => ({
  CallSid: randomUUID(),
  AccountSid: 'b3877c40-da60-4998-90ad-b792e98472af',
  From: `+1415555010${i}`,
  To: i % 2 ? '+18005550111' : '+18005550100',
  ...c,
}));

// The last hour, so calls posted minutes ago are on the board whatever the time of day.
const BOARD = '/?range=1h';

const kpi = (page: Page, id: string) => page.getByTestId(`kpi-${id}-value`);

test('an empty board fills live as callbacks arrive, and its numbers match what was posted', async ({
  page,
  request,
}) => {
  await page.goto(BOARD);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  await expect(kpi(page, 'total-calls')).toHaveText('0');
  await expect(kpi(page, 'average-mos')).toHaveText('n/a');
  await expect(kpi(page, 'success-rate')).toHaveText('n/a');

  for (const c of calls) await post(request, c);
  await post(request, calls[0]!); // the provider's retry
  await post(request, { ...calls[1]!, CallStatus: 'ringing' }); // an earlier status, late

  await expect(page.getByTestId('call-row')).toHaveCount(5);
  await expect(kpi(page, 'total-calls')).toHaveText('5');
  await expect(kpi(page, 'talk-minutes')).toHaveText('7.75'); // (120 + 300 + 45) / 60
  await expect(kpi(page, 'average-mos')).toHaveText('3.85'); // (4.50 + 3.20) / 2; no MOS is not 0
  await expect(kpi(page, 'success-rate')).toHaveText('60.0%'); // 3 completed of 5 finished
  await expect(kpi(page, 'failed-calls')).toHaveText('2');

  // Newest first, with MOS coloured and labelled by band.
  const rows = page.getByTestId('call-row');
  await expect(rows.first()).toHaveAttribute('data-call-sid', calls[4]!.CallSid!);
  const first = page.locator(`[data-call-sid="${calls[0]!.CallSid}"]`);
  await expect(first).toContainText('4.50');
  await expect(first).toContainText('Excellent');
  await expect(first).toContainText('2:00');
  await expect(page.locator(`[data-call-sid="${calls[1]!.CallSid}"]`)).toContainText('Poor');
  await expect(page.locator(`[data-call-sid="${calls[1]!.CallSid}"]`)).toContainText('completed');
  await expect(page.locator(`[data-call-sid="${calls[2]!.CallSid}"]`)).toContainText('n/a');

  // The charts drew what arrived: one bar per MOS band that has calls.
  await expect(
    page.getByTestId('chart-mos-distribution').locator('.recharts-bar-rectangle path'),
  ).toHaveCount(2);
  await expect(
    page.getByTestId('chart-duration-distribution').locator('.recharts-bar-rectangle path'),
  ).toHaveCount(4); // 0 s, 45 s, 2 min, 5 min
  await expect(page.getByTestId('chart-mos-time').locator('.recharts-line-curve')).toHaveCount(1);
});

test('a call opens every callback received for it, in arrival order, retries and late ones marked', async ({
  page,
}) => {
  await page.goto(BOARD);
  await page.locator(`[data-call-sid="${calls[1]!.CallSid}"]`).click();
  const detail = page.getByTestId('call-detail');
  await expect(detail).toBeVisible();
  const events = detail.getByTestId('call-event');
  await expect(events).toHaveCount(2);
  await expect(events.nth(0)).toHaveAttribute('data-status', 'completed');
  await expect(events.nth(1)).toHaveAttribute('data-status', 'ringing');
  await expect(events.nth(1).getByTestId('event-late')).toBeVisible();
  await expect(events.nth(0)).toContainText(calls[1]!.CallSid!); // raw fields, as received
  await expect(events.nth(0)).toContainText('AudioInMos');
  await page.screenshot({ path: 'e2e/screenshots/call-detail.png' });
  await detail.getByRole('button', { name: 'Close' }).click();
  await expect(detail).toHaveCount(0);

  await page.locator(`[data-call-sid="${calls[0]!.CallSid}"]`).click();
  await expect(page.getByTestId('call-detail').getByTestId('event-duplicates')).toHaveText(
    'delivered 2× (1 duplicate absorbed)',
  );
});

test('the first paint comes from the server, before any script runs', async ({ request }) => {
  const html = await (await request.get(BOARD)).text();
  expect(html).toContain(`data-call-sid="${calls[4]!.CallSid}"`);
  expect(html).toMatch(/data-testid="kpi-total-calls-value"[^>]*>5</);
});

test('the export button downloads the calls the board counts, as CSV', async ({ page }) => {
  await page.goto(BOARD);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-csv').click(),
  ]);
  // Range, zone and the moment of export in the name.
  expect(download.suggestedFilename()).toMatch(
    /^calls_last-60-min-from-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}_[A-Za-z_]+(-[A-Za-z_]+)*_exported-[\dT-]+Z\.csv$/,
  );
  const parsed = Papa.parse<string[]>(readFileSync((await download.path())!, 'utf8').trim());
  expect(parsed.errors).toEqual([]);
  // The seven columns of the script it replaces, first and in order; then what else is known.
  expect(parsed.data.map((r) => r.slice(0, 7))).toEqual([
    [
      'Call SID',
      'Call Status',
      'Event Timestamp',
      'To Number',
      'From Number',
      'Call Duration(s)',
      'Audio in MOS',
    ],
    ...calls.map((c) => [
      c.CallSid!,
      c.CallStatus!,
      new Date(c.Timestamp!).toISOString(),
      c.To!,
      c.From!,
      c.CallDuration!,
      c.AudioInMos ? String(Number(c.AudioInMos)) : '',
    ]),
  ]);
  // Inbound calls without audio counters or SIP codes: those columns are blank, never 0.
  expect(parsed.data.slice(1).map((r) => r.slice(7))).toEqual(
    calls.map(() => ['inbound', '', '', '', '', '', '', '']),
  );
});

test('a board that loses its connection says so, then catches up on what it missed', async ({
  page,
  request,
  context,
}) => {
  await page.goto(BOARD);
  await expect(page.getByTestId('connection')).toHaveText('Live');
  await expect(page.getByTestId('kpi-total-calls-asof')).toHaveText(/^as of \d\d:\d\d:\d\d$/);
  await context.setOffline(true);
  await expect(page.getByTestId('connection')).not.toHaveText('Live');
  // Said at a size readable from across the room, with the moment the figures date from.
  const banner = page.getByTestId('stale-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Connection lost');
  const frozen = (await page.getByTestId('kpi-total-calls-asof').textContent())!;
  await expect(banner).toContainText(`Figures ${frozen}.`);
  expect(
    await banner.locator('strong').evaluate((el) => parseFloat(getComputedStyle(el).fontSize)),
  ).toBeGreaterThanOrEqual(40);
  mkdirSync('e2e/screenshots', { recursive: true });
  await page.screenshot({ path: 'e2e/screenshots/connection-lost.png' });
  const missed = { ...calls[0]!, CallSid: randomUUID(), Timestamp: new Date().toUTCString() };
  await post(request, missed);
  await context.setOffline(false);
  await expect(page.getByTestId('connection')).toHaveText('Live', { timeout: 20_000 });
  await expect(page.getByTestId('stale-banner')).toHaveCount(0);
  await expect(page.locator(`[data-call-sid="${missed.CallSid}"]`)).toBeVisible();
  await expect(kpi(page, 'total-calls')).toHaveText('6');
});

for (const [name, width, height, minFont] of [
  ['1080p', 1920, 1080, 50],
  ['4k', 3840, 2160, 100],
] as const) {
  test(`reads from across the room at ${name}`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await page.goto(BOARD);
    await expect(page.getByTestId('connection')).toHaveText('Live');
    const size = await kpi(page, 'total-calls').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(minFont);
    // Everything fits on one screen: no page scroll on a wall display.
    const overflow = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    expect(overflow).toBeLessThanOrEqual(0);
    mkdirSync('e2e/screenshots', { recursive: true });
    await page.screenshot({ path: `e2e/screenshots/wallboard-${name}.png` });
  });
}
