// The alert admin and history pages in Chromium: an admin adds a signed webhook channel and tests
// it against a receiver on loopback, adds a rule through the form (a refused threshold shown at
// its field), snoozes it, and finds the history with its filters and export. Then, on a server of
// its own that evaluates every second, real alerts in the history, the linked one picked out.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { seriousViolations } from './axe';
import { mkdirSync } from 'node:fs';
import { startServer, type RunningServer } from '../test/helpers/server';
import { answer, closeReceivers, receiver } from '../test/helpers/receivers';
import { TEST_KEY, completedCall } from '../test/helpers/callbacks';
import { tempDatabaseUrl } from '../test/helpers/db';
import { post, stamp } from './post';

test.afterEach(async () => {
  await closeReceivers();
});

test('an admin adds a webhook channel and a rule, tests the channel, snoozes the rule, finds the history', async ({
  page,
}) => {
  // Deleting asks first.
  page.on('dialog', (d) => void d.accept());
  const hook = await receiver(answer(204));
  await page.goto('/admin');
  const section = page.getByTestId('alert-admin');
  await expect(section.getByRole('heading', { name: 'Alerts' })).toBeVisible();

  // A webhook channel with a generated secret.
  const channelForm = section.getByRole('form', { name: 'Add alert channel' });
  await channelForm.getByLabel('Name', { exact: true }).fill('E2E webhook');
  await expect(channelForm.getByLabel('Kind')).toHaveValue('webhook');
  await channelForm.getByLabel('URL', { exact: true }).fill(hook.url);
  await channelForm.getByRole('button', { name: 'Generate' }).click();
  await expect(channelForm.getByLabel(/^Secret/)).toHaveValue(/^whsec_[0-9a-f]{48}$/);
  await channelForm.getByRole('button', { name: 'Add channel' }).click();
  const channel = section.getByTestId('channel-E2E webhook');
  await expect(channel).toContainText('webhook http://127.0.0.1:');
  // The form is cleared once the channel is added; the secret never comes back from the server.
  await expect(channelForm.getByLabel(/^Secret/)).toHaveValue('');

  // Its test notification reaches the receiver, signed.
  await channel.getByRole('button', { name: 'Send test' }).click();
  await expect(channel.getByTestId('channel-status')).toHaveText(/Delivered/);
  expect(hook.requests).toHaveLength(1);
  expect(hook.requests[0]!.headers['x-wallboard-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
  expect((JSON.parse(hook.requests[0]!.raw) as { type: string }).type).toBe('alert.test');

  // A rule with a MOS no call can have: the server's refusal shows at the threshold.
  const ruleForm = section.getByRole('form', { name: 'Add alert rule' });
  await ruleForm.getByLabel('Name', { exact: true }).fill('E2E low MOS');
  await ruleForm.getByLabel('Kind').selectOption({ label: 'Average MOS below' });
  const threshold = ruleForm.getByLabel(/^Threshold \(MOS/);
  await threshold.fill('7');
  await expect(ruleForm.getByLabel('Minimum calls')).toHaveValue('10');
  await ruleForm.getByLabel('E2E webhook').check();
  await ruleForm.getByRole('button', { name: 'Add rule' }).click();
  await expect(threshold).toHaveAttribute('aria-invalid', 'true');
  await expect(threshold).toHaveAccessibleDescription(/must be between 1 and 5/);
  await expect(section.getByTestId('rule-E2E low MOS')).toHaveCount(0);

  await threshold.fill('3.5');
  await ruleForm.getByRole('button', { name: 'Add rule' }).click();
  const rule = section.getByTestId('rule-E2E low MOS');
  await expect(rule).toContainText('Average MOS below 3.5 MOS');
  await expect(rule).toContainText('all lines');
  await expect(rule).toContainText('E2E webhook');
  await expect(rule).toContainText('every 30 min');
  await expect(rule.getByTestId('rule-state')).toHaveText('active');
  await expect(ruleForm.getByLabel(/^Threshold/)).not.toHaveAttribute('aria-invalid');

  await rule.getByRole('button', { name: 'Snooze 1 h' }).click();
  await expect(rule.getByTestId('rule-state')).toHaveText(/^snoozed until /);
  await expect(rule.getByRole('button', { name: 'Unsnooze' })).toBeVisible();

  // The history: filters, and an export of what they select.
  await section.getByRole('link', { name: 'Alert history' }).click();
  await expect(page).toHaveURL(/\/alerts$/);
  await expect(page.getByRole('heading', { name: 'Alert history' })).toBeVisible();
  const filters = page.getByRole('search', { name: 'Alert filters' });
  await expect(filters.getByLabel('From')).toBeVisible();
  await expect(filters.getByLabel(/^To/)).toBeVisible();
  const exportLink = page.getByRole('link', { name: 'Export CSV' });
  await expect(exportLink).toHaveAttribute('href', '/api/alerts/export');
  await filters.getByLabel('Rule').selectOption({ label: 'E2E low MOS' });
  await filters.getByLabel('From').fill('2024-01-01');
  await expect(exportLink).toHaveAttribute('href', /^\/api\/alerts\/export\?from=\d+&rule=[\w-]+$/);
  await expect(page).toHaveURL(/\/alerts\?.*rule=/);
  await expect(page.getByTestId('alerts-count')).toHaveText('No alerts for these filters.');
  const csv = await page.request.get((await exportLink.getAttribute('href'))!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect((await csv.text()).split('\r\n')[0]).toMatch(/^Fired,Rule,Line,Summary/);
  await expect(page.getByRole('link', { name: 'Back to the board' })).toHaveAttribute('href', '/');

  // The channel cannot go while the rule uses it; both go, rule first. The other specs share
  // this server and start with no alert rules.
  await page.goto('/admin');
  await channel.getByRole('button', { name: 'Delete' }).click();
  await expect(channel.getByTestId('channel-status')).toHaveText(/used by "E2E low MOS"/);
  await rule.getByRole('button', { name: 'Delete' }).click();
  await expect(rule).toHaveCount(0);
  await channel.getByRole('button', { name: 'Delete' }).click();
  await expect(channel).toHaveCount(0);
});

test.describe('with alerts fired', () => {
  test.use({ storageState: { cookies: [], origins: [] }, viewport: { width: 1920, height: 1080 } });
  let server: RunningServer;

  test.beforeAll(async () => {
    server = await startServer({
      databaseUrl: await tempDatabaseUrl('sqlite'),
      // Every second rather than every 15: an alert opens within a round or two of its calls.
      env: { ALERT_INTERVAL_SECONDS: '1' },
    });
  });
  test.afterAll(async () => {
    await server?.stop();
  });

  async function signedIn(context: BrowserContext) {
    const [name, value] = server.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  }

  /** JSON to the API with the page's session, from the site's own origin as the pages send it. */
  async function api<T>(page: Page, method: string, path: string, data?: unknown): Promise<T> {
    const res = await page.request.fetch(new URL(path, server.url).toString(), {
      method,
      data,
      headers: { Origin: server.url },
    });
    expect(res.ok(), `${method} ${path}: ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  }

  const SALES = '+18005550100';
  const SUPPORT = '+18005550199';
  const call = (to: string, mos: string) =>
    completedCall({ To: to, AudioInMos: mos, Timestamp: stamp(Date.now()) });

  test('the history lists fired, acknowledged and resolved alerts and picks out the linked one', async ({
    page,
    context,
  }) => {
    await signedIn(context);
    const hook = await receiver(answer(204));
    const slack = await receiver(answer(404, 'no_service'), '/services/T000/B000/XXXX');
    const webhook = await api<{ id: string }>(page, 'POST', '/api/admin/alert-channels', {
      name: 'On-call webhook',
      config: { kind: 'webhook', url: hook.url, secret: 'whsec-0123456789abcdef' },
    });
    const opsSlack = await api<{ id: string }>(page, 'POST', '/api/admin/alert-channels', {
      name: 'Ops Slack',
      config: { kind: 'slack', url: slack.url },
    });
    const sales = await api<{ id: string }>(page, 'POST', '/api/admin/alert-rules', {
      name: 'Low MOS on sales',
      kind: 'mos-below',
      line: SALES,
      threshold: 3.5,
      minCalls: 1,
      channels: [webhook.id],
    });
    await api(page, 'POST', '/api/admin/alert-rules', {
      name: 'Low MOS, all lines',
      kind: 'mos-below',
      threshold: 3.6,
      minCalls: 1,
      channels: [webhook.id, opsSlack.id],
      renotifyMinutes: 15,
    });
    const stuck = await api<{ id: string }>(page, 'POST', '/api/admin/alert-rules', {
      name: 'Stuck calls',
      kind: 'stuck-calls',
      threshold: 120,
      channels: [webhook.id],
    });
    await api(page, 'PATCH', `/api/admin/alert-rules/${stuck.id}`, {
      snoozedUntil: new Date(Date.now() + 3 * 3_600_000).toISOString(),
    });
    const signatures = await api<{ id: string }>(page, 'POST', '/api/admin/alert-rules', {
      name: 'Bad signatures',
      kind: 'bad-signatures',
      threshold: 1,
      windowMinutes: 5,
      channels: [opsSlack.id],
    });
    await api(page, 'PATCH', `/api/admin/alert-rules/${signatures.id}`, { enabled: false });

    // Poor audio on both lines: both MOS rules fire.
    await post(page.request, call(SALES, '2.1'), { base: server.url, key: TEST_KEY });
    await post(page.request, call(SUPPORT, '1.8'), { base: server.url, key: TEST_KEY });
    type Row = { id: string; ruleId: string; open: boolean; notifications: unknown[] };
    const openAlerts = async () => (await api<{ alerts: Row[] }>(page, 'GET', '/api/alerts?open=1')).alerts;
    await expect.poll(async () => (await openAlerts()).length, { timeout: 20_000 }).toBe(2);
    const salesAlert = (await openAlerts()).find((a) => a.ruleId === sales.id)!;
    const allLines = (await openAlerts()).find((a) => a.ruleId !== sales.id)!;

    // Sales is taken on, then its calls recover: acknowledged and resolved. All lines stay poor.
    await api(page, 'POST', `/api/alerts/${salesAlert.id}/ack`);
    for (let i = 0; i < 3; i++) {
      await post(page.request, call(SALES, '4.5'), { base: server.url, key: TEST_KEY });
    }
    await expect
      .poll(async () => (await openAlerts()).map((a) => a.id), { timeout: 20_000 })
      .toEqual([allLines.id]);
    // Every notification has its outcome (the Slack one refused at once: a 404 is not retried).
    await expect
      .poll(
        async () =>
          (
            await api<{ alerts: { notifications: { ok: boolean | null }[] }[] }>(page, 'GET', '/api/alerts')
          ).alerts
            .flatMap((a) => a.notifications)
            .every((n) => n.ok !== null),
        { timeout: 20_000 },
      )
      .toBe(true);

    await page.goto(`${server.url}/admin`);
    const section = page.getByTestId('alert-admin');
    const hookRow = section.getByTestId('channel-On-call webhook');
    await hookRow.getByRole('button', { name: 'Send test' }).click();
    await expect(hookRow.getByTestId('channel-status')).toHaveText(/Delivered/);
    const slackRow = section.getByTestId('channel-Ops Slack');
    await slackRow.getByRole('button', { name: 'Send test' }).click();
    await expect(slackRow.getByTestId('channel-status')).toHaveText(/HTTP 404: no_service/);
    await expect(section.getByTestId('rule-Stuck calls').getByTestId('rule-state')).toHaveText(
      /^snoozed until /,
    );
    await expect(section.getByTestId('rule-Bad signatures').getByTestId('rule-state')).toHaveText('off');
    await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    mkdirSync('e2e/screenshots', { recursive: true });
    await page.screenshot({ path: 'e2e/screenshots/alert-admin.png' });
    await section.screenshot({ path: 'e2e/screenshots/alert-admin-section.png' });
    expect(await seriousViolations(page)).toEqual([]);

    // The link a notification carries.
    await page.goto(`${server.url}/alerts?alert=${allLines.id}`);
    const rows = page.getByTestId('alert-row');
    await expect(rows).toHaveCount(2);
    const target = page.locator(`#alert-${allLines.id}`);
    await expect(target).toHaveAttribute('aria-current', 'true');
    await expect(target).toContainText('Open');
    await expect(target).toContainText('all lines');
    await expect(target).toContainText('1 failed');
    await expect(target.getByRole('button', { name: 'Acknowledge' })).toBeFocused();
    await expect(target).toBeInViewport();
    const resolved = page.locator(`#alert-${salesAlert.id}`);
    await expect(resolved).toContainText('Resolved');
    await expect(resolved).toContainText(SALES);
    await expect(resolved).toContainText('Administrator');
    await target.locator('summary').click();
    await expect(target.getByText(/HTTP 404: no_service/)).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/alert-history.png' });
    expect(await seriousViolations(page)).toEqual([]);

    await target.getByRole('button', { name: 'Acknowledge' }).click();
    await expect(target).toContainText('Administrator');
    await expect(target.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  });
});
