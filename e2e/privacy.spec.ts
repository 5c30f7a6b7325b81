// Callers' numbers and line scope in Chromium, on a server of its own: the admin lets supervisors
// reveal numbers call by call and limits one to a line on the admin page; that supervisor's board
// shows their line only, numbers masked, reveals one from the call's detail, and the admin finds
// the reveal in the audit log.
import { expect, test, type BrowserContext } from '@playwright/test';
import { seriousViolations } from './axe';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createSupervisor, startServer, type RunningServer } from '../test/helpers/server';
import { TEST_KEY } from '../test/helpers/callbacks';
import { tempDatabaseUrl } from '../test/helpers/db';
import { post, stamp } from './post';

let server: RunningServer;
let supervisor: string;
const LINE_A = '+18005550101';
const LINE_B = '+18005550202';
const VIEWPORT = { width: 1920, height: 1080 };

test.beforeAll(async () => {
  server = await startServer({ databaseUrl: await tempDatabaseUrl('sqlite') });
  supervisor = await createSupervisor(server, 'sam');
});
test.afterAll(async () => {
  await server?.stop();
});

async function signedIn(context: BrowserContext, cookie: string) {
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
}

test('a line-scoped supervisor sees their line with numbers masked, and a reveal is audited', async ({
  browser,
}) => {
  const admin = await browser.newContext({ viewport: VIEWPORT });
  await signedIn(admin, server.cookie);
  const page = await admin.newPage();
  await page.goto(`${server.url}/admin`);

  // Supervisors see numbers masked, with a reveal per call.
  const privacy = page.getByRole('region', { name: 'Privacy' });
  await privacy.getByLabel('Supervisors see them').selectOption('reveal');
  await privacy.getByRole('button', { name: 'Save privacy settings' }).click();
  await expect(privacy.getByTestId('privacy-status')).toHaveText(/Saved/);

  // Sam is limited to line A.
  const row = page.getByTestId('user-sam');
  await expect(row.getByTestId('lines-of-sam')).toHaveText('All lines');
  await row.getByRole('button', { name: 'Change the lines of sam' }).click();
  await row.getByLabel('Lines of sam (empty: all lines)').fill(LINE_A);
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.getByTestId('lines-of-sam')).toHaveText(LINE_A);
  expect(await seriousViolations(page)).toEqual([]);
  mkdirSync('e2e/screenshots', { recursive: true });
  await page.screenshot({ path: 'e2e/screenshots/admin-privacy.png', fullPage: true });

  const calls = [
    { From: '+14155551001', To: LINE_A },
    { From: '+14155551002', To: LINE_A },
    { From: '+14155551003', To: LINE_B },
  ].map((c, i) => ({
    ...c,
    CallSid: randomUUID(),
    CallStatus: 'completed',
    CallDuration: '61',
    AudioInMos: '4.2',
    Timestamp: stamp(Date.now() - i * 1000),
  }));
  for (const form of calls) await post(page.request, form, { base: server.url, key: TEST_KEY });

  const sam = await browser.newContext({ viewport: VIEWPORT });
  await signedIn(sam, supervisor);
  const board = await sam.newPage();
  await board.goto(`${server.url}/?range=1h`);
  await expect(board.getByTestId('connection')).toHaveText('Live');
  await expect(board.getByTestId('call-row')).toHaveCount(2);
  await expect(board.getByTestId('call-table')).toContainText('+1 415 ••• 1001');
  await expect(board.getByTestId('line-row')).toHaveCount(1);
  await expect(board.getByTestId('lines')).toContainText(LINE_A);
  await expect(board.getByTestId('direction-filter')).toHaveCount(0);
  // Not hidden: absent. Neither line B's call nor any full number is in the page at all.
  const html = await board.content();
  for (const c of calls) expect(html).not.toContain(c.From);
  expect(html).not.toContain(calls[2]!.CallSid);
  expect(html).not.toContain(LINE_B);
  // A call on line B arriving live does not reach this board; one on line A does, masked.
  const live = [
    { From: '+14155551004', To: LINE_B },
    { From: '+14155551005', To: LINE_A },
  ].map((c) => ({ ...c, CallSid: randomUUID(), CallStatus: 'ringing', Timestamp: stamp(Date.now()) }));
  for (const form of live) await post(page.request, form, { base: server.url, key: TEST_KEY });
  await expect(board.getByTestId('call-table')).toContainText('+1 415 ••• 1005');
  await expect(board.getByTestId('call-row')).toHaveCount(3);
  await board.screenshot({ path: 'e2e/screenshots/board-scoped-masked.png' });

  // The call's detail shows the number masked until revealed.
  await board.getByTestId('call-row').filter({ hasText: '1001' }).click();
  const detail = board.getByTestId('call-detail');
  await expect(detail.getByTestId('call-from')).toContainText('+1 415 ••• 1001');
  await expect(detail).not.toContainText('+14155551001');
  await detail.getByTestId('reveal-number').click();
  await expect(detail.getByTestId('call-from')).toHaveText('+14155551001');

  // The admin finds the reveal in the audit log, with who did it.
  await page.goto(`${server.url}/admin/audit`);
  const entry = page.getByRole('row').filter({ hasText: 'Revealed a caller’s number' });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('sam');
  await expect(entry).toContainText(calls[0]!.CallSid);
  await expect(entry).not.toContainText('+14155551001');
  await admin.close();
  await sam.close();
});
