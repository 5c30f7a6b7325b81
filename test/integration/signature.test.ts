// Only callbacks the provider signed reach the store, whatever sits between it and the server.
import { afterEach, describe, expect, it } from 'vitest';
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
    const s = await server({ TWILIO_AUTH_TOKEN: TWILIO_TOKEN, LOG_LEVEL: 'trace' });
    const form = completedCall();
    const good = signForm(s.url, form);
    const forged = 'Zm9yZ2VkLXNpZ25hdHVyZS12YWx1ZQ==';
    await post(s, form, { 'X-SignalWire-Signature': good });
    await post(s, form, { 'X-SignalWire-Signature': forged, 'X-Twilio-Signature': forged });
    await post(
      s,
      { ...form, AudioInMos: '9' },
      { 'X-SignalWire-Signature': signForm(s.url, { ...form, AudioInMos: '9' }) },
    );
    await s.stop();
    const logs = s.logs.join('\n');
    expect(logs).toContain('signature does not match');
    for (const secret of [TEST_KEY, TWILIO_TOKEN, good, forged]) expect(logs).not.toContain(secret);
  });
});
