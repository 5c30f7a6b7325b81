// Alert rules evaluated on the server, driven by signed callbacks, notifying real receivers: fires
// when its condition starts and not before, notifies once, re-notifies on its interval until
// acknowledged, resolves once; a snoozed rule stays silent; the webhook in trouble reaches email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import Papa from 'papaparse';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { SECRET, answer, closeReceivers, onClose, receiver, webhookReceiver } from '../helpers/receivers';
import { waitFor } from '../helpers/wait';

const TOKEN = 'metrics-token-0123456789';
const LINE = '+18005550142';

interface Note {
  type: string;
  alert: {
    alertId: string;
    rule: string;
    line: string | null;
    summary: string;
    acknowledgedBy: string | null;
  };
}

describe('alert rules, channels and lifecycle', () => {
  let server: RunningServer;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  let channel: string;
  const mails: string[] = [];
  let smtpUrl = '';

  const send = (method: string, path: string, payload?: unknown) =>
    fetch(new URL(path, server.url), {
      method,
      headers: { cookie: server.cookie, Origin: server.url, 'Content-Type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
  /** Rounds the evaluator has finished, from its own metric. */
  const rounds = async () => {
    const text = await (
      await fetch(new URL('/metrics', server.url), { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).text();
    const line = text.split('\n').find((l) => l.startsWith('wallboard_alert_evaluation_seconds_count '));
    return line ? Number(line.split(' ')[1]) : 0;
  };
  /** Waits until the evaluator has finished two more rounds: whatever they would do is done. */
  const twoRounds = async () => {
    const start = await rounds();
    await waitFor(async () => (await rounds()) >= start + 2, 'two evaluation rounds');
  };
  const notes = (type?: string) =>
    hook.got.map((g) => g.body as Note).filter((n) => type === undefined || n.type === type);

  beforeAll(async () => {
    // An SMTP server on loopback, as an operator's mail relay.
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    onClose(() => new Promise((resolve) => smtp.close(() => resolve())));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    server = await startServer({
      env: {
        ALERT_INTERVAL_SECONDS: '1',
        METRICS_TOKEN: TOKEN,
        SMTP_URL: smtpUrl,
        ALERT_EMAIL_FROM: 'wallboard@example.com',
      },
    });
    hook = await webhookReceiver();
    const res = await send('POST', '/api/admin/alert-channels', {
      name: 'On-call webhook',
      config: { kind: 'webhook', url: hook.url, secret: SECRET },
    });
    expect(res.status).toBe(201);
    channel = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await server?.stop();
    await closeReceivers();
  });

  it('keeps channel secrets on the server, and refuses bad rules naming the field', async () => {
    const listed = await (await send('GET', '/api/admin/alert-channels')).text();
    expect(listed).toContain('On-call webhook');
    expect(listed).not.toContain(SECRET);
    const bad = [
      [{ name: 'x', kind: 'mos-below', threshold: 7 }, 'threshold'],
      [{ name: 'x', kind: 'no-such-kind', threshold: 1 }, 'kind'],
      [{ name: '', kind: 'mos-below', threshold: 3 }, 'name'],
      [{ name: 'x', kind: 'mos-below', threshold: 3, channels: ['nope'] }, 'channels'],
      [{ name: 'x', kind: 'bad-signatures', threshold: 3, line: LINE }, 'line'],
      [{ name: 'x', kind: 'mos-below', threshold: 3, renotifyMinutes: 0 }, 'renotifyMinutes'],
    ] as const;
    for (const [rule, field] of bad) {
      const res = await send('POST', '/api/admin/alert-rules', rule);
      expect(res.status, JSON.stringify(rule)).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
    expect(
      ((await (await send('GET', '/api/admin/alert-rules')).json()) as { rules: unknown[] }).rules,
    ).toEqual([]);
    // A channel a rule uses cannot be deleted from under it... (checked below, once a rule uses it).
  });

  it("sends a channel's test notification and reports the receiver's error", async () => {
    const ok = await send('POST', `/api/admin/alert-channels/${channel}/test`);
    expect(await ok.json()).toEqual({ ok: true, status: 204, error: null });
    expect(notes('alert.test')).toHaveLength(1);

    const failing = await receiver(answer(500, 'receiver is down'));
    const made = await send('POST', '/api/admin/alert-channels', {
      name: 'Broken Slack',
      config: { kind: 'slack', url: failing.url },
    });
    const id = ((await made.json()) as { id: string }).id;
    const res = (await (await send('POST', `/api/admin/alert-channels/${id}/test`)).json()) as {
      ok: boolean;
      error: string;
    };
    expect(res.ok).toBe(false);
    expect(res.error).toContain('500');
    expect(res.error).toContain('receiver is down');
    expect((await send('DELETE', `/api/admin/alert-channels/${id}`)).status).toBe(200);
  });

  it('fires once the window holds enough calls, re-notifies until acknowledged, resolves once', async () => {
    const made = await send('POST', '/api/admin/alert-rules', {
      name: 'Low MOS on the sales line',
      kind: 'mos-below',
      line: LINE,
      threshold: 3.5,
      windowMinutes: 15,
      minCalls: 3,
      channels: [channel],
      renotifyMinutes: 0.05,
    });
    expect(made.status).toBe(201);
    const rule = (await made.json()) as { id: string };
    expect((await send('DELETE', `/api/admin/alert-channels/${channel}`)).status).toBe(409);
    const now = new Date().toUTCString();
    const call = (mos: string) => completedCall({ To: LINE, AudioInMos: mos, Timestamp: now });

    // Two bad calls: below the rule's minimum, so nothing fires, however long it waits.
    for (const mos of ['2.0', '2.2']) expect((await postForm(server.url, call(mos))).status).toBe(200);
    await twoRounds();
    expect(notes('alert.fired')).toEqual([]);
    expect(
      ((await (await send('GET', '/api/alerts?open=1')).json()) as { alerts: unknown[] }).alerts,
    ).toEqual([]);

    // The third: it fires, once, naming the rule, the line and the figure.
    expect((await postForm(server.url, call('2.1'))).status).toBe(200);
    await waitFor(() => notes('alert.fired').length > 0, 'the alert to fire');
    const [fired] = notes('alert.fired');
    expect(fired!.alert).toMatchObject({ rule: 'Low MOS on the sales line', line: LINE });
    expect(fired!.alert.summary).toContain('Average MOS 2.10 below 3.5');
    expect(fired!.alert.summary).toContain('(3 calls)');
    expect(hook.got.every((g) => g.verified)).toBe(true);

    // Unacknowledged, it re-notifies on its interval (3 s here), and never more often.
    await waitFor(() => notes('alert.renotify').length > 0, 'a re-notification', 20_000);
    const open = (await (await send('GET', '/api/alerts?open=1')).json()) as { alerts: { id: string }[] };
    expect(open.alerts).toHaveLength(1);
    const id = open.alerts[0]!.id;
    expect((await send('POST', `/api/alerts/${id}/ack`)).status).toBe(200);
    // A reminder already on its way when it was acknowledged arrives; then none.
    await twoRounds();
    const renotified = notes('alert.renotify').length;
    // Acknowledged: after longer than the interval, no more re-notifications.
    const acked = Date.now();
    await waitFor(() => Date.now() - acked > 4_000 || undefined, 'longer than the interval');
    await twoRounds();
    expect(notes('alert.renotify')).toHaveLength(renotified);
    expect(notes('alert.fired')).toHaveLength(1);

    // Good calls lift the average above the threshold: resolved, once.
    for (let i = 0; i < 5; i++) expect((await postForm(server.url, call('4.5'))).status).toBe(200);
    await waitFor(() => notes('alert.resolved').length > 0, 'the alert to resolve');
    await twoRounds();
    expect(notes('alert.resolved')).toHaveLength(1);
    expect(notes('alert.resolved')[0]!.alert.acknowledgedBy).toBeTruthy();

    // The history: who acknowledged, when it resolved, what was sent and how it went.
    const history = (await (await send('GET', `/api/alerts?rule=${rule.id}`)).json()) as {
      alerts: {
        open: boolean;
        acknowledgedBy: string;
        resolvedAt: string;
        notifications: { event: string; ok: boolean }[];
      }[];
    };
    expect(history.alerts).toHaveLength(1);
    const a = history.alerts[0]!;
    expect(a.open).toBe(false);
    expect(a.acknowledgedBy).toBeTruthy();
    expect(a.resolvedAt).toBeTruthy();
    expect(a.notifications.map((n) => n.event)).toEqual([
      'fired',
      ...Array.from({ length: renotified }, () => 'renotify'),
      'acknowledged',
      'resolved',
    ]);
    expect(notes('alert.acknowledged')).toHaveLength(1);
    expect(a.notifications.every((n) => n.ok)).toBe(true);
    const csv = Papa.parse<string[]>((await (await send('GET', '/api/alerts/export')).text()).trim()).data;
    expect(csv[0]).toContain('Acknowledged By');
    expect(csv.find((r) => r[1] === 'Low MOS on the sales line')?.[2]).toBe(LINE);
    expect((await send('DELETE', `/api/admin/alert-rules/${rule.id}`)).status).toBe(200);
  });

  it('stays silent while snoozed', async () => {
    const snoozed = await send('POST', '/api/admin/alert-rules', {
      name: 'Snoozed failures',
      kind: 'failure-above',
      line: '+18005550177',
      threshold: 10,
      minCalls: 1,
      channels: [channel],
      snoozedUntil: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(snoozed.status).toBe(201);
    const rule = (await snoozed.json()) as { id: string };
    const before = hook.got.length;
    const busy = completedCall({
      To: '+18005550177',
      CallStatus: 'busy',
      Timestamp: new Date().toUTCString(),
    });
    expect((await postForm(server.url, busy)).status).toBe(200);
    await twoRounds();
    expect(hook.got).toHaveLength(before);
    // Unsnoozed, the same condition fires.
    expect((await send('PATCH', `/api/admin/alert-rules/${rule.id}`, { snoozedUntil: null })).status).toBe(
      200,
    );
    await waitFor(
      () => notes('alert.fired').some((n) => n.alert.rule === 'Snoozed failures'),
      'the unsnoozed rule',
    );
    expect((await send('DELETE', `/api/admin/alert-rules/${rule.id}`)).status).toBe(200);
  });

  it('emails the webhook-in-trouble alert with its usual cause', async () => {
    const made = await send('POST', '/api/admin/alert-channels', {
      name: 'Ops mail',
      config: { kind: 'email', to: ['ops@example.com'] },
    });
    const mail = ((await made.json()) as { id: string }).id;
    const rule = await send('POST', '/api/admin/alert-rules', {
      name: 'Signatures failing',
      kind: 'bad-signatures',
      threshold: 0,
      windowMinutes: 5,
      channels: [mail],
    });
    expect(rule.status).toBe(201);
    // Signed for another URL, as behind a proxy: refused, counted, alerted.
    expect((await postForm(server.url, completedCall(), 'a-key-the-server-does-not-have')).status).toBe(403);
    await waitFor(() => mails.length > 0, 'the alert email', 30_000);
    expect(mails[0]).toContain('Signatures failing');
    expect(mails[0]).toMatch(/PUBLIC_URL/);
    expect(mails[0]).toContain('ops@example.com');
  });
});
