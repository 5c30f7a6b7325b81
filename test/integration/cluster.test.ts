// Two real instances on one PostgreSQL store: every dashboard sees every call once, whichever
// instance the provider called, and a dashboard whose instance dies carries on from the other.
// The dashboards are the product's own sync loop (lib/common/board-sync.ts) in Node.
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { startBalancer, type Balancer } from '../helpers/balancer';
import { completedCall, postForm } from '../helpers/callbacks';
import { TEST_PROVIDER, tempDatabaseUrl, withStore } from '../helpers/db';
import { DEFAULT_ROWS, openBoard, shown, type BoardOptions } from '../helpers/board';
import { boardFromSnapshot, type Board } from '@/lib/common/board';
import type { Snapshot } from '@/lib/common/types';
import { waitFor } from '../helpers/wait';
import { asVisitors } from '../helpers/visitors';
import type { CallUpdate } from '@/lib/common/types';

const LINE_A = '+18005550101';
const LINE_B = '+18005550202';

const running: { stop(): unknown }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function dashboard(url: string, cookie: string, opts: BoardOptions = {}) {
  const board = await openBoard(url, cookie, opts);
  running.push({ stop: () => board.close() });
  return board;
}

/**
 * What a board shows, its rows in callSid order: these calls all start in the same second, and a
 * snapshot orders such ties by row id where live updates order them by event id.
 */
function rowsBySid(board: Board) {
  return { ...shown(board), calls: [...board.calls].sort((x, y) => (x.callSid < y.callSid ? -1 : 1)) };
}

