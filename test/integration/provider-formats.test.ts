// Callbacks as the providers send them, signed by the providers' own packages: Twilio's
// `getExpectedTwilioSignature` signs, and SignalWire's compatibility package, which signs the same
// way but exports only a validator, confirms each signature before it is sent.
import http from 'node:http';
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { RestClient as SignalWire } from '@signalwire/compatibility-api';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, TEST_KEY, webhookUrl, type Form } from '../helpers/callbacks';
import { withStore } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import type { IngestHealth, Snapshot } from '@/lib/common/types';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

/** The provider's signature of `url` with `params` (none for GET), checked by both packages. */
function sign(url: string, params: Form): string {
  const signature = twilio.getExpectedTwilioSignature(TEST_KEY, url, params);
  expect(SignalWire.validateRequest(TEST_KEY, signature, url, params)).toBe(true);
  return signature;
}

/**
 * A request with its target sent byte for byte: fetch() would re-encode the query (a `'` becomes
 * `%27`), which a provider does not do.
 */
function send(method: string, target: string, headers: Record<string, string>, body = '') {
  const { hostname, port } = new URL(server.url);
  return new Promise<{ status: number; json: unknown }>((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path: target, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(form: Form, query = '') {
  const url = webhookUrl(server.url) + query;
  return send(
    'POST',
    new URL(url).pathname + query,
    { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sign(url, form) },
    new URLSearchParams(form).toString(),
  );
}

function get(form: Form, extra = '') {
  const query = `?${new URLSearchParams(form).toString()}${extra}`;
  const url = webhookUrl(server.url) + query;
  return send('GET', new URL(url).pathname + query, { 'X-Twilio-Signature': sign(url, {}) });
}

const storedCall = (callSid: string) =>
  withStore(server.databaseUrl, (db) =>
    db.read.call.findUnique({
      where: { callSid },
      select: {
        accountSid: true,
        from: true,
        to: true,
        status: true,
        duration: true,
        mos: true,
        startedAt: true,
      },
    }),
  );

describe('callbacks sent as GET', () => {
  it('stores the same call from a GET as from a POST, under the signature of the URL', async () => {
    const viaPost = completedCall();
    const viaGet = completedCall();
    expect(await post(viaPost)).toMatchObject({ status: 200, json: { ok: true, outcome: 'stored' } });
    expect(await get(viaGet)).toMatchObject({ status: 200, json: { ok: true, outcome: 'stored' } });
    const a = await storedCall(viaPost.CallSid!);
    expect(a).not.toBeNull();
    expect(a).toMatchObject({ status: 'completed', duration: 142, mos: 4.5, to: '+18005559876' });
    expect(await storedCall(viaGet.CallSid!)).toEqual(a);
    // A retry of the same GET is the same callback.
    expect(await get(viaGet)).toMatchObject({ status: 200, json: { ok: true, outcome: 'duplicate' } });
  });

  it('refuses a GET whose query was changed after signing, and one without fields', async () => {
    const form = completedCall();
    const url = `${webhookUrl(server.url)}?${new URLSearchParams(form).toString()}`;
    const signature = sign(url, {});
    const tampered = url.replace('CallDuration=142', 'CallDuration=9999');
    expect(
      await send('GET', new URL(tampered).pathname + new URL(tampered).search, {
        'X-Twilio-Signature': signature,
      }),
    ).toMatchObject({
      status: 403,
      json: { error: 'signature does not match' },
    });
    expect(await storedCall(form.CallSid!)).toBeNull();

    const bare = webhookUrl(server.url);
    expect(await send('GET', new URL(bare).pathname, { 'X-Twilio-Signature': sign(bare, {}) })).toMatchObject(
      {
        status: 400,
        json: { error: 'a GET callback carries its fields in the query string; it has none' },
      },
    );
  });

  it('answers HEAD with 405 and stores nothing', async () => {
    const form = completedCall();
    const query = `?${new URLSearchParams(form).toString()}`;
    const url = webhookUrl(server.url) + query;
    const res = await send('HEAD', new URL(url).pathname + query, { 'X-Twilio-Signature': sign(url, {}) });
    expect(res.status).toBe(405);
    expect(await storedCall(form.CallSid!)).toBeNull();
  });
});

describe('the URL as the provider signed it', () => {
  it("verifies a query with characters that URL parsing re-encodes (a ' stays a ')", async () => {
    // A status callback URL configured with a query of the user's own, sent and signed as written.
    const form = completedCall();
    expect(await post(form, "?team=o'brien&note=a|b")).toMatchObject({ status: 200 });
    expect(await storedCall(form.CallSid!)).toMatchObject({ status: 'completed' });

    const viaGet = completedCall();
    expect(await get(viaGet, "&team=o'brien")).toMatchObject({ status: 200 });
    expect(await storedCall(viaGet.CallSid!)).toMatchObject({ status: 'completed' });
  });

  it('does not let a client choose the URL the signature is checked against', async () => {
    // The header the server uses to pass the raw target on is dropped when a client sends it.
    const form = completedCall();
    const forged = '/api/webhooks/call-status?anything';
    const url = webhookUrl(server.url) + '?anything';
    const res = await send(
      'POST',
      new URL(webhookUrl(server.url)).pathname,
      {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': sign(url, form),
        'X-Wallboard-Request-Target': forged,
      },
      new URLSearchParams(form).toString(),
    );
    expect(res.status).toBe(403);
  });
});

describe('a malformed reported value', () => {
  it('loses the value, not the call: on the board, in the export and counted in ingest health', async () => {
    const before = ((await (await server.get('/api/dashboard')).json()) as Snapshot).totals;
    const call = completedCall({ AudioInMos: '0', CallDuration: '61' });
    expect(await post(call)).toEqual({
      status: 200,
      json: {
        ok: true,
        outcome: 'stored',
        dropped: [{ field: 'AudioInMos', error: 'must be between 1 and 5' }],
      },
    });
    // A retry is the same callback: answered the same way, stored once.
    expect(await post(call)).toMatchObject({ status: 200, json: { outcome: 'duplicate' } });

    const after = ((await (await server.get('/api/dashboard')).json()) as Snapshot).totals;
    expect(after.calls).toBe(before.calls + 1);
    expect(after.completed).toBe(before.completed + 1);
    // Counted without a MOS: not as 0, which would drag the average down.
    expect(await storedCall(call.CallSid!)).toMatchObject({ status: 'completed', duration: 61, mos: null });

    const csv = await (await server.get('/api/calls/export')).text();
    const row = csv.split('\r\n').find((l) => l.includes(call.CallSid!));
    expect(row).toBeDefined();
    // The raw callback keeps what was sent.
    const events = (await (await server.get(`/api/calls/${call.CallSid}/events`)).json()) as {
      events: { raw: Record<string, string> }[];
    };
    expect(events.events[0]!.raw.AudioInMos).toBe('0');

    // Counted per callback, by field name, as `accepted` is: the retry is not a second one. Counters
    // reach the store every 5 s; a later callback with a bad duration shows the two apart.
    expect(await post(completedCall({ CallDuration: 'soon' }))).toMatchObject({ status: 200 });
    const health = await waitFor(async () => {
      const h = (await (await server.get('/api/ingest')).json()) as IngestHealth;
      return h.dropped.some((d) => d.field === 'CallDuration') && h;
    }, 'the dropped fields in ingest health');
    expect(health.dropped).toEqual([
      { field: 'AudioInMos', count: 1 },
      { field: 'CallDuration', count: 1 },
    ]);
  });
});

/**
 * A SWML / RELAY call-state event as SignalWire posts it to `call_state_url`, signed as SignalWire
 * signs JSON: hex HMAC-SHA1 of the URL followed by the raw body (no helper in either package
 * signs this; the algorithm's published vector is in test/unit/signature.test.ts).
 */
function postCallState(body: unknown) {
  const url = webhookUrl(server.url);
  const raw = JSON.stringify(body);
  const signature = createHmac('sha1', TEST_KEY)
    .update(url + raw)
    .digest('hex');
  return send(
    'POST',
    new URL(url).pathname,
    { 'Content-Type': 'application/json', 'X-SignalWire-Signature': signature },
    raw,
  );
}

function callState(
  callId: string,
  state: string,
  times: Record<string, number>,
  extra: Record<string, unknown> = {},
) {
  return {
    event_type: 'calling.call.state',
    event_channel: 'swml:4b7ae78a-d02e-4889-a63b-08b156d5916e',
    timestamp: Date.now() / 1000,
    project_id: '4b7ae78a-d02e-4889-a63b-08b156d5916e',
    space_id: '62615f44-2a34-4235-b38b-76b5a1de6ef8',
    params: {
      call_id: callId,
      node_id: 'fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west',
      segment_id: callId,
      tag: [randomUUID()],
      device: { type: 'phone', params: { from_number: '+12135877632', to_number: '+12089806814' } },
      direction: 'inbound',
      call_state: state,
      ...times,
      ...extra,
    },
  };
}

describe('SignalWire call-state callbacks (SWML call_state_url, RELAY calling.call.state)', () => {
  it('ends created → ringing → answered → ended as one completed call with its talk time', async () => {
    const id = randomUUID();
    const start = Date.now() - 120_000;
    const times = { start_time: start, answer_time: start + 8_000, end_time: start + 8_000 + 95_400 };
    for (const state of ['created', 'ringing', 'answered']) {
      // SignalWire reports the times known so far with each state.
      const known: Record<string, number> =
        state === 'answered' || state === 'ending'
          ? { start_time: start, answer_time: times.answer_time }
          : { start_time: start };
      expect(await postCallState(callState(id, state, known))).toMatchObject({
        status: 200,
        json: { ok: true },
      });
    }
    // "ending" adds nothing to "answered" before "ended": acknowledged, not stored, not a retry.
    expect(
      await postCallState(callState(id, 'ending', { start_time: start, answer_time: times.answer_time })),
    ).toEqual({ status: 200, json: { ok: true, outcome: 'ignored' } });
    expect(await postCallState(callState(id, 'ended', times, { end_reason: 'hangup' }))).toMatchObject({
      status: 200,
      json: { ok: true, outcome: 'stored' },
    });
    expect(await storedCall(id)).toMatchObject({
      status: 'completed',
      duration: 95,
      from: '+12135877632',
      to: '+12089806814',
      accountSid: '4b7ae78a-d02e-4889-a63b-08b156d5916e',
    });
    const events = (await (await server.get(`/api/calls/${id}/events`)).json()) as {
      events: { status: string; deliveries: number; raw: Record<string, string> }[];
    };
    expect(events.events.map((e) => [e.status, e.deliveries]).sort()).toEqual([
      ['completed', 1],
      ['in-progress', 1],
      ['initiated', 1],
      ['ringing', 1],
    ]);
    // The raw event keeps SignalWire's own fields under their paths.
    expect(events.events.some((e) => e.raw['params.call_state'] === 'ended')).toBe(true);
  });

  it('reads a late "answered" after "ended" as late, and an unanswered end by its reason', async () => {
    const answeredLate = randomUUID();
    const start = Date.now() - 60_000;
    const times = { start_time: start, answer_time: start + 5_000, end_time: start + 35_000 };
    expect(await postCallState(callState(answeredLate, 'ended', times))).toMatchObject({ status: 200 });
    expect(
      await postCallState(
        callState(answeredLate, 'answered', { start_time: start, answer_time: start + 5_000 }),
      ),
    ).toMatchObject({
      status: 200,
      json: { outcome: 'late' },
    });
    expect(await storedCall(answeredLate)).toMatchObject({ status: 'completed', duration: 30 });

    for (const [reason, status] of [
      ['busy', 'busy'],
      ['noAnswer', 'no-answer'],
      ['cancel', 'canceled'],
      ['error', 'failed'],
    ] as const) {
      const id = randomUUID();
      expect(
        await postCallState(
          callState(id, 'ended', { start_time: start, end_time: start + 20_000 }, { end_reason: reason }),
        ),
      ).toMatchObject({ status: 200 });
      expect(await storedCall(id)).toMatchObject({ status, duration: 0 });
    }
  });

  it('answers a JSON body in a format it does not know with a 400 in words, storing nothing', async () => {
    const res = await postCallState({ event: 'room.started', params: { room_id: 'r1' } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error:
        'not a SignalWire or Twilio status callback: field params holds an object, and the body is not a SignalWire call-state event (params.call_id and params.call_state)',
      field: 'params',
    });
  });
});

describe('forwarded calls and quality, as SignalWire reports them', () => {
  it('counts a call and its legs (cXML and SWML) once, with its loss, jitter and SIP codes', async () => {
    const day = Date.parse('2025-03-03T00:00:00Z');
    const line = '+18005554400';
    const at = (minutes: number) => new Date(day + minutes * 60_000).toUTCString().replace('GMT', '+0000');
    // SignalWire's voice status callback, with its audio counters and SIP code.
    const parent: Form = completedCall({
      To: line,
      Timestamp: at(600),
      CallDuration: '120',
      ApiVersion: '2010-04-01',
      Direction: 'inbound',
      CallbackSource: 'call-progress-events',
      SequenceNumber: '3',
      SipResultCode: '200',
      AudioInMos: '4.2',
      AudioInPacketCount: '6100',
      AudioInMediaPacketCount: '6000',
      AudioInSkipPacketCount: '120',
      AudioInFlushPacketCount: '2',
      AudioInJitterMinVariance: '0.5',
      AudioInJitterMaxVariance: '22.40',
      AudioInLargestJbSize: '3',
      AudioInAveragePtime: '20',
    });
    expect((await post(parent)).status).toBe(200);
    // The <Dial> leg to an agent, reported with its parent.
    const leg: Form = completedCall({
      To: '+15550100077',
      From: line,
      Timestamp: at(600),
      CallDuration: '110',
      Direction: 'outbound-dial',
      ParentCallSid: parent.CallSid!,
      SipResultCode: '200',
    });
    expect((await post(leg)).status).toBe(200);
    // A SWML connect's leg to a second agent that did not answer, naming the same parent.
    const swmlLeg = randomUUID();
    const ringing = { start_time: day + 600 * 60_000 };
    expect(
      await postCallState(
        callState(
          swmlLeg,
          'ended',
          { ...ringing, end_time: day + 600 * 60_000 + 20_000 },
          {
            end_reason: 'noAnswer',
            direction: 'outbound',
            parent: { call_id: parent.CallSid, node_id: 'fa3570ae@us-west', device_type: 'phone' },
          },
        ),
      ),
    ).toMatchObject({ status: 200 });
    // A busy call, and a call as Twilio reports it: no audio counters.
    const busy = completedCall({ To: line, Timestamp: at(601), CallStatus: 'busy', CallDuration: '0' });
    delete busy.AudioInMos;
    busy.SipResultCode = '486';
    expect((await post(busy)).status).toBe(200);
    expect((await post(completedCall({ To: line, Timestamp: at(602), AudioInMos: '4.4' }))).status).toBe(200);

    const board = async (direction: string, withLine = true) => {
      const q = new URLSearchParams({ from: String(day), to: String(day + 86_400_000), direction });
      if (withLine) q.set('line', line);
      const res = await server.get(`/api/dashboard?${q}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Snapshot;
    };
    const inbound = await board('inbound');
    // Three calls to the line: the legs are not calls to the center.
    expect(inbound.totals.calls).toBe(3);
    expect(inbound.calls.map((c) => c.callSid).sort()).not.toContain(leg.CallSid);
    // Loss and jitter from the one call that reports them: 120 of 6,000 media packets.
    expect(inbound.totals).toMatchObject({
      lossCount: 1,
      packetsSum: 6000,
      lostSum: 120,
      jitterCount: 1,
      jitterSumCenti: 2240,
      flushSum: 2,
      failures: { 'busy 486': 1 },
    });
    const legs = await board('outbound-dial', false);
    expect(legs.calls.map((c) => c.callSid).sort()).toEqual([leg.CallSid, swmlLeg].sort());
    expect(legs.totals.failures).toEqual({ 'no-answer 0': 1 });

    const history = (await (await server.get(`/api/calls/${parent.CallSid}/events`)).json()) as {
      legs: { callSid: string; parentSid: string; direction: string }[];
    };
    expect(history.legs.map((l) => [l.callSid, l.parentSid, l.direction]).sort()).toEqual(
      [
        [leg.CallSid, parent.CallSid, 'outbound-dial'],
        [swmlLeg, parent.CallSid, 'outbound-dial'],
      ].sort(),
    );

    // The export keeps the seven columns first and adds what the board knows of the call.
    const q = new URLSearchParams({ from: String(day), to: String(day + 86_400_000), line });
    const csv = await (await server.get(`/api/calls/export?${q}`)).text();
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header!.split(',').slice(0, 7)).toEqual([
      'Call SID',
      'Call Status',
      'Event Timestamp',
      'To Number',
      'From Number',
      'Call Duration(s)',
      'Audio in MOS',
    ]);
    const row = rows.map((r) => r.split(',')).find((r) => r[0] === parent.CallSid)!;
    expect(row.slice(7)).toEqual(['inbound', '', '200', '6000', '120', '2', '22.4', '2']);
    expect(rows).toHaveLength(3);
  });
});
