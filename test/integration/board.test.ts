// The supervisor's board against the real server and store: ranges and filters counted exactly,
// exports that hold the same calls, MOS bands moved at runtime, and the ingest health panel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import Papa from 'papaparse';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm, type Form } from '../helpers/callbacks';
import { DEFAULT_SETTINGS, type BoardSettings } from '@/lib/common/settings';
import { filterParams, type BoardFilter } from '@/lib/common/filter';
import type { IngestHealth, PointTally, Snapshot, Tally } from '@/lib/common/types';
import { waitFor } from '../helpers/wait';
import { withStore } from '../helpers/db';

const HOUR = 3_600_000;
const LINES = ['+18005550100', '+18005550111', '+18005550122'];
const STATUSES = [
  'completed',
  'completed',
  'completed',
  'no-answer',
  'busy',
  'failed',
  'in-progress',
  'canceled',
];
const stamp = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

let server: RunningServer;
let socket: Socket;
let settingsEvents = 0;
let release: string | null = null;

/** Every callback sent, in the order sent: what the expected figures are worked out from. */
const sent: Form[] = [];
// Calls between 09:00 and 13:00 UTC on one day: ranges then cut through hours at :30.
const day = Date.parse('2026-06-10T09:00:00Z');

async function send(form: Form) {
  expect((await postForm(server.url, form)).status).toBe(200);
  sent.push(form);
}

// The reference: what the board should count, worked out from the callbacks by the rules below,
// written apart from the product's own tallies and filters so that a slip in those shows here.

/** A call ends in one of these. */
const ENDED = ['completed', 'busy', 'no-answer', 'canceled', 'failed'];
/** A call only moves forward: ringing, then in progress, then ended; among callbacks of one
 * stage the first counts. So a callback of an earlier stage arriving late changes nothing. */
const stage = (status: string) => (ENDED.includes(status) ? 3 : status === 'in-progress' ? 2 : 1);
/** The default MOS bands' lower bounds, poor to excellent (ITU-T G.107); below the first is bad. */
const G107 = [3.1, 3.6, 4.03, 4.34];
/** The call-length chart's bins, lower bounds in seconds; ended calls only. */
const LENGTH_BINS = [0, 30, 60, 120, 300, 600];

interface SentCall {
  sid: string;
  /** Its first callback's Timestamp, epoch ms. */
  start: number;
  line: string;
  caller: string;
  status: string;
  duration: number | null;
  /** AudioInMos as sent. */
  mos: string | null;
  /** inbound, outbound-dial (a leg: a parent or that Direction) or outbound-api. */
  direction: string;
  sip: number | null;
  packets: number | null;
  lost: number | null;
  /** AudioInJitterMaxVariance as sent. */
  jitter: string | null;
  flushes: number | null;
}

function sentCalls(): SentCall[] {
  const calls = new Map<string, SentCall>();
  for (const f of sent) {
    const known = calls.get(f.CallSid!);
    const at = Date.parse(f.Timestamp!);
    const call: SentCall = known ?? {
      sid: f.CallSid!,
      start: at,
      line: f.To!,
      caller: f.From!,
      status: f.CallStatus!,
      duration: null,
      mos: null,
      direction: 'inbound',
      sip: null,
      packets: null,
      lost: null,
      jitter: null,
      flushes: null,
    };
    call.start = Math.min(call.start, at);
    if (f.ParentCallSid || f.Direction === 'outbound-dial') call.direction = 'outbound-dial';
    else if (f.Direction === 'outbound-api' && call.direction === 'inbound') call.direction = 'outbound-api';
    if (f.SipResultCode !== undefined) call.sip = Number(f.SipResultCode);
    const packets = f.AudioInMediaPacketCount ?? f.AudioInPacketCount;
    if (packets !== undefined) call.packets = Number(packets);
    if (f.AudioInSkipPacketCount !== undefined) call.lost = Number(f.AudioInSkipPacketCount);
    if (f.AudioInJitterMaxVariance !== undefined) call.jitter = f.AudioInJitterMaxVariance;
    if (f.AudioInFlushPacketCount !== undefined) call.flushes = Number(f.AudioInFlushPacketCount);
    if (stage(f.CallStatus!) > stage(call.status)) call.status = f.CallStatus!;
    if (f.CallDuration !== undefined) call.duration = Number(f.CallDuration);
    if (f.AudioInMos !== undefined) call.mos = f.AudioInMos;
    calls.set(call.sid, call);
  }
  return [...calls.values()];
}

