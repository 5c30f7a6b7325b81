import { describe, expect, it } from 'vitest';
import { BadRequest, parseBody, readCapped } from '@/lib/callbacks/body';
import { validateCallback } from '@/lib/callbacks/schema';

const FORM = 'application/x-www-form-urlencoded';
const enc = (s: string) => new TextEncoder().encode(s);

function fail(fn: () => unknown): BadRequest {
  try {
    fn();
  } catch (e) {
    if (e instanceof BadRequest) return e;
    throw e;
  }
  throw new Error('expected a BadRequest');
}

const good = {
  CallSid: 'b3877c40-da60-4998-90ad-b792e98472ca',
  AccountSid: 'b3877c40-da60-4998-90ad-b792e98472af',
  From: '+15551234567',
  To: '+18005559876',
  Timestamp: 'Thu, 04 Apr 2024 18:32:15 +0000',
  CallStatus: 'completed',
  CallDuration: '142',
  AudioInMos: '4.5',
};

describe('parseBody', () => {
  it('reads a form post into fields, keeping unknown ones', () => {
    const f = parseBody(`${FORM}; charset=utf-8`, enc('CallSid=a&CallStatus=completed&Direction=inbound'));
    expect({ ...f }).toEqual({ CallSid: 'a', CallStatus: 'completed', Direction: 'inbound' });
  });

  it('reads JSON, turning numbers into the strings providers send', () => {
    const f = parseBody('application/json', enc('{"CallSid":"a","CallDuration":142,"AudioInMos":4.5}'));
    expect({ ...f }).toEqual({ CallSid: 'a', CallDuration: '142', AudioInMos: '4.5' });
  });

  it.each([
    ['text/plain', 'CallSid=a', 415, null],
    [null, 'CallSid=a', 415, null],
    [FORM, '', 400, null],
    [FORM, 'CallSid=a&CallSid=b', 400, 'CallSid'],
    ['application/json', '{"CallSid":"a","CallSid":"b"}', 400, 'CallSid'],
    ['application/json', '{"CallSid":{"nested":1}}', 400, 'CallSid'],
    ['application/json', '["CallSid"]', 400, null],
    ['application/json', '{not json', 400, null],
  ])('refuses %s %j with %i naming %s', (type, body, status, field) => {
    const e = fail(() => parseBody(type, enc(body)));
    expect(e.status).toBe(status);
    expect(e.field).toBe(field);
  });

  // At most 200 fields, in a form, a query or a JSON object: the 201st is refused, naming no field.
  it.each([
    [FORM, (n: number) => Array.from({ length: n }, (_, i) => `F${i}=${i}`).join('&')],
    [
      'application/json',
      (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`F${i}`, i]))),
    ],
  ])('takes 200 fields of %s and refuses 201', (type, body) => {
    const f = parseBody(type, enc(body(200)));
    expect(Object.keys(f)).toHaveLength(200);
    expect(f.F199).toBe('199');
    const e = fail(() => parseBody(type, enc(body(201))));
    expect([e.status, e.field, e.message]).toEqual([400, null, 'more than 200 fields']);
  });

  // The body SignalWire's own validator test signs (signalwire-js web-api validateRequest.test.ts).
  const SWML_REQUEST =
    '{"call":{"call_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","node_id":"fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west","segment_id":"b5d63b2e-f75b-4dc8-b6d4-269b635f96c0","call_state":"created","direction":"inbound","type":"phone","from":"+12135877632","to":"+12089806814","from_number":"+12135877632","to_number":"+12089806814","project_id":"4b7ae78a-d02e-4889-a63b-08b156d5916e","space_id":"62615f44-2a34-4235-b38b-76b5a1de6ef8"},"vars":{}}';

  it('reads a SWML request onto the cXML fields, keeping its own under their paths', () => {
    const f = parseBody('application/json', enc(SWML_REQUEST));
    expect(f).toMatchObject({
      CallSid: 'b5d63b2e-f75b-4dc8-b6d4-269b635f96c0',
      CallStatus: 'initiated',
      From: '+12135877632',
      To: '+12089806814',
      Direction: 'inbound',
      AccountSid: '4b7ae78a-d02e-4889-a63b-08b156d5916e',
      SequenceNumber: '0',
      'call.node_id': 'fa3570ae-f8bd-42c2-83f4-9950d906c91b@us-west',
      'call.call_state': 'created',
    });
    expect(validateCallback(f).ok).toBe(true);
  });

  const event = (state: string, params: Record<string, unknown>) =>
    enc(
      JSON.stringify({
        event_type: 'calling.call.state',
        timestamp: 1714490000.5,
        project_id: 'p1',
        params: {
          call_id: 'c-1',
          call_state: state,
          direction: 'outbound',
          device: { type: 'phone', params: { from_number: '+15550001', to_number: '+15550002' } },
          parent: { call_id: 'c-0', node_id: 'n' },
          ...params,
        },
      }),
    );

  it.each([
    ['created', {}, 'initiated', undefined, '2024-04-30T15:13:20.500Z'],
    ['ringing', {}, 'ringing', undefined, '2024-04-30T15:13:20.500Z'],
    ['answered', { answer_time: 1714490005000 }, 'in-progress', undefined, '2024-04-30T15:13:25.000Z'],
    [
      'ending',
      { answer_time: 1714490005000, end_time: 1714490065000 },
      'in-progress',
      undefined,
      '2024-04-30T15:14:25.000Z',
    ],
    [
      'ended',
      { answer_time: 1714490005000, end_time: 1714490065400 },
      'completed',
      '60',
      '2024-04-30T15:14:25.400Z',
    ],
    ['ended', { end_time: 1714490065000, end_reason: 'busy' }, 'busy', '0', '2024-04-30T15:14:25.000Z'],
    ['ended', { end_time: 1714490065000, end_reason: 'decline' }, 'busy', '0', '2024-04-30T15:14:25.000Z'],
    [
      'ended',
      { end_time: 1714490065000, end_reason: 'noAnswer' },
      'no-answer',
      '0',
      '2024-04-30T15:14:25.000Z',
    ],
    ['ended', { end_time: 1714490065000, end_reason: 'hangup' }, 'canceled', '0', '2024-04-30T15:14:25.000Z'],
    ['ended', { end_time: 1714490065000, end_reason: 'error' }, 'failed', '0', '2024-04-30T15:14:25.000Z'],
  ])('reads call state %s %j as %s', (state, params, status, duration, timestamp) => {
    const f = parseBody('application/json', event(state, params));
    expect(f.CallStatus).toBe(status);
    expect(f.CallDuration).toBe(duration);
    expect(f.Timestamp).toBe(timestamp);
    expect(f).toMatchObject({
      CallSid: 'c-1',
      From: '+15550001',
      To: '+15550002',
      Direction: 'outbound',
      ParentCallSid: 'c-0',
    });
  });

  it('passes a time no date can hold on as sent, and leaves an unknown talk time out', () => {
    const f = parseBody('application/json', event('ended', { answer_time: 1714490005000, end_time: 1e16 }));
    expect(f.Timestamp).toBe('10000000000000000');
    const v = validateCallback(f);
    expect(v.ok && v.callback.dropped.map((d) => d.field).sort()).toEqual(['CallDuration', 'Timestamp']);
    const noEnd = parseBody('application/json', event('ended', { answer_time: 1714490005000 }));
    expect(noEnd.CallDuration).toBeUndefined();
    expect(noEnd.CallStatus).toBe('completed');
  });

  it('refuses a nested JSON body that is not a call-state event, in words, naming the field', () => {
    const e = fail(() =>
      parseBody('application/json', enc('{"event":"room.started","params":{"room_id":"r"}}')),
    );
    expect(e.status).toBe(400);
    expect(e.field).toBe('params');
    expect(e.message).toMatch(/^not a SignalWire or Twilio status callback: field params holds an object/);
    const dup = fail(() =>
      parseBody('application/json', enc('{"params":{"call_id":"a","call_id":"b","call_state":"ended"}}')),
    );
    expect(dup.field).toBe('params.call_id');
  });

  it('refuses invalid UTF-8', () => {
    const e = fail(() => parseBody(FORM, new Uint8Array([0x43, 0x61, 0xff, 0xfe])));
    expect(e.message).toMatch(/UTF-8/);
  });
});

