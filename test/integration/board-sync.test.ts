// The board's sync loop (lib/common/board-sync.ts) against the real server, as a browser tab
// runs it: whatever reaches the board live, after a reconnect, or while a snapshot loads, it ends
// up showing what a fresh snapshot of its view shows, each call counted once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { signIn, startServer, ADMIN_PASSWORD, type RunningServer } from '../helpers/server';
import { completedCall, postForm, type Form } from '../helpers/callbacks';
import {
  DEFAULT_ROWS,
  buildRelease,
  openBoard,
  shown,
  type BoardOptions,
  type TestBoard,
} from '../helpers/board';
import { boardFromSnapshot } from '@/lib/common/board';
import { filterParams } from '@/lib/common/filter';
import type { Snapshot } from '@/lib/common/types';

const DAY = 86_400_000;
const A = '+18005550100';
const B = '+18005550111';
const stamp = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

let server: RunningServer;
const open: TestBoard[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  for (const b of open.splice(0)) b.close();
});
afterAll(async () => {
  await server?.stop();
});

/** Each test counts calls on a day of its own, so the others' calls never enter its views. */
const dayOf = (n: number) => Date.parse('2026-06-01T00:00:00Z') + n * DAY;
const view = (day: number, line: string | null = null, status: string | null = null) =>
  filterParams({ from: day, to: day + DAY, line, status, caller: null, direction: 'inbound' }).toString();

async function board(query: string, opts: BoardOptions = {}, cookie = server.cookie) {
  const b = await openBoard(server.url, cookie, { query, ...opts });
  open.push(b);
  return b;
}

async function fresh(query: string, maxRows = DEFAULT_ROWS) {
  const res = await server.get(`/api/dashboard?${query}`);
  expect(res.status).toBe(200);
  return shown(boardFromSnapshot((await res.json()) as Snapshot, maxRows));
}

/** One callback of a call's life: duration and MOS only once it is over, as providers send them. */
function callback(sid: string, status: string, line: string, at: number, over: Form = {}): Form {
  const form = completedCall({ CallSid: sid, To: line, CallStatus: status, Timestamp: stamp(at), ...over });
  if (status !== 'completed') {
    delete form.AudioInMos;
    if (status === 'ringing' || status === 'in-progress') delete form.CallDuration;
    else form.CallDuration = '0';
  }
  return form;
}

async function send(...forms: Form[]) {
  for (const form of forms) expect((await postForm(server.url, form)).status).toBe(200);
}