/** Whether the board counts the call: start in [from, to), and each filter that is set. */
const counted = (c: SentCall, f: BoardFilter, anyLine = false) =>
  c.start >= f.from &&
  (f.to === null || c.start < f.to) &&
  (anyLine || f.line === null || c.line === f.line) &&
  (f.status === null || c.status === f.status) &&
  (f.caller === null || c.caller.includes(f.caller)) &&
  c.direction === f.direction;

/** Packet loss bins' upper bounds in %, and jitter bins' in ms; above the last is the last bin. */
const LOSS_UP = [0.5, 1, 2, 3, 5, 10];
const JITTER_UP = [10, 20, 30, 50, 100];

/** MOS in hundredths, a half rounded up: 1.125 is 113. */
const hundredths = (mos: string) => Math.floor((Math.round(Number(mos) * 1000) + 5) / 10);

const none = (): Tally => ({
  calls: 0,
  finished: 0,
  completed: 0,
  durationSum: 0,
  durationCount: 0,
  mosSumCenti: 0,
  mosCount: 0,
  mosBands: [0, 0, 0, 0, 0],
  durationBins: [0, 0, 0, 0, 0, 0],
  badAudioSeconds: 0,
  lossCount: 0,
  packetsSum: 0,
  lostSum: 0,
  lossBins: [0, 0, 0, 0, 0, 0, 0],
  jitterCount: 0,
  jitterSumCenti: 0,
  jitterBins: [0, 0, 0, 0, 0, 0],
  flushSum: 0,
  failures: {},
});

function expected(f: BoardFilter, bands: number[] = G107): Tally {
  const t = none();
  for (const c of sentCalls().filter((c) => counted(c, f))) {
    const ended = ENDED.includes(c.status);
    t.calls += 1;
    if (ended) t.finished += 1;
    if (c.status === 'completed') t.completed += 1;
    if (c.duration !== null) {
      t.durationSum += c.duration;
      t.durationCount += 1;
      if (ended) t.durationBins[LENGTH_BINS.filter((min) => c.duration! >= min).length - 1]! += 1;
    }
    if (c.mos !== null) {
      const band = bands.filter((min) => Number(c.mos) >= min).length;
      t.mosSumCenti += hundredths(c.mos);
      t.mosCount += 1;
      t.mosBands[band]! += 1;
      if (band === 0 && c.duration !== null) t.badAudioSeconds += c.duration;
    }
    if (c.packets !== null && c.lost !== null && c.packets > 0) {
      t.lossCount += 1;
      t.packetsSum += c.packets;
      t.lostSum += c.lost;
      t.lossBins[LOSS_UP.filter((up) => (c.lost! / c.packets!) * 100 > up).length]! += 1;
    }
    if (c.jitter !== null) {
      t.jitterCount += 1;
      t.jitterSumCenti += hundredths(c.jitter);
      t.jitterBins[JITTER_UP.filter((up) => Number(c.jitter) > up).length]! += 1;
    }
    t.flushSum += c.flushes ?? 0;
    if (ended && c.status !== 'completed') {
      const key = `${c.status} ${c.sip ?? 0}`;
      t.failures[key] = (t.failures[key] ?? 0) + 1;
    }
  }
  return t;
}

function sum(ts: Tally[]): Tally {
  const add = (a: number[], b: number[]) => a.map((v, i) => v + b[i]!);
  return ts.reduce<Tally>(
    (a, t) => ({
      calls: a.calls + t.calls,
      finished: a.finished + t.finished,
      completed: a.completed + t.completed,
      durationSum: a.durationSum + t.durationSum,
      durationCount: a.durationCount + t.durationCount,
      mosSumCenti: a.mosSumCenti + t.mosSumCenti,
      mosCount: a.mosCount + t.mosCount,
      mosBands: add(a.mosBands, t.mosBands),
      durationBins: add(a.durationBins, t.durationBins),
      badAudioSeconds: a.badAudioSeconds + t.badAudioSeconds,
      lossCount: a.lossCount + t.lossCount,
      packetsSum: a.packetsSum + t.packetsSum,
      lostSum: a.lostSum + t.lostSum,
      lossBins: add(a.lossBins, t.lossBins),
      jitterCount: a.jitterCount + t.jitterCount,
      jitterSumCenti: a.jitterSumCenti + t.jitterSumCenti,
      jitterBins: add(a.jitterBins, t.jitterBins),
      flushSum: a.flushSum + t.flushSum,
      failures: Object.fromEntries(
        [...new Set([...Object.keys(a.failures), ...Object.keys(t.failures)])].map((k) => [
          k,
          (a.failures[k] ?? 0) + (t.failures[k] ?? 0),
        ]),
      ),
    }),
    none(),
  );
}

