// Callbacks as SignalWire sends them: form-encoded strings.
import { randomUUID } from 'node:crypto';

export type Form = Record<string, string>;

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

export async function postForm(baseUrl: string, form: Form): Promise<Response> {
  return fetch(new URL('/api/webhooks/call-status', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}
