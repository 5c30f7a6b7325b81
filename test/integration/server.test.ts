// The real production server: HTTP, socket.io and a SQLite file, as a provider and a browser see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import Papa from 'papaparse';
import { randomUUID } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm, TEST_KEY, webhookUrl } from '../helpers/callbacks';
import { bodySignature, formSignature } from '@/lib/callbacks/signature';
import type { CallHistory, CallRow, CallUpdate, Snapshot } from '@/lib/common/types';
import { waitFor } from '../helpers/wait';

let server: RunningServer;
let socket: Socket;
const received: CallUpdate[] = [];

async function json<T>(path: string): Promise<T> {
  const res = await server.get(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const snapshot = () => json<Snapshot>('/api/dashboard');

beforeAll(async () => {
  server = await startServer();
  socket = connect(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: server.cookie },
  });
  socket.on('calls', (u: CallUpdate[]) => received.push(...u));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
});

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

describe('the running server', () => {
  it('answers its health check', async () => {
    expect(await json('/api/health')).toEqual({ status: 'ok' });
  });

  it('stores a form callback, returns it from the API and pushes it to socket.io clients', async () => {
    const form = completedCall({ Direction: 'inbound' });
    const res = await postForm(server.url, form);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, outcome: 'stored' });

    const pushed = await waitFor(() => received.find((u) => u.call.callSid === form.CallSid), 'the push');
    expect(pushed.call).toMatchObject({ status: 'completed', duration: 142, mos: 4.5, to: form.To });

    const { calls } = await json<{ calls: CallRow[] }>('/api/calls?limit=10');
    expect(calls.find((c) => c.callSid === form.CallSid)).toEqual(pushed.call);

    const since = await json<{ calls: CallRow[] }>(`/api/calls?after=${pushed.id - 1}`);
    expect(since.calls.map((c) => c.callSid)).toEqual([form.CallSid]);
  });

  it('accepts JSON bodies signed the SignalWire way too', async () => {
    const sid = randomUUID();
    const body = JSON.stringify({ CallSid: sid, CallStatus: 'failed', CallDuration: '0' });
    const res = await fetch(webhookUrl(server.url), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-SignalWire-Signature': bodySignature(TEST_KEY, webhookUrl(server.url), body),
      },
      body,
    });
    expect(res.status).toBe(200);
    await waitFor(() => received.find((u) => u.call.callSid === sid), 'the JSON callback');
  });

  it('counts a retried callback and a late earlier status once', async () => {
    const before = (await snapshot()).totals;
    const form = completedCall({ CallDuration: '600', AudioInMos: '3.2' });
    const replies = await Promise.all([1, 2, 3].map(() => postForm(server.url, form)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    const late = await postForm(server.url, { ...form, CallStatus: 'in-progress' });
    expect(late.status).toBe(200);

    const after = (await snapshot()).totals;
    expect(after.calls - before.calls).toBe(1);
    expect(after.completed - before.completed).toBe(1);
    expect(after.durationSum - before.durationSum).toBe(600);
    expect(after.mosSumCenti - before.mosSumCenti).toBe(320);
    const { calls } = await json<{ calls: CallRow[] }>('/api/calls?limit=50');
    expect(calls.filter((c) => c.callSid === form.CallSid).map((c) => c.status)).toEqual(['completed']);

    // The call's history: each distinct callback once, in arrival order, retries and lateness marked.
    const history = await json<CallHistory>(`/api/calls/${form.CallSid}/events`);
    expect(history.call?.status).toBe('completed');
    expect(
      history.events.map((e) => ({ status: e.status, deliveries: e.deliveries, applied: e.applied })),
    ).toEqual([
      { status: 'completed', deliveries: 3, applied: true },
      { status: 'in-progress', deliveries: 1, applied: false },
    ]);
    expect(history.events[0]!.raw).toMatchObject({
      CallSid: form.CallSid,
      CallDuration: '600',
      AudioInMos: '3.2',
    });
    expect((await server.get('/api/calls/no-such-call/events')).status).toBe(404);
  });

  it.each([
    [{ CallDuration: 'soon' }, 'CallDuration', 'duration'],
    [{ AudioInMos: '5.5' }, 'AudioInMos', 'mos'],
    [{ Timestamp: 'not a date' }, 'Timestamp', null],
  ])('stores %j without the value, naming %s in a 200', async (over, field, column) => {
    const form = completedCall(over as Record<string, string>);
    const before = (await snapshot()).totals.calls;
    const res = await postForm(server.url, form);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outcome: string; dropped: { field: string; error: string }[] };
    expect(body.outcome).toBe('stored');
    expect(body.dropped.map((d) => d.field)).toEqual([field]);
    expect((await snapshot()).totals.calls).toBe(before + 1);
    const history = (await (await server.get(`/api/calls/${form.CallSid}/events`)).json()) as {
      call: Record<string, unknown>;
      events: { raw: Record<string, string> }[];
    };
    if (column) expect(history.call[column]).toBeNull();
    expect(history.events[0]!.raw[field]).toBe(form[field]);
  });

  it.each([
    [{ CallSid: undefined }, 400, 'CallSid'],
    [{ CallStatus: undefined }, 400, 'CallStatus'],
    [{ CallStatus: 'exploded' }, 400, 'CallStatus'],
  ])('refuses %j with a %i naming %s and stores nothing', async (over, status, field) => {
    const form = Object.fromEntries(
      Object.entries(completedCall(over as Record<string, string>)).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    const before = (await snapshot()).totals.calls;
    const res = await postForm(server.url, form);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; field: string };
    expect(body.field).toBe(field);
    expect(body.error).toContain(field);
    expect((await snapshot()).totals.calls).toBe(before);
  });

  it('refuses an oversized body and a wrong content type', async () => {
    const big = await postForm(server.url, completedCall({ Padding: 'x'.repeat(100_000) }));
    expect(big.status).toBe(413);
    const body = 'CallSid=a&CallStatus=completed';
    const text = await fetch(webhookUrl(server.url), {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain',
        'X-SignalWire-Signature': formSignature(TEST_KEY, webhookUrl(server.url), [
          ...new URLSearchParams(body),
        ]),
      },
      body,
    });
    expect(text.status).toBe(415);
  });

  it('rejects bad query strings with a 400 naming the parameter', async () => {
    const res = await server.get('/api/calls?limit=lots');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'limit' });
  });

  it('exports every stored call as CSV in the columns users know', async () => {
    const res = await server.get('/api/calls/export');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    // No range given: every call, with times in UTC, and the moment of export in the name.
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="calls_UTC_exported-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.csv"$/,
    );
    const parsed = Papa.parse<string[]>((await res.text()).trim());
    // The script's seven first and in order (spreadsheets read them by position), then the rest.
    expect(parsed.data[0]).toEqual([
      'Call SID',
      'Call Status',
      'Event Timestamp',
      'To Number',
      'From Number',
      'Call Duration(s)',
      'Audio in MOS',
      'Direction',
      'Parent Call SID',
      'SIP Result Code',
      'Packets Received',
      'Packets Lost',
      'Packet Loss (%)',
      'Max Jitter (ms)',
      'Jitter Buffer Flushes',
    ]);
    expect(parsed.data.length - 1).toBe((await snapshot()).totals.calls);
  });

  it('neutralises cells a spreadsheet would run as formulas, but keeps E.164 numbers exactly', async () => {
    const hostile = [
      ['=HYPERLINK("http://evil.example","click")', `'=HYPERLINK("http://evil.example","click")`],
      ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
      ['-2+3', "'-2+3"],
      ['+1 555 0100', "'+1 555 0100"],
      ['+15551234567', '+15551234567'],
    ];
    const sids: string[] = [];
    for (const [from] of hostile) {
      const form = completedCall({ From: from!, To: '+442071234567' });
      sids.push(form.CallSid!);
      expect((await postForm(server.url, form)).status).toBe(200);
    }
    const rows = Papa.parse<string[]>((await (await server.get('/api/calls/export')).text()).trim()).data;
    hostile.forEach(([, exported], i) => {
      const row = rows.find((r) => r[0] === sids[i])!;
      expect(row[4]).toBe(exported);
      expect(row[3]).toBe('+442071234567');
    });
  });

  it('keeps every acknowledged call across a restart', async () => {
    const before = await snapshot();
    socket.close();
    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startServer({ databaseUrl: server.databaseUrl });
    const after = await snapshot();
    expect(after.totals).toEqual(before.totals);
    expect(after.calls).toEqual(before.calls);
    expect(after.asOfEventId).toBe(before.asOfEventId);
  });
});