async function snapshot(f: BoardFilter): Promise<Snapshot> {
  const res = await server.get(`/api/dashboard?${filterParams(f)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Snapshot;
}

beforeAll(async () => {
  server = await startServer({ env: { RELEASE: 'release-under-test' } });
  socket = connect(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: server.cookie },
  });
  socket.on('settings', () => settingsEvents++);
  socket.on('hello', (info: { release: string }) => (release = info.release));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  // 60 calls, one every 4 minutes, on three lines, with every kind of outcome and MOS.
  for (let i = 0; i < 60; i++) {
    const status = STATUSES[i % STATUSES.length]!;
    const at = day + i * 4 * 60_000 + 17_000;
    const form: Form = completedCall({
      CallSid: randomUUID(),
      From: `+1415555${String(1000 + i)}`,
      To: LINES[i % LINES.length]!,
      Timestamp: stamp(at),
      CallStatus: status,
      CallDuration: status === 'completed' ? String(30 + i * 11) : '0',
    });
    if (status === 'completed' && i % 5 !== 0) form.AudioInMos = (2.5 + (i % 9) * 0.25).toFixed(2);
    else delete form.AudioInMos;
    // 112.5 hundredths exactly: JavaScript rounds the half up, PostgreSQL's ROUND to even.
    if (i === 1) form.AudioInMos = '1.125';
    if (form.AudioInMos !== undefined) {
      // Audio counters, with losses on the bins' bounds (0.5%, 1%, 3%) and either side of them.
      const packets = 1000 * (1 + (i % 3));
      const lost = ([0, 5, 10, 30, 31, 100][i % 6]! * packets) / 1000;
      form[i === 2 ? 'AudioInPacketCount' : 'AudioInMediaPacketCount'] = String(packets);
      form.AudioInSkipPacketCount = String(lost);
      form.AudioInJitterMaxVariance = ['4.25', '10.00', '10.01', '30.50', '75.13', '150.00'][i % 6]!;
      form.AudioInFlushPacketCount = String(i % 3);
    }
    // SIP responses on unsuccessful calls; a third of them report none.
    const sip: Record<string, string> = {
      busy: '486',
      'no-answer': i % 2 ? '480' : '408',
      failed: '503',
      canceled: '487',
    };
    if (sip[status] && i % 3 !== 0) form.SipResultCode = sip[status];
    if (status === 'completed') form.SipResultCode = '200';
    // A call the center placed: counted apart from inbound calls.
    if (i === 30) form.Direction = 'outbound-api';
    // Some calls ring a minute first: they start then (call 15 at 09:59:17, before 10:00).
    if (i % 4 === 3) {
      const ringing: Form = { ...form, CallStatus: 'ringing', Timestamp: stamp(at - 60_000) };
      delete ringing.CallDuration;
      delete ringing.AudioInMos;
      await send(ringing);
    }
    await send(form);
    // Forwarded calls: a second leg to an agent, which is not a second call to the center. One
    // says so only by its Direction.
    if (status === 'completed' && i % 3 === 0) {
      const leg: Form = completedCall({
        CallSid: randomUUID(),
        From: form.To!,
        To: `+1555010${i % 10}`,
        Timestamp: stamp(at + 2_000),
        CallStatus: i === 33 ? 'no-answer' : 'completed',
        CallDuration: i === 33 ? '0' : String(20 + i * 11),
        Direction: 'outbound-dial',
        SipResultCode: i === 33 ? '480' : '200',
      });
      delete leg.AudioInMos;
      if (i !== 9) leg.ParentCallSid = form.CallSid!;
      await send(leg);
    }
    // And some hear of an earlier stage after the last, which changes nothing.
    if (i % 10 === 4) {
      const late: Form = { ...form, CallStatus: 'ringing', Timestamp: stamp(at - 30_000) };
      delete late.CallDuration;
      delete late.AudioInMos;
      await send(late);
    }
  }
});

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

const filters: [string, BoardFilter][] = [
  ['every call', { from: 0, to: null, line: null, status: null, caller: null, direction: 'inbound' }],
  // Starts and ends at :30, as "today" does in a half-hour zone: minute rows at both edges.
  [
    '09:30 to 12:30',
    {
      from: day + HOUR / 2,
      to: day + 3.5 * HOUR,
      line: null,
      status: null,
      caller: null,
      direction: 'inbound',
    },
  ],
  [
    'within one hour',
    {
      from: day + HOUR + 7 * 60_000,
      to: day + HOUR + 41 * 60_000,
      line: null,
      status: null,
      caller: null,
      direction: 'inbound',
    },
  ],
  [
    'from 10:00, open-ended',
    { from: day + HOUR, to: null, line: null, status: null, caller: null, direction: 'inbound' },
  ],
  // Over 30 hours: hour-long chart points, so hour rows inside and minute rows at edges that cut calls.
  [
    '31 h from 09:30',
    {
      from: day + HOUR / 2,
      to: day + 31.5 * HOUR,
      line: null,
      status: null,
      caller: null,
      direction: 'inbound',
    },
  ],
  [
    '31 h to 11:30',
    {
      from: day + 2.5 * HOUR - 31 * HOUR,
      to: day + 2.5 * HOUR,
      line: null,
      status: null,
      caller: null,
      direction: 'inbound',
    },
  ],
  // Whole UTC days inside, hours and minutes at the ends: day rows with an end.
  [
    '4.5 days from 00:30',
    {
      from: Date.parse('2026-06-08T00:30:00Z'),
      to: Date.parse('2026-06-12T12:30:00Z'),
      line: null,
      status: null,
      caller: null,
      direction: 'inbound',
    },
  ],
  // 75 days from a UTC midnight: daily chart points, summed from day rows.
  [
    '75 days, daily points',
    {
      from: Date.parse('2026-05-01T00:00:00Z'),
      to: Date.parse('2026-07-15T00:00:00Z'),
      line: null,
      status: null,
      caller: null,
      direction: 'inbound',
    },
  ],
  [
    'one line',
    {
      from: day + HOUR / 2,
      to: day + 3.5 * HOUR,
      line: LINES[1]!,
      status: null,
      caller: null,
      direction: 'inbound',
    },
  ],
  [
    'one status',
    { from: day, to: day + 4 * HOUR, line: null, status: 'completed', caller: null, direction: 'inbound' },
  ],
  // Status filters are summed from the rollups too: all time, a failed status with its SIP codes,
  // ranges that start and end mid-hour (minute rows at both ends), one line, and the legs.
  [
    'one status, all time',
    { from: 0, to: null, line: null, status: 'completed', caller: null, direction: 'inbound' },
  ],
  ['busy calls', { from: 0, to: null, line: null, status: 'busy', caller: null, direction: 'inbound' }],
  [
    'one status, mid-hour edges',
    {
      from: day + HOUR / 4,
      to: day + 2.75 * HOUR,
      line: null,
      status: 'completed',
      caller: null,
      direction: 'inbound',
    },
  ],
  [
    'one status on one line',
    { from: 0, to: null, line: LINES[1]!, status: 'completed', caller: null, direction: 'inbound' },
  ],
  [
    'one status of the legs',
    { from: 0, to: null, line: null, status: 'completed', caller: null, direction: 'outbound-dial' },
  ],
  ['caller search', { from: 0, to: null, line: null, status: null, caller: '555102', direction: 'inbound' }],
  [
    'outbound legs',
    { from: 0, to: null, line: null, status: null, caller: null, direction: 'outbound-dial' },
  ],
  [
    'outbound calls',
    { from: 0, to: null, line: null, status: null, caller: null, direction: 'outbound-api' },
  ],
  [
    'line, status and caller',
    { from: day, to: null, line: LINES[0]!, status: 'completed', caller: '4155551', direction: 'inbound' },
  ],
];

describe('the board for a range and filters', () => {
  it('keeps each call in the rollup rows of its current status only: a call that moved leaves no empty row', async () => {
    const rows = await withStore(server.databaseUrl, (db) =>
      db.read.rollup.groupBy({ by: ['status'], _sum: { calls: true }, _min: { calls: true } }),
    );
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, [r._sum.calls, r._min.calls]]));
    // Every call that rang first has ended: no row of ringing calls is left, not even an empty one.
    expect(byStatus.ringing).toBeUndefined();
    for (const [, min] of Object.values(byStatus)) expect(min).toBeGreaterThan(0);
    // Each status's calls are counted once at each of the four resolutions.
    const calls = sentCalls();
    for (const status of ENDED) {
      const n = calls.filter((c) => c.status === status).length;
      if (n > 0) expect(byStatus[status]?.[0]).toBe(4 * n);
    }
  });

  it.each(filters)(
    '%s: totals, chart points, lines and rows count exactly the matching calls',
    async (_, f) => {
      const s = await snapshot(f);
      const want = expected(f);
      expect(want.calls).toBeGreaterThan(0);
      expect(s.totals).toEqual(want);
      expect(s.filter).toEqual(f);
      // The chart's points add up to the totals (what a point holds of them), each starting on a
      // bucket from the range's start.
      const points = { calls: 0, durationSum: 0, durationCount: 0, mosSumCenti: 0, mosCount: 0 };
      for (const p of s.series)
        for (const k of Object.keys(points) as (keyof PointTally)[]) points[k] += p.tally[k];
      expect(points).toEqual({
        calls: want.calls,
        durationSum: want.durationSum,
        durationCount: want.durationCount,
        mosSumCenti: want.mosSumCenti,
        mosCount: want.mosCount,
      });
      for (const p of s.series) expect((p.t - f.from) % s.bucketMs).toBe(0);
      // The line table counts every line under the same filter, but for the line.
      expect(sum(s.lines.map((l) => l.tally))).toEqual(expected({ ...f, line: null }));
      for (const l of s.lines) expect(l.lastCallAt).toBeGreaterThanOrEqual(day);
      // Each line with a call that counts, as counted with that line's filter, with its latest call.
      const calls = sentCalls();
      const lines = [...new Set(calls.filter((c) => counted(c, f, true)).map((c) => c.line))];
      expect(Object.fromEntries(s.lines.map((l) => [l.line, [l.tally, l.lastCallAt]]))).toEqual(
        Object.fromEntries(
          lines.map((line) => [
            line,
            [
              expected({ ...f, line }),
              // Its latest call of the direction shown (a number may be called both ways).
              Math.max(
                ...calls.filter((c) => c.line === line && c.direction === f.direction).map((c) => c.start),
              ),
            ],
          ]),
        ),
      );
      // The table holds the matching calls, newest first.
      const rows = calls.filter((c) => counted(c, f)).sort((a, b) => b.start - a.start);
      expect(s.calls.map((c) => c.callSid)).toEqual(rows.map((c) => c.sid));
    },
  );

  it.each(filters)('%s: the CSV export holds exactly the calls the board counts', async (_, f) => {
    const res = await server.get(
      `/api/calls/export?${filterParams(f)}&range=${encodeURIComponent('today 2026-06-10')}&zone=Asia/Kolkata`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(
      /filename="calls_today-2026-06-10_Asia-Kolkata_exported-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.csv"/,
    );
    const rows = Papa.parse<string[]>((await res.text()).trim()).data.slice(1);
    expect(rows.length).toBe((await snapshot(f)).totals.calls);
    expect(new Set(rows.map((r) => r[0]))).toEqual(
      new Set(
        sentCalls()
          .filter((c) => counted(c, f))
          .map((c) => c.sid),
      ),
    );
  });

  it('refuses a filter it cannot read with a 400 naming the parameter', async () => {
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['from=100&to=50', 'to'],
      ['status=exploded', 'status'],
    ] as const) {
      const res = await server.get(`/api/dashboard?${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field });
      expect((await server.get(`/api/calls/export?${query}`)).status).toBe(400);
    }
  });
});

