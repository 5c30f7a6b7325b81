// Thousands of generated malformed callbacks against the real server. Each is signed, so it gets
// past the signature check and reaches the parser. Malformed identity (CallSid, CallStatus) or a
// body that is not a callback gets a 4xx that says what is wrong, and nothing is stored; a
// malformed reported value (MOS, duration, ...) is dropped and named, and the call is stored
// without it. None gets a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServer, type RunningServer } from '../helpers/server';
import { withStore } from '../helpers/db';
import { completedCall, TEST_KEY, webhookUrl } from '../helpers/callbacks';
import { bodySignature, formSignature } from '@/lib/callbacks/signature';
import { CALL_STATUSES } from '@/lib/common/status';

let server: RunningServer;
const outcomes = new Map<number, number>();

beforeAll(async () => {
  server = await startServer({ env: { LOG_LEVEL: 'warn' } });
});
afterAll(async () => {
  await server?.stop();
  console.log(`bad inputs by status: ${JSON.stringify(Object.fromEntries(outcomes))}`);
});

interface Sent {
  status: number;
  body: {
    error?: string;
    field?: string | null;
    ok?: boolean;
    outcome?: string;
    dropped?: { field: string; error: string }[];
  };
}

/** The CallSids of the callbacks answered 200: the only calls the store may hold at the end. */
const accepted = new Set<string>();

async function send(bytes: Uint8Array, contentType: string): Promise<Sent> {
  const url = webhookUrl(server.url);
  const text = new TextDecoder().decode(bytes);
  const signature =
    contentType === 'application/json'
      ? bodySignature(TEST_KEY, url, text)
      : formSignature(TEST_KEY, url, [...new URLSearchParams(text)]);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': contentType, 'X-SignalWire-Signature': signature },
    body: Buffer.from(bytes),
  });
  const status = res.status;
  outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
  if (status === 200) {
    const text = new TextDecoder().decode(bytes);
    const sid =
      contentType === 'application/json'
        ? (JSON.parse(text) as { CallSid: string }).CallSid
        : new URLSearchParams(text).get('CallSid')!;
    accepted.add(sid);
  }
  const raw = await res.text();
  let body: Sent['body'] = {};
  try {
    body = JSON.parse(raw) as Sent['body'];
  } catch {
    // asserted below: every answer is JSON
  }
  return { status, body };
}

const FORM = 'application/x-www-form-urlencoded';
const enc = (s: string) => new TextEncoder().encode(s);
const form = (fields: [string, string][]) => enc(new URLSearchParams(fields).toString());
const base = () => Object.entries(completedCall());

function expectRefused(r: Sent, field?: string) {
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(typeof r.body.error).toBe('string');
  expect(r.body.error!.length).toBeGreaterThan(5);
  if (field) {
    expect(r.body.field).toBe(field);
    expect(r.body.error).toContain(field);
  }
}

// A value that fails each typed field's rule, with the field it must be blamed on.
const badReported = fc.oneof(
  fc
    .string({ minLength: 1 })
    .filter((s) => !/^\d{1,9}$/.test(s))
    .map((v) => ['CallDuration', v] as const),
  fc
    .oneof(fc.string({ minLength: 1 }), fc.double({ noNaN: true }).map(String))
    .filter((s) => !(/^\d+(\.\d+)?$/.test(s) && Number(s) >= 1 && Number(s) <= 5))
    .map((v) => ['AudioInMos', v] as const),
  fc
    .string({ minLength: 1, maxLength: 64 })
    .filter((s) => !Number.isFinite(Date.parse(s)))
    .map((v) => ['Timestamp', v] as const),
  fc.string({ minLength: 257, maxLength: 2000 }).map((v) => ['From', v] as const),
);
const badIdentity = fc.oneof(
  fc
    .string({ minLength: 1 })
    .filter((s) => !(CALL_STATUSES as readonly string[]).includes(s.toLowerCase()))
    .map((v) => ['CallStatus', v] as const),
  fc
    .oneof(
      fc.string({ minLength: 129, maxLength: 400 }),
      fc.string({ minLength: 1 }).filter((s) => /[^A-Za-z0-9._:-]/.test(s)),
    )
    .map((v) => ['CallSid', v] as const),
);

