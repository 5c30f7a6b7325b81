// Two instances on one PostgreSQL store and one webhook receiver: an alert event gives exactly one
// notification, and killing the instance that evaluates neither loses nor repeats the next one.
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { TEST_PROVIDER, tempDatabaseUrl } from '../helpers/db';
import { SECRET, closeReceivers, webhookReceiver } from '../helpers/receivers';
import { waitFor } from '../helpers/wait';

const TOKEN = 'metrics-token-0123456789';
const running: RunningServer[] = [];
afterEach(async () => {
  for (const s of running.splice(0).reverse()) await s.stop();
  await closeReceivers();
});

const leads = (s: RunningServer) => s.logs.some((l) => l.includes('alert evaluation lease taken'));

/** Rounds of evaluation an instance has done, from its metrics. */
async function rounds(s: RunningServer): Promise<number> {
  const res = await fetch(new URL('/metrics', s.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
  const line = (await res.text())
    .split('\n')
    .find((l) => l.startsWith('wallboard_alert_evaluation_seconds_count '));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe.runIf(TEST_PROVIDER === 'postgresql')('alerts with two instances', () => {
  it('one notification per event, and none lost or repeated when the evaluating instance is killed', async () => {
    const databaseUrl = await tempDatabaseUrl();
    const env = { ALERT_INTERVAL_SECONDS: '1', METRICS_TOKEN: TOKEN };
    const a = await startServer({ databaseUrl, env });
    running.push(a);
    const b = await startServer({ databaseUrl, env });
    running.push(b);
    const hook = await webhookReceiver();
    const post = (path: string, payload: unknown) =>
      fetch(new URL(path, a.url), {
        method: 'POST',
        headers: { cookie: a.cookie, Origin: a.url, 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
      });
    const channel = (await (
      await post('/api/admin/alert-channels', {
        name: 'hook',
        config: { kind: 'webhook', url: hook.url, secret: SECRET },
      })
    ).json()) as { id: string };
    const made = await post('/api/admin/alert-rules', {
      name: 'Low MOS',
      kind: 'mos-below',
      threshold: 3.5,
      minCalls: 1,
      channels: [channel.id],
      renotifyMinutes: 10_000,
    });
    expect(made.status).toBe(201);
    const events = (type: string) => hook.got.filter((g) => (g.body as { type: string }).type === type);

    // One instance holds the lease and evaluates; the other waits.
    const leader = await waitFor(
      () => (leads(a) ? a : leads(b) ? b : undefined),
      'an instance to take the lease',
    );
    const other = leader === a ? b : a;

    // The call reaches the instance that does not evaluate: the store carries it to the one that does.
    const now = new Date().toUTCString();
    expect((await postForm(other.url, completedCall({ AudioInMos: '2.0', Timestamp: now }))).status).toBe(
      200,
    );
    await waitFor(() => events('alert.fired').length > 0, 'the alert');
    const after = await rounds(leader);
    await waitFor(async () => (await rounds(leader)) >= after + 3, 'three more rounds');
    expect(events('alert.fired')).toHaveLength(1);
    expect(leads(other)).toBe(false);

    // The evaluating instance dies without a word; the condition ends meanwhile.
    await leader.stop('SIGKILL');
    for (let i = 0; i < 3; i++) {
      expect((await postForm(other.url, completedCall({ AudioInMos: '4.6', Timestamp: now }))).status).toBe(
        200,
      );
    }
    await waitFor(() => leads(other), 'the other instance to take the lease over', 30_000);
    await waitFor(() => events('alert.resolved').length > 0, 'the resolution', 30_000);
    const later = await rounds(other);
    await waitFor(async () => (await rounds(other)) >= later + 3, 'three more rounds');
    expect(events('alert.resolved')).toHaveLength(1);
    expect(events('alert.fired')).toHaveLength(1);
    expect(hook.got.every((g) => g.verified)).toBe(true);
  });
});
