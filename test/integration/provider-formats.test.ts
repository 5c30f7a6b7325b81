// Callbacks as the providers send them, signed by the providers' own packages: Twilio's
// `getExpectedTwilioSignature` signs, and SignalWire's compatibility package, which signs the same
// way but exports only a validator, confirms each signature before it is sent.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { RestClient as SignalWire } from '@signalwire/compatibility-api';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, TEST_KEY, webhookUrl, type Form } from '../helpers/callbacks';
import { withStore } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import type { IngestHealth, Snapshot } from '@/lib/shared/types';

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

    // Both deliveries dropped it; the panel counts per field name (counters reach the store every 5 s).
    const health = await waitFor(async () => {
      const h = (await (await server.get('/api/ingest')).json()) as IngestHealth;
      return h.dropped.some((d) => d.field === 'AudioInMos' && d.count >= 2) && h;
    }, 'the dropped MOS in ingest health');
    expect(health.dropped.find((d) => d.field === 'AudioInMos')!.count).toBe(2);
  });
});