describe('readCapped', () => {
  it('refuses a declared length over the limit before reading', async () => {
    const req = new Request('http://x/', {
      method: 'POST',
      body: 'a'.repeat(10),
      headers: { 'content-length': '99999' },
    });
    await expect(readCapped(req, 1024)).rejects.toMatchObject({ status: 413 });
  });

  it('refuses a streamed body that grows past the limit', async () => {
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(enc('x'.repeat(500)));
        c.close();
      },
    });
    const req = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    await expect(readCapped(req, 2048)).rejects.toMatchObject({ status: 413 });
  });

  it('returns the bytes of a body within the limit', async () => {
    const req = new Request('http://x/', { method: 'POST', body: 'CallSid=a' });
    expect(new TextDecoder().decode(await readCapped(req, 1024))).toBe('CallSid=a');
  });
});

describe('validateCallback', () => {
  it('types the documented fields and keeps the raw ones', () => {
    const v = validateCallback({ ...good, ApiVersion: '2010-04-01' });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.callback).toMatchObject({
      callSid: good.CallSid,
      status: 'completed',
      duration: 142,
      mos: 4.5,
      from: '+15551234567',
      to: '+18005559876',
    });
    expect(v.callback.timestamp?.toISOString()).toBe('2024-04-04T18:32:15.000Z');
    expect(v.callback.raw.ApiVersion).toBe('2010-04-01');
  });

  it('treats a missing or empty MOS and duration as not reported, never 0', () => {
    const v = validateCallback({ ...good, AudioInMos: '', CallDuration: undefined as unknown as string });
    expect(v.ok && v.callback.mos).toBe(null);
    expect(v.ok && v.callback.duration).toBe(null);
  });

  it.each(['queued', 'initiated', 'ringing', 'in-progress', 'busy', 'no-answer', 'canceled', 'failed'])(
    'accepts status %s',
    (CallStatus) => expect(validateCallback({ ...good, CallStatus }).ok).toBe(true),
  );

  it('accepts ISO 8601 timestamps and "4.50"-style MOS', () => {
    const v = validateCallback({ ...good, Timestamp: '2024-04-04T18:32:15Z', AudioInMos: '4.50' });
    expect(v.ok && v.callback.mos).toBe(4.5);
  });

  it.each([
    [{ CallSid: undefined }, 'CallSid', /required/],
    [{ CallSid: 'has space' }, 'CallSid', /letters/],
    [{ CallStatus: undefined }, 'CallStatus', /required/],
    [{ CallStatus: 'exploded' }, 'CallStatus', /one of/],
  ])('refuses %j naming %s: a call cannot be placed without it', (over, field, message) => {
    const fields = Object.fromEntries(
      Object.entries({ ...good, ...over }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    const v = validateCallback(fields);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.field).toBe(field);
    expect(v.message).toMatch(message);
    expect(v.message).toContain(field);
  });

  it.each([
    [{ CallDuration: 'ten' }, 'CallDuration', 'duration', /whole number/],
    [{ CallDuration: '-5' }, 'CallDuration', 'duration', /whole number/],
    [{ CallDuration: '86401' }, 'CallDuration', 'duration', /at most 86400/],
    [{ Timestamp: '-000001-01-01T00:00:00Z' }, 'Timestamp', 'timestamp', /2000 and 2100/],
    [{ AudioInMos: '7' }, 'AudioInMos', 'mos', /between 1 and 5/],
    [{ AudioInMos: '0' }, 'AudioInMos', 'mos', /between 1 and 5/],
    [{ AudioInMos: '0.5' }, 'AudioInMos', 'mos', /between 1 and 5/],
    [{ AudioInMos: 'good' }, 'AudioInMos', 'mos', /number/],
    [{ Timestamp: 'yesterday-ish' }, 'Timestamp', 'timestamp', /RFC 2822/],
    [{ From: 'x'.repeat(300) }, 'From', 'from', /256/],
    [{ To: 'line\u0007' }, 'To', 'to', /control characters/],
    [{ SequenceNumber: 'first' }, 'SequenceNumber', 'sequence', /whole number/],
  ] as const)('keeps the call but drops %j, naming %s', (over, field, key, message) => {
    const v = validateCallback({ ...good, ...over });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.callback.dropped).toEqual([{ field, error: expect.stringMatching(message) }]);
    expect(v.callback[key]).toBeNull();
    // The raw callback keeps what was sent; the rest of the call is read as usual.
    expect(v.callback.raw[field]).toBe(over[field as keyof typeof over]);
    expect(v.callback).toMatchObject({ callSid: good.CallSid, status: 'completed' });
    for (const k of ['duration', 'mos', 'from', 'to'] as const)
      if (k !== key) expect(v.callback[k]).not.toBeNull();
  });

  it('drops each malformed field and names every one', () => {
    const v = validateCallback({ ...good, AudioInMos: '0', CallDuration: 'x', Timestamp: 'soon' });
    expect(v.ok && v.callback.dropped.map((d) => d.field).sort()).toEqual([
      'AudioInMos',
      'CallDuration',
      'Timestamp',
    ]);
    expect(
      validateCallback(good).ok &&
        (validateCallback(good) as { callback: { dropped: unknown[] } }).callback.dropped,
    ).toEqual([]);
  });
});