describe('board settings', () => {
  const put = (body: unknown) =>
    server.get('/api/admin/settings', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Origin: server.url },
      body: JSON.stringify(body),
    });

  it('refuse bands that do not rise, naming the field, and change nothing', async () => {
    const res = await put({ ...DEFAULT_SETTINGS, mosLimits: [4, 3.5, 4.2, 4.4] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'mosLimits' });
    expect((await snapshot(filters[0]![1])).settings).toEqual(DEFAULT_SETTINGS);
  });

  it('recount every stored call when the MOS bands move, and tell every open board', async () => {
    const strict: BoardSettings = {
      ...DEFAULT_SETTINGS,
      mosLimits: [3.5, 3.9, 4.2, 4.4],
      thresholds: { ...DEFAULT_SETTINGS.thresholds, badAudioMinutes: 10 },
      timeZone: 'Asia/Kolkata',
    };
    const before = settingsEvents;
    const res = await put(strict);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ recounted: true });
    await waitFor(async () => (settingsEvents > before ? true : undefined), 'the settings event');
    for (const [, f] of filters) {
      const s = await snapshot(f);
      expect(s.settings).toEqual(strict);
      expect(s.totals).toEqual(expected(f, strict.mosLimits));
    }
    expect(expected(filters[0]![1], strict.mosLimits).badAudioSeconds).toBeGreaterThan(
      expected(filters[0]![1]).badAudioSeconds,
    );
    // New calls are counted with the new bands too.
    const form = completedCall({
      To: LINES[0]!,
      Timestamp: stamp(day + 5 * HOUR),
      AudioInMos: '3.45',
      CallDuration: '90',
    });
    await send(form);
    expect((await snapshot(filters[0]![1])).totals).toEqual(expected(filters[0]![1], strict.mosLimits));
  });
});

