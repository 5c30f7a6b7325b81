// Callers' numbers and line scope on the real server, on either store: for every route of the build
// and the live feed, a masked supervisor, a line-scoped supervisor and TVs receive no full caller
// number and no other line's call. The test posts calls with known numbers and searches every
// answer and every socket payload for them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm, type Form } from '../helpers/callbacks';
import { asVisitors } from '../helpers/visitors';
import { waitFor } from '../helpers/wait';
import type { CallUpdate } from '@/lib/common/types';
import { isPublic } from '@/lib/auth/policy';

const root = join(import.meta.dirname, '..', '..');
const LINE_A = '+18005550101';
const LINE_B = '+18005550202';
/** A caller per call, each a distinct full number; the digits alone must never reach a masked screen. */
let serial = 0;
const caller = () => `+1415555${String(1000 + serial++).padStart(4, '0')}`;
const digits = (n: string) => n.replace(/\D/g, '').slice(1);

let server: RunningServer;
const { send, socketFor, supervisor, pairTv } = asVisitors(() => server);

interface Posted {
  sid: string;
  from: string;
  line: string;
  /** A leg's called person, whose number is as personal as the caller's. */
  agent?: string;
}
const posted: Posted[] = [];

async function call(line: string, over: Form = {}): Promise<Posted> {
  const form = completedCall({
    From: caller(),
    To: line,
    Timestamp: new Date().toUTCString(),
    ...over,
  });
  const res = await postForm(server.url, form);
  expect(res.status).toBe(200);
  const p = { sid: form.CallSid!, from: form.From!, line, agent: over.Direction ? form.To : undefined };
  posted.push(p);
  return p;
}

/** Every personal number posted so far, as stored and as digits. */
const personal = () =>
  posted.flatMap((p) => [p.from, digits(p.from), ...(p.agent ? [p.agent, digits(p.agent)] : [])]);

const userId = async (username: string) => {
  const { users } = (await (await send('GET', '/api/admin/users', server.cookie)).json()) as {
    users: { id: string; username: string }[];
  };
  return users.find((u) => u.username === username)!.id;
};

/** The feed a socket received, kept as it arrived. */
function collect(socket: Socket): CallUpdate[][] {
  const got: CallUpdate[][] = [];
  socket.on('calls', (u: CallUpdate[]) => got.push(u));
  return got;
}
const sidsIn = (batches: CallUpdate[][]) => new Set(batches.flat().map((u) => u.call.callSid));

// The build's own routes, so a route added later is searched too.
const manifest = JSON.parse(
  readFileSync(join(root, '.next', 'app-path-routes-manifest.json'), 'utf8'),
) as Record<string, string>;
const routes = [...new Set(Object.values(manifest))].filter(
  (r) => !r.startsWith('/_') && !isPublic(r) && !r.includes('[...'),
);

/** Every GET answer a viewer can get from the build's routes, with each call's id where one is asked. */
async function everything(cookie: string): Promise<string> {
  const texts: string[] = [];
  const paths = routes.flatMap((r) =>
    r.includes('[sid]') ? posted.map((p) => r.replace('[sid]', p.sid)) : r.includes('[') ? [] : [r],
  );
  // Filters that list more: all time, every status, a caller search by digits, the history.
  const extra = [
    '/api/dashboard?from=0',
    '/api/dashboard?from=0&direction=outbound-dial',
    '/api/calls/export?from=0&direction=outbound-dial',
    '/api/calls?limit=5000',
    '/api/calls?after=0&limit=5000',
    '/api/calls/export?from=0',
    '/api/alerts?from=0',
    '/?range=custom&from=2000-01-01T00:00',
  ];
  for (const path of [...paths, ...extra]) {
    const res = await send('GET', path, cookie);
    // The answer only: the path asked names the call.
    texts.push(`${res.status} ${await res.text()}`);
  }
  for (const p of posted) {
    const res = await send('POST', `/api/calls/${p.sid}/reveal`, cookie, {});
    texts.push(`${res.status} ${await res.text()}`);
  }
  return texts.join('\n');
}

const found = (text: string, needles: string[]) => needles.filter((n) => text.includes(n));

