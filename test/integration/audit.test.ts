// The audit log on the real server, on either store: each audited action done through the HTTP API
// leaves one entry naming the action, the acting user, the client address and the target, and no
// password, secret, pairing code or caller's digits; the list's filters and pages; the CSV export
// with formula cells neutralised; supervisors and visitors refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { ADMIN_PASSWORD, createSupervisor, signIn, startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { answer, closeReceivers, receiver } from '../helpers/receivers';
import { waitFor } from '../helpers/wait';
import type { AuditPage, AuditRow } from '@/lib/common/audit';

const LINE = '+18005550160';
const EXPORT_LINE = '+18005550161';
const CALLER = '+15557654321';
const WEBHOOK_SECRET = 'whsec-audit-must-never-be-stored';
const SLACK_PATH = '/services/T0AUDIT/B0AUDIT/slack-path-is-a-secret';
const WRONG_PASSWORD = 'not-the-admin-password-42';

let server: RunningServer;
let adminId: string;
let supervisor: string;
/** Every password, secret and code the tests handed the server: none may be in the log. */
const forbidden = [ADMIN_PASSWORD, WRONG_PASSWORD, WEBHOOK_SECRET, 'slack-path-is-a-secret', '7654321'];

/** JSON as the site's pages send it (same Origin), as the admin unless another cookie is given. */
function send(method: string, path: string, payload?: unknown, cookie = server.cookie) {
  return fetch(new URL(path, server.url), {
    method,
    redirect: 'manual',
    headers: {
      cookie,
      Origin: server.url,
      ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  });
}

async function list(query = ''): Promise<AuditPage> {
  const res = await send('GET', `/api/admin/audit${query ? `?${query}` : ''}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as AuditPage;
}

/** The newest entry's id: entries after it are the next action's. */
const mark = async () => (await list('limit=1')).entries[0]?.id ?? 0;

/**
 * The entries of `action` written after entry `after`, once there are `n` (an export writes its
 * entry when its stream ends, just after the response is read).
 */
async function since(action: string, after: number, n = 1): Promise<AuditRow[]> {
  return waitFor(
    async () => {
      const found = (await list(`action=${action}&limit=200`)).entries.filter((e) => e.id > after);
      return found.length >= n ? found : undefined;
    },
    `${n} ${action} entr${n === 1 ? 'y' : 'ies'}`,
  );
}

/** One new entry of `action` by the admin, from this machine. */
async function byAdmin(action: string, after: number): Promise<AuditRow> {
  const [entry] = await since(action, after);
  expect(entry).toMatchObject({ action, userId: adminId, username: 'admin' });
  expect(entry!.address).toMatch(/127\.0\.0\.1$/);
  return entry!;
}

beforeAll(async () => {
  // Every second rather than every 15: the alert to acknowledge opens within a round or two.
  server = await startServer({ env: { ALERT_INTERVAL_SECONDS: '1' } });
  const users = (await (await send('GET', '/api/admin/users')).json()) as {
    users: { id: string; username: string }[];
  };
  adminId = users.users.find((u) => u.username === 'admin')!.id;
  supervisor = await createSupervisor(server, 'sue');
  forbidden.push('sue-own-password');
});
afterAll(async () => {
  await server?.stop();
  await closeReceivers();
});

describe('sign-in', () => {
  it('records sign-ins with the user, and failed ones with the name tried and no password', async () => {
    // The test server's own sign-in, and the supervisor's.
    const [first] = (await list('action=sign-in&user=admin')).entries.slice(-1);
    expect(first).toMatchObject({ action: 'sign-in', userId: adminId, username: 'admin', target: null });
    expect(first!.address).toMatch(/127\.0\.0\.1$/);
    const sue = (await list('action=sign-in&user=sue')).entries;
    expect(sue.length).toBeGreaterThanOrEqual(1);
    expect(sue[0]!.userId).toBeTruthy();

    const before = await mark();
    await expect(signIn(server.url, 'admin', WRONG_PASSWORD)).rejects.toThrow(/401/);
    await expect(signIn(server.url, 'NobodyHere', WRONG_PASSWORD)).rejects.toThrow(/401/);
    const failed = await since('sign-in-failed', before, 2);
    // Newest first; nobody was signed in, so no user id; the name as usernames are kept.
    expect(failed.map((e) => [e.username, e.userId])).toEqual([
      ['nobodyhere', null],
      ['admin', null],
    ]);
    for (const e of failed) {
      expect(e.address).toMatch(/127\.0\.0\.1$/);
      expect(String(e.detail.reason)).toMatch(/invalid username or password/i);
      expect(JSON.stringify(e)).not.toContain(WRONG_PASSWORD);
    }
  });

  it('records a sign-out with the user whose session it ended', async () => {
    const cookie = await signIn(server.url, 'admin', ADMIN_PASSWORD);
    const before = await mark();
    const out = await fetch(new URL('/api/auth/sign-out', server.url), {
      method: 'POST',
      headers: { cookie, Origin: server.url, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    await byAdmin('sign-out', before);
    expect((await send('GET', '/api/dashboard', undefined, cookie)).status).toBe(401);
  });
});

describe('admin changes', () => {
  it('records users added, their role changed, password reset and removal, never a password', async () => {
    let before = await mark();
    const made = await send('POST', '/api/admin/users', {
      username: 'audited',
      name: 'Audited',
      role: 'supervisor',
    });
    expect(made.status).toBe(201);
    const { id, oneTimePassword } = (await made.json()) as { id: string; oneTimePassword: string };
    forbidden.push(oneTimePassword);
    const created = await byAdmin('user.create', before);
    expect(created.target).toBe(id);
    expect(created.detail).toMatchObject({ username: 'audited', name: 'Audited', role: 'supervisor' });

    before = await mark();
    expect((await send('PATCH', `/api/admin/users/${id}`, { role: 'admin' })).status).toBe(200);
    const role = await byAdmin('user.role', before);
    expect(role.target).toBe(id);
    expect(role.detail).toEqual({ username: 'audited', role: { from: 'supervisor', to: 'admin' } });

    before = await mark();
    const reset = await send('PATCH', `/api/admin/users/${id}`, { resetPassword: true });
    expect(reset.status).toBe(200);
    forbidden.push(((await reset.json()) as { oneTimePassword: string }).oneTimePassword);
    const resetEntry = await byAdmin('user.password-reset', before);
    expect(resetEntry.target).toBe(id);
    expect(resetEntry.detail).toEqual({ username: 'audited' });

    before = await mark();
    expect((await send('DELETE', `/api/admin/users/${id}`)).status).toBe(200);
    const removed = await byAdmin('user.delete', before);
    expect(removed.target).toBe(id);
    expect(removed.detail).toEqual({ username: 'audited', role: 'admin' });

    // A refused change is not recorded.
    before = await mark();
    expect((await send('DELETE', `/api/admin/users/${adminId}`)).status).toBe(409);
    expect((await list('action=user.delete')).entries.filter((e) => e.id > before)).toEqual([]);
  });

  it('records TVs added, given a new code and revoked, never the pairing code', async () => {
    let before = await mark();
    const made = await send('POST', '/api/admin/wallboards', { name: 'Audit lobby TV' });
    expect(made.status).toBe(201);
    const { id, code } = (await made.json()) as { id: string; code: string };
    forbidden.push(code);
    const created = await byAdmin('wallboard.create', before);
    expect(created).toMatchObject({ target: id, detail: { name: 'Audit lobby TV' } });

    before = await mark();
    const renewed = await send('POST', `/api/admin/wallboards/${id}`);
    expect(renewed.status).toBe(200);
    forbidden.push(((await renewed.json()) as { code: string }).code);
    expect(await byAdmin('wallboard.renew', before)).toMatchObject({
      target: id,
      detail: { name: 'Audit lobby TV' },
    });

    before = await mark();
    expect((await send('DELETE', `/api/admin/wallboards/${id}`)).status).toBe(200);
    expect(await byAdmin('wallboard.revoke', before)).toMatchObject({
      target: id,
      detail: { name: 'Audit lobby TV' },
    });
  });

  it('records which board settings changed, old and new', async () => {
    const settings = (await (await send('GET', '/api/admin/settings')).json()) as {
      silenceMinutes: number;
      soundAlerts: boolean;
    };
    const before = await mark();
    const saved = await send('PUT', '/api/admin/settings', {
      ...settings,
      silenceMinutes: settings.silenceMinutes + 7,
      soundAlerts: !settings.soundAlerts,
    });
    expect(saved.status).toBe(200);
    const entry = await byAdmin('settings.save', before);
    expect(entry.target).toBeNull();
    expect(entry.detail).toEqual({
      changes: {
        silenceMinutes: { from: settings.silenceMinutes, to: settings.silenceMinutes + 7 },
        soundAlerts: { from: settings.soundAlerts, to: !settings.soundAlerts },
      },
    });
  });

  it('records alert channels and rules, and a test send, never a secret or a Slack URL', async () => {
    const hook = await receiver(answer(204));
    const slack = await receiver(answer(200, 'ok'), SLACK_PATH);

    let before = await mark();
    const webhook = await send('POST', '/api/admin/alert-channels', {
      name: 'Audit webhook',
      config: { kind: 'webhook', url: hook.url, secret: WEBHOOK_SECRET },
    });
    expect(webhook.status).toBe(201);
    const webhookId = ((await webhook.json()) as { id: string }).id;
    const made = await byAdmin('alert-channel.create', before);
    expect(made.target).toBe(webhookId);
    expect(made.detail).toMatchObject({ name: 'Audit webhook', kind: 'webhook' });

    before = await mark();
    const slackMade = await send('POST', '/api/admin/alert-channels', {
      name: 'Audit Slack',
      config: { kind: 'slack', url: slack.url },
    });
    expect(slackMade.status).toBe(201);
    const slackId = ((await slackMade.json()) as { id: string }).id;
    expect((await byAdmin('alert-channel.create', before)).detail).toMatchObject({
      name: 'Audit Slack',
      kind: 'slack',
    });

    before = await mark();
    expect(await (await send('POST', `/api/admin/alert-channels/${webhookId}/test`)).json()).toMatchObject({
      ok: true,
    });
    const tested = await byAdmin('alert-channel.test', before);
    expect(tested.target).toBe(webhookId);
    expect(tested.detail).toMatchObject({ name: 'Audit webhook', kind: 'webhook', ok: true, status: 204 });

    before = await mark();
    const rule = await send('POST', '/api/admin/alert-rules', {
      name: 'Audit stuck calls',
      kind: 'stuck-calls',
      threshold: 120,
      channels: [webhookId],
    });
    expect(rule.status).toBe(201);
    const ruleId = ((await rule.json()) as { id: string }).id;
    const ruleMade = await byAdmin('alert-rule.create', before);
    expect(ruleMade.target).toBe(ruleId);
    expect(ruleMade.detail).toMatchObject({
      name: 'Audit stuck calls',
      kind: 'stuck-calls',
      threshold: 120,
      channels: [webhookId],
    });

    before = await mark();
    expect(
      (await send('PATCH', `/api/admin/alert-rules/${ruleId}`, { enabled: false, threshold: 90 })).status,
    ).toBe(200);
    const changed = await byAdmin('alert-rule.update', before);
    expect(changed.target).toBe(ruleId);
    expect(changed.detail).toEqual({
      name: 'Audit stuck calls',
      changes: { enabled: { from: true, to: false }, threshold: { from: 120, to: 90 } },
    });

    before = await mark();
    expect((await send('DELETE', `/api/admin/alert-rules/${ruleId}`)).status).toBe(200);
    expect(await byAdmin('alert-rule.delete', before)).toMatchObject({
      target: ruleId,
      detail: { name: 'Audit stuck calls', kind: 'stuck-calls' },
    });

    before = await mark();
    expect((await send('DELETE', `/api/admin/alert-channels/${slackId}`)).status).toBe(200);
    expect(await byAdmin('alert-channel.delete', before)).toMatchObject({
      target: slackId,
      detail: { name: 'Audit Slack', kind: 'slack' },
    });

    // Neither the webhook's secret nor the Slack URL's path is anywhere in the log.
    const all = JSON.stringify((await list('limit=200')).entries);
    expect(all).not.toContain(WEBHOOK_SECRET);
    expect(all).not.toContain(SLACK_PATH);
    expect(all).not.toContain(hook.url);
  });

  it('records an acknowledged alert once', async () => {
    const made = await send('POST', '/api/admin/alert-rules', {
      name: 'Audit low MOS',
      kind: 'mos-below',
      line: LINE,
      threshold: 3.5,
      minCalls: 1,
      channels: [],
    });
    expect(made.status).toBe(201);
    const res = await postForm(
      server.url,
      completedCall({ To: LINE, AudioInMos: '2.1', Timestamp: new Date().toUTCString() }),
    );
    expect(res.status).toBe(200);
    const alert = await waitFor(async () => {
      const open = (await (await send('GET', '/api/alerts?open=1')).json()) as { alerts: { id: string }[] };
      return open.alerts[0];
    }, 'the alert to open');

    const before = await mark();
    expect(await (await send('POST', `/api/alerts/${alert.id}/ack`)).json()).toEqual({
      ok: true,
      acknowledged: true,
    });
    expect(await byAdmin('alert.ack', before)).toMatchObject({ target: alert.id });
    // Already acknowledged: nothing changed, nothing recorded.
    expect(await (await send('POST', `/api/alerts/${alert.id}/ack`)).json()).toEqual({
      ok: true,
      acknowledged: false,
    });
    expect((await list('action=alert.ack')).entries.filter((e) => e.id > before)).toHaveLength(1);
  });
});

describe('exports', () => {
  it('records a call export: who, the filter, the rows, and a caller search only by its length', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postForm(server.url, completedCall({ From: CALLER, To: EXPORT_LINE }));
      expect(res.status).toBe(200);
    }
    const from = Date.UTC(2024, 3, 4);
    const to = Date.UTC(2024, 3, 5);
    const query = new URLSearchParams({
      from: String(from),
      to: String(to),
      line: EXPORT_LINE,
      status: 'completed',
      caller: '765-4321',
    });
    const before = await mark();
    const res = await send('GET', `/api/calls/export?${query}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.trim().split('\r\n')).toHaveLength(4);
    const entry = await byAdmin('calls.export', before);
    expect(entry.target).toBeNull();
    expect(entry.detail).toEqual({
      from: '2024-04-04T00:00:00.000Z',
      to: '2024-04-05T00:00:00.000Z',
      line: EXPORT_LINE,
      status: 'completed',
      direction: 'inbound',
      callerDigits: 7,
      how: 'completed',
      rows: 3,
    });
    expect(JSON.stringify(entry)).not.toContain('7654321');
  });

  it('records an alert export with who exported, the filter and the rows', async () => {
    const from = Date.now() - 3_600_000;
    const before = await mark();
    // As the supervisor: the entry names who exported, whatever their role.
    const res = await send('GET', `/api/alerts/export?from=${from}`, undefined, supervisor);
    expect(res.status).toBe(200);
    const rows = Papa.parse<string[]>((await res.text()).trim()).data.length - 1;
    expect(rows).toBeGreaterThanOrEqual(1);
    const [entry] = await since('alerts.export', before);
    expect(entry).toMatchObject({ action: 'alerts.export', username: 'sue', target: null });
    expect(entry!.userId).toBeTruthy();
    expect(entry!.userId).not.toBe(adminId);
    expect(entry!.address).toMatch(/127\.0\.0\.1$/);
    expect(entry!.detail).toEqual({
      from: new Date(from).toISOString(),
      to: null,
      rule: null,
      rows,
    });
  });
});