describe('the board sync loop', () => {
  it('fed live, shows what a fresh snapshot of its view shows, with one snapshot asked', async () => {
    const day = dayOf(0);
    const onA = await board(view(day, A));
    const talking = await board(view(day, null, 'in-progress'));
    await onA.until((s) => s.connection === 'live', 'the line A board to go live');
    await talking.until((s) => s.connection === 'live', 'the in-progress board to go live');

    const ends: Form[] = [
      { CallStatus: 'completed', CallDuration: '95', AudioInMos: '4.4' },
      { CallStatus: 'completed', CallDuration: '300', AudioInMos: '2.9' },
      { CallStatus: 'busy' },
      { CallStatus: 'no-answer' },
      { CallStatus: 'failed' },
      { CallStatus: 'completed', CallDuration: '12' },
      { CallStatus: 'canceled' },
      { CallStatus: 'completed', CallDuration: '640', AudioInMos: '3.7' },
    ];
    const calls = ends.map((_, i) => ({
      sid: randomUUID(),
      line: i % 3 ? A : B,
      at: day + 9 * 3_600_000 + i * 7 * 60_000,
    }));
    await send(...calls.map((c) => callback(c.sid, 'ringing', c.line, c.at)));
    await send(...calls.map((c) => callback(c.sid, 'in-progress', c.line, c.at + 5_000)));
    // Every call moved into the in-progress view...
    await talking.until((s) => s.board.totals.calls === calls.length, 'every call in progress');
    await send(...calls.map((c, i) => callback(c.sid, ends[i]!.CallStatus!, c.line, c.at + 60_000, ends[i])));
    // ...and out of it again.
    await talking.until((s) => s.board.totals.calls === 0, 'every call over');

    const sent = calls.length * 3;
    for (const [b, query] of [
      [onA, view(day, A)],
      [talking, view(day, null, 'in-progress')],
    ] as const) {
      const want = await fresh(query);
      await expect.poll(() => shown(b.state().board)).toEqual(want);
      expect(b.received.length).toBe(sent);
      expect(b.fetched).toEqual([`/api/dashboard?${query}`]);
      expect(b.state().connection).toBe('live');
    }
    const onAShows = onA.state().board;
    expect(onAShows.totals.calls).toBe(calls.filter((c) => c.line === A).length);
    // The line table counts both lines under the board's other filters.
    expect(onAShows.lines.map((l) => [l.line, l.tally.calls])).toEqual([
      [A, 5],
      [B, 3],
    ]);
    expect(onA.reloads + onA.refusals + talking.reloads + talking.refusals).toBe(0);
  });

  it('catches up on what it missed while disconnected, each call once', async () => {
    const day = dayOf(1);
    const query = view(day, A);
    const b = await board(query, {
      socket: { reconnectionDelay: 1000, reconnectionDelayMax: 1000, randomizationFactor: 0 },
    });
    await b.until((s) => s.connection === 'live', 'the board to go live');
    const first = randomUUID();
    await send(callback(first, 'ringing', A, day + 3_600_000));
    await b.until((s) => s.board.calls.some((c) => c.callSid === first), 'the first call');
    const heard = b.received.length;

    // The connection drops (a network blip, say); socket.io reconnects on its own a second later.
    b.socket.io.engine.close();
    await b.until((s) => s.connection === 'reconnecting', 'the board to notice');
    const missed = [randomUUID(), randomUUID()];
    await send(
      callback(first, 'completed', A, day + 3_660_000),
      callback(missed[0]!, 'completed', A, day + 7_200_000),
      callback(missed[1]!, 'busy', A, day + 7_260_000),
      callback(randomUUID(), 'completed', B, day + 7_300_000),
    );
    // The premise: all of that happened while the board was away.
    expect(b.socket.connected).toBe(false);

    await b.until((s) => s.connection === 'live', 'the board to be live again', 10_000);
    expect(shown(b.state().board)).toEqual(await fresh(query));
    expect(b.received.length).toBe(heard);
    expect(b.fetched).toEqual([`/api/dashboard?${query}`, `/api/dashboard?${query}`]);
    const sids = b.state().board.calls.map((c) => c.callSid);
    expect(sids.sort()).toEqual([first, ...missed].sort());
    expect(b.state().board.totals).toMatchObject({ calls: 3, finished: 3, completed: 2 });
    expect(b.state().board.lines.map((l) => [l.line, l.tally.calls])).toEqual([
      [A, 3],
      [B, 1],
    ]);
  });

  it('shows the newest query’s snapshot when an older one arrives after it', async () => {
    const day = dayOf(2);
    await send(
      ...[A, A, A, B, B].map((line, i) => callback(randomUUID(), 'completed', line, day + i * 60_000)),
    );
    const onA = view(day, A);
    const onB = view(day, B);
    let releaseA = () => {};
    const heldA = new Promise<void>((resolve) => (releaseA = resolve));
    let answerA: Response | null = null;
    const b = await board(view(day), {
      // The older request is answered first, but its answer is slow to arrive.
      fetch: async (path, get) => {
        const res = await get();
        if (path === `/api/dashboard?${onA}`) {
          answerA = res;
          await heldA;
        }
        return res;
      },
    });
    await b.until((s) => s.connection === 'live', 'the board to go live');

    b.sync.setQuery(onA, 'line A');
    await expect.poll(() => answerA !== null).toBe(true);
    b.sync.setQuery(onB, 'line B');
    await b.until((s) => s.scope === 'line B', 'line B to show');
    releaseA();
    await expect.poll(() => answerA!.bodyUsed).toBe(true);
    // Something that happens after the old answer was read: a call on line B reaches the board.
    const late = randomUUID();
    await send(callback(late, 'completed', B, day + 600_000));
    await b.until((s) => s.board.calls.some((c) => c.callSid === late), 'the late call on line B');

    expect(b.states.map((s) => s.scope)).not.toContain('line A');
    expect(b.state().scope).toBe('line B');
    expect(shown(b.state().board)).toEqual(await fresh(onB));
    expect(b.state().board.totals.calls).toBe(3);
  });

  it('keeps the updates that arrive while a snapshot loads, counting each once', async () => {
    const day = dayOf(3);
    const early = randomUUID();
    await send(
      callback(randomUUID(), 'completed', A, day + 60_000),
      callback(early, 'ringing', B, day + 120_000),
      callback(randomUUID(), 'completed', B, day + 180_000),
    );
    const onB = view(day, B);
    let send1 = () => {};
    let deliver = () => {};
    const sending = new Promise<void>((resolve) => (send1 = resolve));
    const delivering = new Promise<void>((resolve) => (deliver = resolve));
    let asked = false;
    let answered = false;
    const b = await board(view(day, A), {
      fetch: async (path, get) => {
        if (path !== `/api/dashboard?${onB}`) return get();
        asked = true;
        await sending;
        const res = await get();
        answered = true;
        await delivering;
        return res;
      },
    });
    await b.until((s) => s.connection === 'live', 'the board to go live');

    b.sync.setQuery(onB, 'line B');
    await expect.poll(() => asked).toBe(true);
    // Before the server reads the snapshot: these are in it, and arrive live too.
    const during = randomUUID();
    let heard = b.received.length;
    await send(
      callback(early, 'in-progress', B, day + 125_000),
      callback(during, 'ringing', B, day + 240_000),
      callback(randomUUID(), 'completed', A, day + 250_000),
    );
    await expect.poll(() => b.received.length).toBe(heard + 3);
    send1();
    await expect.poll(() => answered).toBe(true);
    // After the server read it: only the live feed has these.
    heard = b.received.length;
    const after = randomUUID();
    await send(
      callback(early, 'completed', B, day + 300_000, { CallDuration: '170', AudioInMos: '3.2' }),
      callback(during, 'no-answer', B, day + 330_000),
      callback(after, 'completed', B, day + 360_000),
      callback(randomUUID(), 'failed', A, day + 370_000),
    );
    await expect.poll(() => b.received.length).toBe(heard + 4);
    deliver();

    await b.until((s) => s.scope === 'line B', 'line B to show');
    expect(shown(b.state().board)).toEqual(await fresh(onB));
    expect(b.state().board.totals).toMatchObject({ calls: 4, finished: 4, completed: 3 });
    expect(b.state().board.lines.map((l) => [l.line, l.tally.calls])).toEqual([
      [B, 4],
      [A, 3],
    ]);
    expect(b.fetched).toEqual([`/api/dashboard?${view(day, A)}`, `/api/dashboard?${onB}`]);
  });

  it('reloads for another release at most once a minute, and never for its own', async () => {
    const storage = new Map<string, string>();
    const at = Date.parse('2026-07-01T10:00:00Z');
    const older = (now: number) =>
      board(view(dayOf(4)), { release: 'an-older-build', storage, now: () => now });
    const first = await older(at);
    expect(await first.hello).toBe(buildRelease());
    expect(first.reloads).toBe(1);
    const soon = await older(at + 59_999);
    await soon.hello;
    expect(soon.reloads).toBe(0);
    const minuteLater = await older(at + 60_000);
    await minuteLater.hello;
    expect(minuteLater.reloads).toBe(1);
    const current = await board(view(dayOf(4)), { now: () => at + 60_000 });
    await current.hello;
    expect(current.reloads).toBe(0);
  });

  it('hands a refused query back without reconnecting, and reloads once signed out', async () => {
    const cookie = await signIn(server.url, 'admin', ADMIN_PASSWORD);
    const b = await board(view(dayOf(5)), {}, cookie);
    await b.until((s) => s.connection === 'live', 'the board to go live');
    const before = b.state();

    b.sync.setQuery('status=exploded', 'bad');
    await expect.poll(() => b.refusals).toBe(1);
    expect(b.state()).toBe(before);
    expect(b.socket.connected).toBe(true);

    const out = await fetch(new URL('/api/auth/sign-out', server.url), {
      method: 'POST',
      headers: { cookie, Origin: server.url, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(out.status).toBe(200);
    b.sync.setQuery(view(dayOf(6)), 'another day');
    await expect.poll(() => b.reloads).toBeGreaterThanOrEqual(1);
    expect(b.state().scope).toBe(before.scope);
    expect(b.refusals).toBe(1);
  });
});
