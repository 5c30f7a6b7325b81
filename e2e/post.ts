// Callbacks the way a provider sends them, for the end-to-end specs.
import { expect, test, type APIRequestContext } from '@playwright/test';
import { formSignature } from '../lib/callbacks/signature';
import { E2E_SIGNING_KEY } from './signing';

export type Form = Record<string, string>;

/**
 * Signed as SignalWire signs: over the full URL the request goes to, plus the sorted fields. `base`:
 * the server (default: the specs' own); `key`: the signing key (another one to be refused).
 */
export async function post(
  request: APIRequestContext,
  form: Form,
  { base = test.info().project.use.baseURL, expected = 200, key = E2E_SIGNING_KEY } = {},
) {
  const url = new URL('/api/webhooks/call-status', base).toString();
  const res = await request.post(url, {
    form,
    headers: { 'X-SignalWire-Signature': formSignature(key, url, Object.entries(form)) },
  });
  expect(res.status()).toBe(expected);
}

/** A provider Timestamp (RFC 2822, as SignalWire writes it). */
export const stamp = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');
