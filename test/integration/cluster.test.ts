// Two real instances on one PostgreSQL store: every dashboard sees every call once, whichever
// instance the provider called, and a dashboard whose instance dies carries on from the other.
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { startBalancer, type Balancer } from '../helpers/balancer';
import { completedCall, postForm } from '../helpers/callbacks';
import { TEST_PROVIDER, tempDatabaseUrl, withStore } from '../helpers/db';
import { applyUpdates, boardFromSnapshot, type Board } from '@/lib/calls/board';
import type { CallUpdate, Snapshot } from '@/lib/calls/types';

const running: { stop(): unknown }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

function waitFor(done: () => boolean, what: string | (() => string), ms = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (done()) return resolve();
      if (Date.now() - started > ms) {
        return reject(new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`));
      }
      setTimeout(tick, 10);
    };
    tick();
  });
}

function listen(url: string, cookie: string, reconnection = false) {
  const socket: Socket = connect(url, {
    transports: ['websocket'],
    reconnection,
    reconnectionDelay: 100,
    extraHeaders: { cookie },
  });
  const got: { update: CallUpdate; at: number }[] = [];
  socket.on('calls', (updates: CallUpdate[]) => {
    const at = performance.now();
    for (const update of updates) got.push({ update, at });
  });
  running.push({ stop: () => socket.close() });
  return { socket, got, connected: new Promise<void>((r) => socket.once('connect', () => r())) };
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function pair(env: Record<string, string>): Promise<[RunningServer, RunningServer]> {
  const databaseUrl = await tempDatabaseUrl();
  const a = await startServer({ databaseUrl, env });
  const b = await startServer({ databaseUrl, env });
  running.push({ stop: () => a.stop() }, { stop: () => b.stop() });
  return [a, b];
}

describe.runIf(TEST_PROVIDER === 'postgresql').each([
  ['postgres', {}],
  ['redis', { REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }],
] as const)('two instances with %s fan-out', (fanout, env) => {
  it('delivers every call exactly once to dashboards on both instances, and stores it once', async () => {
    const [a, b] = await pair(env);
    for (const s of [a, b]) expect(s.logs.join('\n')).toContain(`"fanout":"${fanout}"`);
    const onA = listen(a.url, a.cookie);
    const onB = listen(b.url, b.cookie);
    await Promise.all([onA.connected, onB.connected]);

    const acked = new Map<string, { at: number; by: RunningServer }>();
    const distinct: string[] = [];
    for (let i = 0; i < 200; i++) {
      const form = completedCall({ AudioInMos: (3 + (i % 15) / 10).toFixed(1) });
      distinct.push(form.CallSid!);
      const to = i % 2 ? a : b;
      const res = await postForm(to.url, form);
      expect(res.status).toBe(200);
      acked.set(form.CallSid!, { at: performance.now(), by: to });
    }
    // The provider's retries of one callback reaching both instances at the same moment.
    for (let i = 0; i < 20; i++) {
      const form = completedCall();
      distinct.push(form.CallSid!);
      const replies = await Promise.all([postForm(a.url, form), postForm(b.url, form)]);
      const outcomes = await Promise.all(replies.map((r) => r.json() as Promise<{ outcome: string }>));
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['duplicate', 'stored']);
    }

    for (const client of [onA, onB]) {
      await waitFor(
        () => new Set(client.got.map((g) => g.update.call.callSid)).size === distinct.length,
        'every call',
      );
      const counts = new Map<string, number>();
      for (const g of client.got)
        counts.set(g.update.call.callSid, (counts.get(g.update.call.callSid) ?? 0) + 1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(client.got.length).toBe(distinct.length);
    }

    const stored = await withStore(a.databaseUrl, async (db) => ({
      calls: await db.read.call.count(),
      events: await db.read.callEvent.aggregate({ _count: true, _sum: { deliveries: true } }),
    }));
    expect(stored.calls).toBe(distinct.length);
    expect(stored.events._count).toBe(distinct.length);
    expect(stored.events._sum.deliveries).toBe(distinct.length + 20);

    // Latency from one instance's 2xx to the event on a dashboard connected to the other.
    const cross = [onA, onB].flatMap((client, i) =>
      client.got
        .filter((g) => acked.get(g.update.call.callSid)?.by === (i === 0 ? b : a))
        .map((g) => g.at - acked.get(g.update.call.callSid)!.at),
    );
    console.log(
      `${fanout} fan-out, cross-instance 2xx -> dashboard: n=${cross.length} p50=${percentile(cross, 0.5).toFixed(1)} ms p99=${percentile(cross, 0.99).toFixed(1)} ms`,
    );
    expect(cross.length).toBe(200);
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'lets a dashboard whose instance stops (%s) reconnect to the other and catch up, showing nothing twice',
    async (signal) => {
      const [a, b] = await pair(env);
      const lb: Balancer = await startBalancer([a.port, b.port]);
      running.push({ stop: () => lb.close() });

      // The dashboard's own logic (components/useLiveBoard.ts): on every (re)connect load a
      // snapshot, holding back live updates meanwhile, then apply those the snapshot lacks.
      let board: Board | null = null;
      let syncing = false;
      let buffered: CallUpdate[] = [];
      let connects = 0;
      const dash = listen(lb.url, a.cookie, true);
      let lastError = '';
      dash.socket.on('connect', async () => {
        connects++;
        syncing = true;
        // Like the hook, try again when loading the snapshot fails (a pooled connection to the
        // instance that died, say), rather than leave the board behind.
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            const snapshot = (await (
              await fetch(`${lb.url}/api/dashboard`, { headers: { cookie: a.cookie } })
            ).json()) as Snapshot;
            board = applyUpdates(boardFromSnapshot(snapshot, 1000), buffered);
            buffered = [];
            break;
          } catch (e) {
            lastError = String(e);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        syncing = false;
      });
      dash.socket.on('disconnect', (reason) => {
        // As the hook does: an instance shutting down disconnects its clients, which must retry.
        if (reason === 'io server disconnect') setTimeout(() => dash.socket.connect(), 500);
      });
      dash.socket.on('calls', (u: CallUpdate[]) => {
        if (board && !syncing) board = applyUpdates(board, u);
        else buffered.push(...u);
      });
      await waitFor(() => board !== null, 'the first snapshot');

      const before = [completedCall(), completedCall(), completedCall()];
      for (const f of before) expect((await postForm(a.url, f)).status).toBe(200);
      await waitFor(() => board!.calls.length === 3, 'live calls');

      // The balancer sent the dashboard's websocket to the first backend: a. It goes away.
      await a.stop(signal);
      const during = [completedCall(), completedCall()];
      for (const f of during) expect((await postForm(b.url, f)).status).toBe(200);
      await waitFor(
        () => connects >= 2 && board!.calls.length === 5,
        () =>
          `the reconnect and catch-up (connects ${connects}, calls on the board ${board?.calls.length}, ` +
          `last snapshot error: ${lastError || 'none'})`,
        30_000,
      );

      const after = completedCall();
      expect((await postForm(b.url, after)).status).toBe(200);
      await waitFor(() => board!.calls.length === 6, 'live calls after the reconnect');
      const sids = board!.calls.map((c) => c.callSid);
      expect(new Set(sids).size).toBe(6);
      expect(new Set(sids)).toEqual(new Set([...before, ...during, after].map((f) => f.CallSid)));
      expect(board!.totals.calls).toBe(6);
    },
    60_000,
  );
});
