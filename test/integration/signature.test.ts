// Only callbacks the provider signed reach the store, whatever sits between it and the server.
import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm, signForm, TEST_KEY, webhookUrl, type Form } from '../helpers/callbacks';
import { formSignature } from '@/lib/callbacks/signature';
import type { Snapshot } from '@/lib/common/types';

const servers: RunningServer[] = [];
async function server(env: Record<string, string> = {}) {
  const s = await startServer({ env });
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const stored = async (s: RunningServer) =>
  ((await (await s.get('/api/dashboard')).json()) as Snapshot).totals.calls;

function post(s: RunningServer, form: Form, headers: Record<string, string>) {
  return fetch(webhookUrl(s.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

const TWILIO_TOKEN = 'twilio-auth-token-0123456789abcdef';
const SHARED_KEY_SECRET = 'twilio-shared-key-secret-0123456789';

/**
 * A SignalWire call-state event (SWML `call_state_url`) as posted: JSON, signed over the URL and
 * the raw body. Neither provider package signs this scheme, so node's crypto does.
 */
function callStateEvent(): string {
  const start = Date.now() - 60_000;
  return JSON.stringify({
    event_type: 'calling.call.state',
    project_id: '4b7ae78a-d02e-4889-a63b-08b156d5916e',
    timestamp: Date.now() / 1000,
    params: {
      call_id: randomUUID(),
      call_state: 'ended',
      device: { type: 'phone', params: { from_number: '+12135877632', to_number: '+12089806814' } },
      direction: 'inbound',
      start_time: start,
      answer_time: start + 5_000,
      end_time: start + 35_000,
      end_reason: 'hangup',
    },
  });
}

const hexHmac = (hash: 'sha1' | 'sha256', key: string, data: string) =>
  createHmac(hash, key).update(data).digest('hex');

function postJson(s: RunningServer, raw: string, headers: Record<string, string>) {
  return fetch(webhookUrl(s.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: raw,
  });
}

/** Twilio's signature of a form post, made and checked by Twilio's own package. */
function twilioSignature(s: RunningServer, form: Form, key: string, algorithm?: string): string {
  const url = webhookUrl(s.url);
  const signature = twilio.getExpectedTwilioSignature(key, url, form, algorithm);
  expect(twilio.validateRequest(key, signature, url, form, algorithm)).toBe(true);
  return signature;
}

const SHARED_KEY_SETTINGS = {
  'X-Twilio-Webhooks-Signature-Settings':
    'key=webhooks_sharedkey_01JABCDEFGHJKMNPQRSTVWXYZ0,algorithm=HMAC_SHA256',
};

describe('signed callbacks only', () => {
  it('refuses unsigned, wrongly signed and tampered callbacks with 403 and stores none of them', async () => {
    const s = await server();
    const form = completedCall();
    const unsigned = await post(s, form, {});
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({
      error: 'missing X-SignalWire-Signature or X-Twilio-Signature header',
    });

    const wrongKey = await postForm(s.url, form, 'not-the-key-at-all');
    expect(wrongKey.status).toBe(403);
    expect(await wrongKey.json()).toEqual({ error: 'signature does not match' });

    const tampered = await post(
      s,
      { ...form, CallDuration: '9999' },
      { 'X-SignalWire-Signature': signForm(s.url, form) },
    );
    expect(tampered.status).toBe(403);

    expect(await stored(s)).toBe(0);
    expect((await postForm(s.url, form)).status).toBe(200);
    expect(await stored(s)).toBe(1);
  });

  it("accepts Twilio's header signed with the Auth Token beside a SignalWire key", async () => {
    const s = await server({ TWILIO_AUTH_TOKEN: TWILIO_TOKEN });
    const form = completedCall();
    const res = await post(s, form, { 'X-Twilio-Signature': signForm(s.url, form, TWILIO_TOKEN) });
    expect(res.status).toBe(200);
  });

  it('verifies against PUBLIC_URL when the server sits behind a proxy or tunnel', async () => {
    const s = await server({ PUBLIC_URL: 'https://wallboard.example.com/' });
    const form = completedCall();
    const publicSig = formSignature(
      TEST_KEY,
      'https://wallboard.example.com/api/webhooks/call-status',
      Object.entries(form),
    );
    expect((await post(s, form, { 'X-SignalWire-Signature': signForm(s.url, form) })).status).toBe(403);
    expect((await post(s, form, { 'X-SignalWire-Signature': publicSig })).status).toBe(200);
  });

  it('trusts X-Forwarded-Proto and -Host only when TRUST_PROXY is on', async () => {
    const form = completedCall();
    const headers = {
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'calls.example.org',
      'X-SignalWire-Signature': formSignature(
        TEST_KEY,
        'https://calls.example.org/api/webhooks/call-status',
        Object.entries(form),
      ),
    };
    const strict = await server();
    expect((await post(strict, form, headers)).status).toBe(403);
    const trusting = await server({ TRUST_PROXY: 'true' });
    expect((await post(trusting, form, headers)).status).toBe(200);
    // A forwarded host that is not a host is refused, never a 5xx.
    const junk = await post(trusting, form, { ...headers, 'X-Forwarded-Host': 'not a host' });
    expect(junk.status).toBe(403);
  });

  it('refuses callbacks with 503 and says which setting is missing when no key is configured', async () => {
    const s = await server({ SIGNALWIRE_SIGNING_KEY: '' });
    const res = await postForm(s.url, completedCall());
    expect(res.status).toBe(503);
    const { error } = (await res.json()) as { error: string };
    expect(error).toContain('SIGNALWIRE_SIGNING_KEY');
    expect(error).toContain('TWILIO_AUTH_TOKEN');
    const page = await (await s.get('/')).text();
    expect(page).toContain('data-testid="notice"');
    expect(page).toContain('webhook signing is not configured');
    expect(s.logs.join('\n')).toMatch(/no SIGNALWIRE_SIGNING_KEY or TWILIO_AUTH_TOKEN/);
  });

  it('accepts unsigned callbacks only with an explicit WEBHOOK_SIGNATURE=off, and warns', async () => {
    const s = await server({ SIGNALWIRE_SIGNING_KEY: '', WEBHOOK_SIGNATURE: 'off' });
    expect((await post(s, completedCall(), {})).status).toBe(200);
    expect(s.logs.join('\n')).toMatch(/signature checks are OFF/);
    expect(await (await s.get('/')).text()).toContain('Signature checks are off');
  });

  it('never writes a key, a token or a signature to the logs', async () => {
    const s = await server({
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_SHARED_KEY_SECRET: SHARED_KEY_SECRET,
      LOG_LEVEL: 'trace',
    });
    const form = completedCall();
    const good = signForm(s.url, form);
    const forged = 'Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZQ==';
    await post(s, form, { 'X-SignalWire-Signature': good });
    await post(s, form, { 'X-SignalWire-Signature': forged, 'X-Twilio-Signature': forged });
    await post(s, form, { 'X-Twilio-Signature': forged, ...SHARED_KEY_SETTINGS });
    await post(
      s,
      { ...form, AudioInMos: '9' },
      { 'X-SignalWire-Signature': signForm(s.url, { ...form, AudioInMos: '9' }) },
    );
    await s.stop();
    const logs = s.logs.join('\n');
    expect(logs).toContain('signature does not match');
    for (const secret of [TEST_KEY, TWILIO_TOKEN, SHARED_KEY_SECRET, good, forged]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('SHA-256 signatures', () => {
  it("accepts SignalWire's X-SignalWire-SHA256-Signature alone, and refuses it tampered or with another key", async () => {
    const s = await server();
    const url = webhookUrl(s.url);
    const event = callStateEvent();
    const sha256 = hexHmac('sha256', TEST_KEY, url + event);
    const refused = [
      // The body changed after signing.
      await postJson(s, event.replace('hangup', 'busy'), { 'X-SignalWire-SHA256-Signature': sha256 }),
      // Another key.
      await postJson(s, event, {
        'X-SignalWire-SHA256-Signature': hexHmac('sha256', 'PSK_not_the_key_0123456789', url + event),
      }),
      // A SHA-1 signature is not taken for a SHA-256 one.
      await postJson(s, event, { 'X-SignalWire-SHA256-Signature': hexHmac('sha1', TEST_KEY, url + event) }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'signature does not match' });
    }
    expect(await stored(s)).toBe(0);

    const res = await postJson(s, event, { 'X-SignalWire-SHA256-Signature': sha256 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, outcome: 'stored' });
    expect(await stored(s)).toBe(1);
  });

  it('accepts a callback carrying both SignalWire headers when either verifies, as SignalWire decides', async () => {
    const s = await server();
    const url = webhookUrl(s.url);
    const forged = { sha256: '0'.repeat(64), sha1: 'f'.repeat(40) };
    // The SHA-256 header fails: the SHA-1 one decides.
    const a = callStateEvent();
    const viaSha1 = await postJson(s, a, {
      'X-SignalWire-SHA256-Signature': forged.sha256,
      'X-SignalWire-Signature': hexHmac('sha1', TEST_KEY, url + a),
    });
    expect(viaSha1.status).toBe(200);
    // The SHA-1 header fails: the SHA-256 one is enough.
    const b = callStateEvent();
    const viaSha256 = await postJson(s, b, {
      'X-SignalWire-SHA256-Signature': hexHmac('sha256', TEST_KEY, url + b),
      'X-SignalWire-Signature': forged.sha1,
    });
    expect(viaSha256.status).toBe(200);
    // Neither: refused.
    const neither = await postJson(s, callStateEvent(), {
      'X-SignalWire-SHA256-Signature': forged.sha256,
      'X-SignalWire-Signature': forged.sha1,
    });
    expect(neither.status).toBe(403);
    expect(await stored(s)).toBe(2);
  });

  it("accepts Twilio's HMAC-SHA256 (SharedKey) signature only with TWILIO_SHARED_KEY_SECRET set to its secret", async () => {
    const form = completedCall();
    // Not configured: the answer names the setting, and nothing is stored.
    const without = await server({ TWILIO_AUTH_TOKEN: TWILIO_TOKEN });
    const unconfigured = await post(without, form, {
      'X-Twilio-Signature': twilioSignature(without, form, SHARED_KEY_SECRET, twilio.HMAC_SHA256),
      ...SHARED_KEY_SETTINGS,
    });
    expect(unconfigured.status).toBe(403);
    expect(await unconfigured.json()).toEqual({
      error: 'signed with a Twilio SharedKey: set TWILIO_SHARED_KEY_SECRET to its secret',
    });
    expect(await stored(without)).toBe(0);

    const s = await server({ TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_SHARED_KEY_SECRET: SHARED_KEY_SECRET });
    const sha256 = twilioSignature(s, form, SHARED_KEY_SECRET, twilio.HMAC_SHA256);
    const refused = [
      // Without the settings header, Twilio signed with the Auth Token: this is not that signature.
      await post(s, form, { 'X-Twilio-Signature': sha256 }),
      // With it, only the SharedKey signs: the Auth Token's signature does not count.
      await post(s, form, {
        'X-Twilio-Signature': twilioSignature(s, form, TWILIO_TOKEN),
        ...SHARED_KEY_SETTINGS,
      }),
      // The body changed after signing.
      await post(
        s,
        { ...form, CallDuration: '9999' },
        { 'X-Twilio-Signature': sha256, ...SHARED_KEY_SETTINGS },
      ),
      // An algorithm the server does not know.
      await post(s, form, {
        'X-Twilio-Signature': sha256,
        'X-Twilio-Webhooks-Signature-Settings': 'key=webhooks_sharedkey_01J,algorithm=HMAC_SHA512',
      }),
    ];
    for (const res of refused) expect(res.status).toBe(403);
    expect(await stored(s)).toBe(0);

    expect((await post(s, form, { 'X-Twilio-Signature': sha256, ...SHARED_KEY_SETTINGS })).status).toBe(200);
    expect(await stored(s)).toBe(1);
    // Callbacks without the settings header are still checked against the Auth Token.
    const other = completedCall();
    expect(
      (await post(s, other, { 'X-Twilio-Signature': twilioSignature(s, other, TWILIO_TOKEN) })).status,
    ).toBe(200);
    expect(await stored(s)).toBe(2);
  });
});