describe('malformed callbacks', () => {
  it('refuses a bad CallSid or CallStatus naming it, in a form or in JSON', async () => {
    await fc.assert(
      fc.asyncProperty(badIdentity, fc.boolean(), async ([field, value], asJson) => {
        const fields = base().map(([k, v]): [string, string] => [k, k === field ? value : v]);
        const r = asJson
          ? await send(enc(JSON.stringify(Object.fromEntries(fields))), 'application/json')
          : await send(form(fields), FORM);
        expectRefused(r, field);
      }),
      { numRuns: 600 },
    );
  });

  it('stores the call without a bad reported value, naming the field it dropped', async () => {
    await fc.assert(
      fc.asyncProperty(badReported, fc.boolean(), async ([field, value], asJson) => {
        const fields = base().map(([k, v]): [string, string] => [k, k === field ? value : v]);
        const r = asJson
          ? await send(enc(JSON.stringify(Object.fromEntries(fields))), 'application/json')
          : await send(form(fields), FORM);
        expect(r.status).toBe(200);
        expect(r.body).toEqual({
          ok: true,
          outcome: 'stored',
          dropped: [{ field, error: expect.any(String) }],
        });
        expect(r.body.dropped![0]!.error.length).toBeGreaterThan(5);
      }),
      { numRuns: 600 },
    );
  });

  it('blames a missing required field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('CallSid', 'CallStatus'), async (field) => {
        expectRefused(await send(form(base().filter(([k]) => k !== field)), FORM), field);
      }),
      { numRuns: 20 },
    );
  });

  it('refuses wrong types, nesting, duplicate keys, odd content types, bad UTF-8, empty and huge bodies', async () => {
    const json = fc.oneof(
      // nested values
      fc
        .tuple(
          fc.constantFrom('CallSid', 'CallStatus', 'From', 'Extra'),
          fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue())),
        )
        .map(([k, v]) => enc(JSON.stringify({ ...Object.fromEntries(base()), [k]: v }))),
      // not an object at all
      fc
        .oneof(fc.array(fc.jsonValue()), fc.string(), fc.double({ noNaN: true }), fc.constant(null))
        .map((v) => enc(JSON.stringify(v))),
      // duplicate keys
      fc
        .constantFrom(...base().map(([k]) => k))
        .map((k) => enc(`{"${k}":"a",${JSON.stringify(Object.fromEntries(base())).slice(1)}`)),
      // not JSON
      fc
        .string({ minLength: 1 })
        .filter((s) => {
          try {
            JSON.parse(s);
            return false;
          } catch {
            return true;
          }
        })
        .map(enc),
    );
    const formish = fc.oneof(
      fc.constantFrom(...base().map(([k]) => k)).map((k) => form([...base(), [k, 'again']])),
      fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      // valid fields with bytes that are not UTF-8 spliced in
      fc.integer({ min: 0, max: 100 }).map((at) => {
        const good = form(base());
        const i = Math.min(at, good.length);
        return new Uint8Array([...good.slice(0, i), 0xff, 0xfe, 0xc3, ...good.slice(i)]);
      }),
      fc.constant(new Uint8Array()),
      fc.integer({ min: 33_000, max: 200_000 }).map((n) => form([...base(), ['Padding', 'x'.repeat(n)]])),
    );
    const oddType = fc.constantFrom(
      'text/plain',
      'application/xml',
      'multipart/form-data',
      'application/jsonx',
      'text/csv',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          json.map((b) => [b, 'application/json'] as const),
          formish.map((b) => [b, FORM] as const),
          fc.tuple(formish, oddType),
        ),
        async ([bytes, type]) => expectRefused(await send(bytes, type)),
      ),
      { numRuns: 1500 },
    );
  });

  it('stored exactly the calls it answered 200, nothing of a refused one, and is still healthy', async () => {
    const { calls, events } = await withStore(server.databaseUrl, async (db) => ({
      calls: await db.read.call.findMany({ select: { callSid: true } }),
      events: await db.read.callEvent.count(),
    }));
    expect(new Set(calls.map((c) => c.callSid))).toEqual(accepted);
    expect(events).toBe(accepted.size);
    expect(accepted.size).toBeGreaterThanOrEqual(500);
    expect(await (await fetch(new URL('/api/health', server.url))).json()).toEqual({ status: 'ok' });
    expect([...outcomes.keys()].every((s) => s === 200 || (s >= 400 && s < 500))).toBe(true);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2700);
  });
});
