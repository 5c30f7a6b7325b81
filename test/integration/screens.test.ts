// What each screen is shown: a paired TV no more than its screen shows (the board's ranges, the
// rows it lists, callers' numbers masked, in snapshots, pages and the live feed); people the whole
// board; and no caller number that reads as another one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { asVisitors } from '../helpers/visitors';
import type { CallUpdate, Snapshot } from '@/lib/common/types';

let server: RunningServer;
const { send, socketFor, pairTv } = asVisitors(() => server);

/** 40 callers today, each with a number of its own, and one caller two days ago. */
const TODAY = Array.from({ length: 40 }, (_, i) => `+1415555${String(1000 + i)}`);
const OLD_CALLER = '+14155559999';

beforeAll(async () => {
  server = await startServer();
  const now = Date.now();
  for (const [i, from] of TODAY.entries()) {
    const res = await postForm(
      server.url,
      completedCall({ From: from, Timestamp: new Date(now - i * 10).toISOString() }),
    );
    expect(res.status).toBe(200);
  }
  const old = completedCall({ From: OLD_CALLER, Timestamp: new Date(now - 2 * 86_400_000).toISOString() });
  expect((await postForm(server.url, old)).status).toBe(200);
});
afterAll(async () => {
  await server?.stop();
});

const fullNumbers = [...TODAY, OLD_CALLER];
const leaked = (text: string) => fullNumbers.filter((n) => text.includes(n) || text.includes(n.slice(1)));

function nextCalls(socket: Socket): Promise<CallUpdate[]> {
  return new Promise((resolve) => socket.once('calls', resolve));
}

describe('a paired TV', () => {
  it('gets the board’s presets only, at most the rows it lists, and never a full number', async () => {
    const tv = await pairTv('Lobby');
    // The probe's way in: any window, narrowed whenever it returns a full page of rows.
    const wide = await send('GET', `/api/dashboard?from=0&to=${Date.now() + 86_400_000}`, tv.cookie);
    expect(wide.status).toBe(200);
    const text = await wide.text();
    const snapshot = JSON.parse(text) as Snapshot;
    // Answered for today (UTC, the default zone), not for the window it asked for.
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    expect(snapshot.filter.from).toBe(midnight.getTime());
    expect(snapshot.totals.calls).toBe(TODAY.length);
    expect(snapshot.calls).toHaveLength(25);
    expect(leaked(text)).toEqual([]);
    expect(snapshot.calls[0]!.from).toBe('+1 415 ••• 1000');

    for (const [query, field] of [
      ['range=custom&from=0', 'range'],
      ['range=today&caller=555', 'caller'],
      ['range=today&tz=Mars%2FOlympus', 'tz'],
      // Legs and outbound calls are to people's numbers, not the center's lines.
      ['range=today&direction=outbound-dial', 'direction'],
    ] as const) {
      const refused = await send('GET', `/api/dashboard?${query}`, tv.cookie);
      expect(refused.status, query).toBe(400);
      expect(((await refused.json()) as { field: string }).field).toBe(field);
    }
    const week = (await (await send('GET', '/api/dashboard?range=7d&tz=UTC', tv.cookie)).json()) as Snapshot;
    expect(week.totals.calls).toBe(TODAY.length + 1);
    expect(week.calls).toHaveLength(25);

    // Its page: a custom range in the link is not honoured, and no number is in full.
    const page = await send('GET', '/?range=custom&from=2000-01-01T00:00&to=2100-01-01T00:00', tv.cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(leaked(html)).toEqual([]);
    expect(html).toContain('+1 415 ••• 1000');
    expect(html).toContain('data-testid="range-label"');
    expect(html).toMatch(/today \d{4}-\d{2}-\d{2}/);
  });

  it('is answered at most 20 snapshots a minute, page loads included; other TVs are not held back', async () => {
    const [hall, desk] = [await pairTv('Hall'), await pairTv('Desk')];
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      statuses.push((await send('GET', i % 4 ? '/api/dashboard?range=1h' : '/', hall.cookie)).status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429]);
    const refused = await send('GET', '/api/dashboard', hall.cookie);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: string }).error).toMatch(/too many/);
    expect((await send('GET', '/api/dashboard', desk.cookie)).status).toBe(200);
    // People are not counted with TVs.
    expect((await server.get('/api/dashboard')).status).toBe(200);
  });

  it('receives live calls with the caller masked, while people receive them whole', async () => {
    const tv = await pairTv('Floor');
    const [tvSocket, personSocket] = await Promise.all([socketFor(tv.cookie), socketFor(server.cookie)]);
    try {
      const [onTv, onPerson] = [nextCalls(tvSocket), nextCalls(personSocket)];
      expect((await postForm(server.url, completedCall({ From: '+447700900123' }))).status).toBe(200);
      const [tvUpdates, personUpdates] = await Promise.all([onTv, onPerson]);
      expect(tvUpdates[0]!.call.from).toBe('+44 770 ••• 0123');
      expect(JSON.stringify(tvUpdates)).not.toContain('7700900123');
      expect(personUpdates[0]!.call.from).toBe('+447700900123');
    } finally {
      tvSocket.close();
      personSocket.close();
    }
  });
});

describe('people', () => {
  it('keep any range, every row up to the board’s limit and full numbers', async () => {
    const res = await server.get(`/api/dashboard?from=0&to=${Date.now() + 86_400_000}`);
    const snapshot = (await res.json()) as Snapshot;
    expect(snapshot.filter.from).toBe(0);
    expect(snapshot.calls.length).toBeGreaterThanOrEqual(TODAY.length + 1);
    expect(snapshot.calls.map((c) => c.from)).toEqual(expect.arrayContaining(fullNumbers));
  });
});

describe('a caller number with direction controls', () => {
  it('is stored and shown without them, isolated, while the raw callback keeps what was sent', async () => {
    // Shown as sent, this reads "+1-999-555-1234" on screen.
    const spoof = '\u202E4321-555-999-1+';
    const call = completedCall({ From: spoof, Timestamp: new Date().toISOString() });
    expect((await postForm(server.url, call)).status).toBe(200);
    const snapshot = (await (await server.get('/api/dashboard?caller=4321')).json()) as Snapshot;
    const stored = snapshot.calls.find((c) => c.callSid === call.CallSid)!;
    expect(stored.from).toBe('4321-555-999-1+');
    const history = (await (await server.get(`/api/calls/${call.CallSid}/events`)).json()) as {
      events: { raw: Record<string, string> }[];
    };
    expect(history.events[0]!.raw.From).toBe(spoof);
    const html = await (await server.get('/?caller=4321')).text();
    expect(html).not.toContain('\u202E');
    expect(html).toContain('<bdi>4321-555-999-1+</bdi>');
  });
});