/** What a board on `server` showing every call should show now. */
async function snapshotOf(server: RunningServer) {
  const res = await server.get('/api/dashboard');
  expect(res.status).toBe(200);
  return rowsBySid(boardFromSnapshot((await res.json()) as Snapshot, DEFAULT_ROWS));
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
    const onA = await dashboard(a.url, a.cookie);
    const onB = await dashboard(b.url, b.cookie);
    for (const board of [onA, onB]) await board.until((s) => s.connection === 'live', 'the board to go live');

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

    for (const [client, server] of [
      [onA, a],
      [onB, b],
    ] as const) {
      await waitFor(
        () => new Set(client.received.map((g) => g.update.call.callSid)).size === distinct.length,
        'every call',
      );
      const counts = new Map<string, number>();
      for (const g of client.received)
        counts.set(g.update.call.callSid, (counts.get(g.update.call.callSid) ?? 0) + 1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(client.received.length).toBe(distinct.length);
      // The board counts each call once, live, as a fresh snapshot from its instance does.
      await client.until((s) => s.board.totals.calls === distinct.length, 'every call on the board');
      expect(rowsBySid(client.state().board)).toEqual(await snapshotOf(server));
      expect(new Set(client.state().board.calls.map((c) => c.callSid))).toEqual(new Set(distinct));
      expect(client.fetched).toEqual(['/api/dashboard?']);
      expect(client.state().connection).toBe('live');
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
      client.received
        .filter((g) => acked.get(g.update.call.callSid)?.by === (i === 0 ? b : a))
        .map((g) => g.at - acked.get(g.update.call.callSid)!.at),
    );
    console.log(
      `${fanout} fan-out, cross-instance 2xx -> dashboard: n=${cross.length} p50=${percentile(cross, 0.5).toFixed(1)} ms p99=${percentile(cross, 0.99).toFixed(1)} ms`,
    );
    expect(cross.length).toBe(200);
  }, 60_000);

  it('keeps a line-scoped board on the other instance to its line, masked, and follows a change made on the first', async () => {
    const [a, b] = await pair(env);
    const onA = asVisitors(() => a);
    const cookie = await onA.supervisor('lena');
    const { users } = (await (await a.get('/api/admin/users')).json()) as {
      users: { id: string; username: string }[];
    };
    const id = users.find((u) => u.username === 'lena')!.id;
    const limit = async (line: string) =>
      expect(
        (await onA.send('PUT', `/api/admin/users/${id}/lines`, a.cookie, { lines: [line] })).status,
      ).toBe(200);
    await limit(LINE_A);
    const socket = await asVisitors(() => b).socketFor(cookie);
    running.push({ stop: () => socket.close() });
    const feed: CallUpdate[] = [];
    socket.on('calls', (u: CallUpdate[]) => feed.push(...u));
    const has = (sid: string) => feed.some((u) => u.call.callSid === sid);
    // Sent to instance A, in order: line B's call is committed before line A's arrives.
    const send = async (to: string, n: number) => {
      const form = completedCall({ To: to, From: `+1415555${2000 + n}` });
      expect((await postForm(a.url, form)).status).toBe(200);
      return form;
    };
    let n = 0;
    const other = await send(LINE_B, n++);
    const mine = await send(LINE_A, n++);
    await waitFor(() => has(mine.CallSid!), 'line A’s call on the other instance');
    expect(has(other.CallSid!)).toBe(false);
    expect(JSON.stringify(feed)).not.toContain(mine.From!);
    expect(feed.find((u) => u.call.callSid === mine.CallSid)!.call.from).toMatch(/^\+1 415 ••• \d{4}$/);

    // Moved to line B on instance A: the board on instance B follows.
    await limit(LINE_B);
    await waitFor(
      async () => {
        const form = await send(LINE_B, n++);
        // Not yet moved: this one never comes, and the next try sends another.
        return waitFor(() => has(form.CallSid!), 'a line B call', 1_000).then(
          () => form,
          () => false as const,
        );
        // Sooner than the 10 s periodic check: the change itself reached the other instance.
      },
      'line B’s calls on the other instance',
      5_000,
    );
    const before = feed.length;
    const a2 = await send(LINE_A, n++);
    const b2 = await send(LINE_B, n++);
    await waitFor(() => has(b2.CallSid!), 'the next line B call');
    expect(feed.slice(before).some((u) => u.call.callSid === a2.CallSid)).toBe(false);
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'lets a dashboard whose instance stops (%s) reconnect to the other and catch up, showing nothing twice',
    async (signal) => {
      const [a, b] = await pair(env);
      const lb: Balancer = await startBalancer([a.port, b.port]);
      running.push({ stop: () => lb.close() });

      // The page comes from a; the balancer's first connection, the websocket, goes to a too.
      const dash = await dashboard(lb.url, a.cookie, { pageFrom: a.url, socket: { reconnectionDelay: 100 } });
      let connects = 0;
      dash.socket.on('connect', () => connects++);
      await dash.until((s) => s.connection === 'live', 'the first snapshot');

      const before = [completedCall(), completedCall(), completedCall()];
      for (const f of before) expect((await postForm(a.url, f)).status).toBe(200);
      await dash.until((s) => s.board.calls.length === 3, 'live calls');

      // The balancer sent the dashboard's websocket to the first backend: a. It goes away.
      await a.stop(signal);
      const during = [completedCall(), completedCall()];
      for (const f of during) expect((await postForm(b.url, f)).status).toBe(200);
      await waitFor(
        () => connects >= 2 && dash.state().board.calls.length === 5,
        () =>
          `the reconnect and catch-up (connects ${connects}, calls on the board ` +
          `${dash.state().board.calls.length}, connection ${dash.state().connection}, ` +
          `snapshots asked ${dash.fetched.length})`,
        30_000,
      );

      const after = completedCall();
      expect((await postForm(b.url, after)).status).toBe(200);
      await dash.until((s) => s.board.calls.length === 6, 'live calls after the reconnect');
      const board = dash.state().board;
      const sids = board.calls.map((c) => c.callSid);
      expect(new Set(sids).size).toBe(6);
      expect(new Set(sids)).toEqual(new Set([...before, ...during, after].map((f) => f.CallSid)));
      expect(board.totals.calls).toBe(6);
      expect(rowsBySid(board)).toEqual(await snapshotOf(b));
      expect(dash.state().connection).toBe('live');
      expect(dash.reloads).toBe(0);
    },
    60_000,
  );
});