describe('ingest health', () => {
  it('counts callbacks, retries absorbed, bad signatures and rejected inputs, and knows each line’s usual traffic', async () => {
    const now = Date.now();
    const hour = Math.floor(now / HOUR) * HOUR;
    const quiet = '+18005550199';
    // The same hour on each of the last 7 days: 3 calls each, so 3 an hour is this line's usual.
    // (And the next hour, should the clock turn the hour during the test.)
    for (let d = 1; d <= 7; d++) {
      for (const h of [hour, hour + HOUR]) {
        for (let k = 0; k < 3; k++) {
          const form = completedCall({ To: quiet, Timestamp: stamp(h - d * 24 * HOUR + k * 60_000) });
          expect((await postForm(server.url, form)).status).toBe(200);
        }
      }
    }
    const once = completedCall({ To: quiet, Timestamp: stamp(now) });
    expect((await postForm(server.url, once)).status).toBe(200);
    expect((await postForm(server.url, once)).status).toBe(200);
    expect((await postForm(server.url, completedCall(), 'not-the-key')).status).toBe(403);
    expect((await postForm(server.url, completedCall({ CallSid: '' }))).status).toBe(400);

    const health = await waitFor(async () => {
      const h = (await (await server.get('/api/ingest')).json()) as IngestHealth;
      const total = (k: 'duplicates' | 'signatureFailures' | 'rejected') =>
        h.minutes.reduce((a, m) => a + m[k], 0);
      return total('duplicates') >= 1 && total('signatureFailures') >= 1 && total('rejected') >= 1
        ? h
        : undefined;
    }, 'the counters to be saved');
    const total = (k: keyof IngestHealth['minutes'][number]) => health.minutes.reduce((a, m) => a + m[k], 0);
    expect(total('duplicates')).toBe(1);
    expect(total('signatureFailures')).toBe(1);
    expect(total('rejected')).toBe(1);
    expect(total('deferred')).toBe(0);
    expect(total('accepted')).toBeGreaterThanOrEqual(43);
    const line = health.lines.find((l) => l.line === quiet)!;
    expect(line.usualPerHour).toBe(3);
    expect(Math.abs(line.lastCallbackAt! - Date.now())).toBeLessThan(60_000);
    expect(health.silenceMinutes).toBe(DEFAULT_SETTINGS.silenceMinutes);
  });

  it('tells each board which build it runs, so boards reload after a deploy', () => {
    expect(release).toBe('release-under-test');
  });
});