beforeAll(async () => {
  // Alert rules evaluated every second: the per-line alerts below open within a round or two.
  server = await startServer({ env: { ALERT_INTERVAL_SECONDS: '1' } });
});
afterAll(async () => {
  await server?.stop();
});

describe('callers’ numbers and line scope', () => {
  it('mask numbers for supervisors and TVs by default, and keep line-scoped viewers to their lines', async () => {
    const masked = await supervisor('maya');
    const scoped = await supervisor('lena');
    const limited = await send('PUT', `/api/admin/users/${await userId('lena')}/lines`, server.cookie, {
      lines: [LINE_A],
    });
    expect(limited.status).toBe(200);
    const tv = await pairTv('Lobby');
    const tvB = await pairTv('Floor B');
    expect(
      (await send('PUT', `/api/admin/wallboards/${tvB.id}/lines`, server.cookie, { lines: [LINE_B] })).status,
    ).toBe(200);

    // An alert rule per line: each line below gets a busy call, so each opens an alert.
    for (const line of [LINE_A, LINE_B]) {
      const rule = await send('POST', '/api/admin/alert-rules', server.cookie, {
        name: `Failing on ${line}`,
        kind: 'success-below',
        line,
        threshold: 99,
        minCalls: 1,
      });
      expect(rule.status).toBe(201);
    }

    // Live feeds first, so every call below passes through them.
    const sockets = {
      admin: await socketFor(server.cookie),
      masked: await socketFor(masked),
      scoped: await socketFor(scoped),
      tv: await socketFor(tv.cookie),
      tvB: await socketFor(tvB.cookie),
    };
    const feeds = Object.fromEntries(Object.entries(sockets).map(([k, s]) => [k, collect(s)])) as Record<
      keyof typeof sockets,
      CallUpdate[][]
    >;

    const a1 = await call(LINE_A);
    const a2 = await call(LINE_A, { CallStatus: 'busy', CallDuration: '0' });
    const b1 = await call(LINE_B, { CallStatus: 'busy', CallDuration: '0' });
    const b2 = await call(LINE_B);
    // A forward from line A's call to an agent: a leg, whose To is a person.
    await call('+14155559876', { ParentCallSid: a1.sid, Direction: 'outbound-dial' });
    const lineA = [a1.sid, a2.sid];
    const lineB = [b1.sid, b2.sid];

    // The admin's feed has every call: the others have had their chance to receive theirs.
    await waitFor(() => posted.every((p) => sidsIn(feeds.admin).has(p.sid)), 'the admin’s feed');
    await waitFor(() => lineA.every((s) => sidsIn(feeds.scoped).has(s)), 'line A on the scoped feed');
    await waitFor(() => lineB.every((s) => sidsIn(feeds.tvB).has(s)), 'line B on TV B’s feed');
    await waitFor(() => [...lineA, ...lineB].every((s) => sidsIn(feeds.masked).has(s)), 'the masked feed');

    // Alerts: a line-scoped viewer has their lines' alerts only.
    const open = async (cookie: string) =>
      (
        (await (await send('GET', '/api/alerts?open=1', cookie)).json()) as { alerts: { line: string }[] }
      ).alerts
        .map((a) => a.line)
        .sort();
    await waitFor(async () => (await open(server.cookie)).length === 2, 'an alert on each line');
    expect(await open(scoped)).toEqual([LINE_A]);
    expect(await open(tvB.cookie)).toEqual([LINE_B]);
    expect(await open(masked)).toEqual([LINE_A, LINE_B]);

    // What can fail: the admin sees every number in full, on every route.
    const adminText = await everything(server.cookie);
    expect(found(adminText, [a1.from, b1.from, '+14155559876'])).toHaveLength(3);
    expect(JSON.stringify(feeds.admin)).toContain(a1.from);

    for (const [who, cookie] of [
      ['masked supervisor', masked],
      ['scoped supervisor', scoped],
      ['TV', tv.cookie],
      ['line-B TV', tvB.cookie],
    ] as const) {
      const text = await everything(cookie);
      expect(found(text, personal()), who).toEqual([]);
      // Masked, not missing: the numbers' masked form is there.
      expect(text, who).toContain('•••');
    }
    for (const [who, feed] of Object.entries(feeds)) {
      if (who === 'admin') continue;
      expect(found(JSON.stringify(feed), personal()), who).toEqual([]);
    }

    // Line scope: never another line's call, on any route or on the feed.
    const scopedText = await everything(scoped);
    expect(found(scopedText, lineB)).toEqual([]);
    expect(found(scopedText, lineA)).toEqual(lineA);
    expect(scopedText).not.toContain(LINE_B);
    expect([...sidsIn(feeds.scoped)].sort()).toEqual([...lineA].sort());
    const tvBText = await everything(tvB.cookie);
    expect(found(tvBText, lineA)).toEqual([]);
    expect([...sidsIn(feeds.tvB)].sort()).toEqual([...lineB].sort());
    // The leg is line A's: its parent came in on line A.
    expect((await send('GET', `/api/calls/${posted[4]!.sid}/events`, scoped)).status).toBe(200);
    expect((await send('GET', `/api/calls/${b1.sid}/events`, scoped)).status).toBe(404);
    // Asking for another line or for outbound calls is refused, naming the field.
    const other = await send('GET', `/api/dashboard?from=0&line=${encodeURIComponent(LINE_B)}`, scoped);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { field: string }).field).toBe('line');
    expect((await send('GET', '/api/dashboard?from=0&direction=outbound-dial', scoped)).status).toBe(403);
    expect((await send('GET', `/api/calls/export?line=${encodeURIComponent(LINE_B)}`, scoped)).status).toBe(
      403,
    );

    // Totals are the scoped viewer's lines only.
    const board = (await (await send('GET', '/api/dashboard?from=0', scoped)).json()) as {
      totals: { calls: number };
      lines: { line: string }[];
    };
    expect(board.totals.calls).toBe(2);
    expect(board.lines.map((l) => l.line)).toEqual([LINE_A]);

    // A masked viewer still finds a call by the digits they know; the answer stays masked.
    const search = await send('GET', `/api/dashboard?from=0&caller=${digits(b2.from).slice(-7)}`, masked);
    const result = (await search.json()) as { calls: { callSid: string; from: string }[] };
    expect(result.calls.map((c) => c.callSid)).toEqual([b2.sid]);
    expect(result.calls[0]!.from).toMatch(/^\+1 415 ••• \d{4}$/);
    // Not by fewer digits, which would confirm hidden digits one at a time; an admin can.
    const short = await send('GET', `/api/dashboard?from=0&caller=${digits(b2.from).slice(-4)}`, masked);
    expect(short.status).toBe(400);
    expect(((await short.json()) as { field: string }).field).toBe('caller');
    expect((await send('GET', `/api/calls/export?caller=555`, masked)).status).toBe(400);
    expect(
      (await send('GET', `/api/dashboard?from=0&caller=${digits(b2.from).slice(-4)}`, server.cookie)).status,
    ).toBe(200);
    // Nor a person's number as the line of legs.
    const leg = await send(
      'GET',
      `/api/dashboard?from=0&direction=outbound-dial&line=%2B14155559876`,
      masked,
    );
    expect(leg.status).toBe(400);
    // An empty list of lines is refused: null is every line.
    const empty = await send('PUT', `/api/admin/users/${await userId('maya')}/lines`, server.cookie, {
      lines: [],
    });
    expect(empty.status).toBe(400);

    for (const s of Object.values(sockets)) s.close();
  });

  it('follow a change of privacy settings or lines on open feeds, and audit every reveal', async () => {
    const cookie = await supervisor('ravi');
    const socket = await socketFor(cookie);
    const feed = collect(socket);
    // Ravi's second screen (the same cookies), and another supervisor's board, who sees every line.
    const second = await socketFor(cookie);
    const secondFeed = collect(second);
    const other = await socketFor(await supervisor('mina'));
    const otherFeed = collect(other);

    // Supervisors see numbers in full from now on: the open feed follows, without reconnecting.
    const privacy = (await (await send('GET', '/api/admin/privacy', server.cookie)).json()) as Record<
      string,
      unknown
    >;
    const saved = await send('PUT', '/api/admin/privacy', server.cookie, {
      ...privacy,
      supervisorNumbers: 'full',
    });
    expect(saved.status).toBe(200);
    const full = await waitFor(
      async () => {
        const c = await call(LINE_A);
        await waitFor(() => sidsIn(feed).has(c.sid), 'the call on the feed');
        const got = feed.flat().find((u) => u.call.callSid === c.sid)!;
        return got.call.from === c.from && c;
        // Sooner than the 10 s periodic check: the change itself moved the socket.
      },
      'full numbers on the open feed',
      5_000,
    );
    expect(JSON.stringify(await (await send('GET', '/api/dashboard?from=0', cookie)).json())).toContain(
      full.from,
    );

    // Limited to line B: line A's calls stop reaching the open feed.
    expect(
      (
        await send('PUT', `/api/admin/users/${await userId('ravi')}/lines`, server.cookie, {
          lines: [LINE_B],
        })
      ).status,
    ).toBe(200);
    const b = await waitFor(
      async () => {
        const c = await call(LINE_B);
        // Not yet moved: this one never comes, and the next try sends another.
        return waitFor(() => sidsIn(feed).has(c.sid), 'line B on the feed', 1_000).then(
          () => c,
          () => false as const,
        );
        // Sooner than the 10 s periodic check: the change itself moved the socket.
      },
      'line B',
      5_000,
    );
    const before = feed.length;
    const beforeSecond = secondFeed.length;
    const a = await call(LINE_A);
    const c = await call(LINE_B);
    await waitFor(() => sidsIn(feed).has(c.sid), 'the next line B call');
    await waitFor(() => sidsIn(secondFeed).has(c.sid), 'the next line B call on the second screen');
    await waitFor(() => sidsIn(otherFeed).has(c.sid), 'the next line B call on the other board');
    expect(sidsIn(feed.slice(before)).has(a.sid)).toBe(false);
    // Every screen of the user moved, not only the first one checked; the other board did not.
    expect(sidsIn(secondFeed.slice(beforeSecond)).has(a.sid)).toBe(false);
    expect(sidsIn(otherFeed).has(a.sid)).toBe(true);
    expect(b.line).toBe(LINE_B);

    // Masked with a reveal: the number comes only through the reveal, and the audit log has it.
    await send('PUT', '/api/admin/privacy', server.cookie, { ...privacy, supervisorNumbers: 'reveal' });
    const rows = await waitFor(async () => {
      const r = (await (await send('GET', '/api/calls?limit=10', cookie)).json()) as {
        calls: { callSid: string; from: string }[];
      };
      return r.calls.every((x) => x.from.includes('•••')) && r.calls;
    }, 'masked rows');
    expect(rows.map((r) => r.callSid)).toContain(c.sid);
    const revealed = await send('POST', `/api/calls/${c.sid}/reveal`, cookie, {});
    expect(revealed.status).toBe(200);
    expect(((await revealed.json()) as { from: string }).from).toBe(c.from);
    // Not another line's call.
    expect((await send('POST', `/api/calls/${a.sid}/reveal`, cookie, {})).status).toBe(404);
    const audit = (await (
      await send('GET', '/api/admin/audit?action=number.reveal', server.cookie)
    ).json()) as {
      entries: { username: string; target: string; detail: unknown }[];
    };
    expect(audit.entries.map((e) => [e.username, e.target])).toContainEqual(['ravi', c.sid]);
    expect(JSON.stringify(audit.entries)).not.toContain(c.from);

    // The admin's changes are in the audit log too: lines, and privacy settings old → new.
    const entries = async (action: string) =>
      (
        (await (await send('GET', `/api/admin/audit?action=${action}`, server.cookie)).json()) as {
          entries: { username: string; target: string | null; detail: Record<string, unknown> }[];
        }
      ).entries;
    expect((await entries('user.lines'))[0]).toMatchObject({
      username: 'admin',
      target: await userId('ravi'),
      detail: { lines: [LINE_B] },
    });
    expect((await entries('privacy.save'))[0]).toMatchObject({
      username: 'admin',
      detail: { supervisorNumbers: { from: 'full', to: 'reveal' } },
    });

    // Masked without a reveal: refused.
    await send('PUT', '/api/admin/privacy', server.cookie, { ...privacy, supervisorNumbers: 'masked' });
    await waitFor(
      async () => (await send('POST', `/api/calls/${c.sid}/reveal`, cookie, {})).status === 403,
      'the reveal refused',
    );
    for (const s of [socket, second, other]) s.close();
  });
});