describe('the list', () => {
  it('filters by action, user and time, newest first, in pages with the total', async () => {
    const all = await list('limit=200');
    expect(all.total).toBe(all.entries.length);
    expect(all.total).toBeGreaterThan(20);
    const times = all.entries.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const ids = all.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);

    const creates = await list('action=user.create');
    expect(creates.entries.length).toBeGreaterThanOrEqual(2); // sue and audited
    expect(creates.entries.every((e) => e.action === 'user.create')).toBe(true);
    expect(creates.total).toBe(all.entries.filter((e) => e.action === 'user.create').length);

    // By username, in any case: the supervisor's own sign-in and export, nothing of the admin's.
    for (const user of ['sue', 'SUE']) {
      const sue = await list(`user=${user}`);
      expect(sue.entries.map((e) => e.action)).toEqual(['alerts.export', 'sign-in']);
    }
    expect((await list('user=nobody-at-all')).total).toBe(0);

    // Time: `from` inclusive, `to` exclusive.
    await new Promise((r) => setTimeout(r, 20));
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 20));
    const made = await send('POST', '/api/admin/wallboards', { name: 'Audit time TV' });
    expect(made.status).toBe(201);
    forbidden.push(((await made.json()) as { code: string }).code);
    await since('wallboard.create', all.entries[0]!.id);
    const after = await list(`from=${t}`);
    expect(after.entries.map((e) => e.action)).toEqual(['wallboard.create']);
    const upTo = await list(`to=${t}&limit=200`);
    expect(upTo.total).toBe(all.total);
    expect(upTo.entries.every((e) => Date.parse(e.at) < t)).toBe(true);
    expect((await list(`from=${t - 1}&to=${t}`)).total).toBe(0);

    // Pages: the same order, no entry twice, the total on each.
    const first = await list('limit=5');
    const second = await list('limit=5&page=2');
    expect(first.total).toBe(all.total + 1);
    expect(second.total).toBe(first.total);
    expect([first.page, first.limit, second.page]).toEqual([1, 5, 2]);
    expect(first.entries).toHaveLength(5);
    expect(second.entries).toHaveLength(5);
    expect(second.entries.map((e) => e.id)).toEqual(ids.slice(4, 9));
    expect(Math.min(...first.entries.map((e) => e.id))).toBeGreaterThan(
      Math.max(...second.entries.map((e) => e.id)),
    );
    expect((await list(`limit=5&page=${Math.ceil(first.total / 5) + 1}`)).entries).toEqual([]);
  });

  it('refuses bad filters naming the field', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['page=0', 'page'],
      ['page=x', 'page'],
      ['from=yesterday', 'from'],
      ['from=2000&to=1000', 'to'],
      [`user=${'x'.repeat(101)}`, 'user'],
    ] as const) {
      const res = await send('GET', `/api/admin/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { field: string }).field, query).toBe(field);
    }
  });
});

describe('the CSV export', () => {
  it('holds the filtered entries under a header, a formula-like cell neutralised', async () => {
    // A name tried that a spreadsheet would run as a formula, and a TV named like one.
    const before = await mark();
    await expect(signIn(server.url, '=1+2', WRONG_PASSWORD)).rejects.toThrow();
    await since('sign-in-failed', before);
    const tv = await send('POST', '/api/admin/wallboards', { name: '=SUM(1,2)' });
    expect(tv.status).toBe(201);
    forbidden.push(((await tv.json()) as { code: string }).code);
    await since('wallboard.create', before);

    const failed = await list('action=sign-in-failed&limit=200');
    const exportMark = await mark();
    const res = await send('GET', '/api/admin/audit/export?action=sign-in-failed');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.csv"$/,
    );
    const text = await res.text();
    const [header, ...rows] = Papa.parse<string[]>(text.trim()).data;
    expect(header).toEqual(['Time', 'User', 'User ID', 'Address', 'Action', 'Target', 'Detail']);
    expect(rows).toHaveLength(failed.total);
    expect(rows.map((r) => r[1])).toEqual(
      failed.entries.map((e) => (e.username?.startsWith('=') ? `'` : '') + e.username),
    );
    expect(rows.every((r) => r[4] === 'sign-in-failed' && r[2] === '')).toBe(true);
    expect(rows.map((r) => r[0])).toEqual(failed.entries.map((e) => e.at));
    // The newest: the name tried, quoted so that no spreadsheet runs it; the detail is JSON.
    expect(rows[0]![1]).toBe(`'=1+2`);
    expect(text).toContain(`"'=1+2"`);
    expect(JSON.parse(rows[0]![6]!)).toEqual(failed.entries[0]!.detail);

    // The export is recorded, with its filter and rows; the next one holds the TV's entry, whose
    // formula-like name stays inside the detail's JSON.
    expect((await byAdmin('audit.export', exportMark)).detail).toEqual({
      from: null,
      to: null,
      action: 'sign-in-failed',
      user: null,
      rows: failed.total,
    });
    const tvs = Papa.parse<string[]>(
      (await (await send('GET', '/api/admin/audit/export?action=wallboard.create')).text()).trim(),
    ).data.slice(1);
    const sum = tvs.find((r) => r[6]!.includes('=SUM(1,2)'))!;
    expect(sum[6]!.startsWith('{')).toBe(true);
    expect(JSON.parse(sum[6]!)).toEqual({ name: '=SUM(1,2)' });

    // The whole log as CSV: a row per entry, and still nothing that must not be there.
    const total = (await list('limit=1')).total;
    const everything = await (await send('GET', '/api/admin/audit/export')).text();
    expect(Papa.parse<string[]>(everything.trim()).data).toHaveLength(total + 1);
    for (const secret of forbidden) expect(everything, secret).not.toContain(secret);
  });
});

describe('access', () => {
  it('holds no password, secret, pairing code or caller digits in any entry', async () => {
    const all = JSON.stringify((await list('limit=200')).entries);
    for (const secret of forbidden) expect(all, secret).not.toContain(secret);
  });

  it('lets admins only read or export the log', async () => {
    for (const path of ['/api/admin/audit', '/api/admin/audit/export', '/admin/audit']) {
      const asSupervisor = await send('GET', path, undefined, supervisor);
      expect(asSupervisor.status, path).toBe(403);
      expect(await asSupervisor.text(), path).not.toContain('sign-in-failed');
      const anonymous = await send('GET', path, undefined, '');
      expect(anonymous.status, path).toBe(path.startsWith('/api/') ? 401 : 303);
    }
    const page = await send('GET', '/admin/audit');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Audit log');
  });
});
