// Callbacks as SignalWire sends them: form-encoded strings, signed with the project's key.
import { randomUUID } from 'node:crypto';
import { formSignature } from '@/lib/callbacks/signature';

export type Form = Record<string, string>;

/** The signing key test servers are started with. */
export const TEST_KEY = 'PSK_test_signing_key_0123456789';

export function completedCall(over: Form = {}): Form {
  return {
    CallSid: randomUUID(),
    AccountSid: 'b3877c40-da60-4998-90ad-b792e98472af',
    From: '+15551234567',
    To: '+18005559876',
    Timestamp: 'Thu, 04 Apr 2024 18:32:15 +0000',
    CallStatus: 'completed',
    CallDuration: '142',
    AudioInMos: '4.5',
    ...over,
  };
}

export const webhookUrl = (baseUrl: string) => new URL('/api/webhooks/call-status', baseUrl).toString();

export function signForm(baseUrl: string, form: Form, key = TEST_KEY): string {
  return formSignature(key, webhookUrl(baseUrl), Object.entries(form));
}

export async function postForm(baseUrl: string, form: Form, key = TEST_KEY): Promise<Response> {
  return fetch(webhookUrl(baseUrl), {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-SignalWire-Signature': signForm(baseUrl, form, key),
    },
    body: new URLSearchParams(form).toString(),
  });
}
