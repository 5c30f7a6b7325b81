// What a masked viewer gets of a call's raw callbacks and of its live updates: nothing that gives
// the caller's number (or, on a leg or an outbound call, the called person's) back.
import { describe, expect, it } from 'vitest';
import { maskNumber, maskRaw, maskUpdates } from '@/lib/auth/mask';
import type { CallRow, CallUpdate } from '@/lib/common/types';

const CALLER = '+14155551000';
/** The digits a masked value must not hold, with and without the country code. */
const leaks = (text: string) =>
  ['14155551000', '4155551000'].filter((d) => text.replace(/\D/g, '').includes(d));

describe('maskRaw', () => {
  it('masks every field about the caller in a Twilio callback, and the number wherever it appears', () => {
    const raw = {
      CallSid: 'CA0123456789abcdef0123456789abcdef',
      From: CALLER,
      Caller: CALLER,
      CallerName: 'Jane Doe',
      FromCity: 'SAN FRANCISCO',
      FromZip: '94105',
      FromState: 'CA',
      CallerCountry: 'US',
      ForwardedFrom: '+14155552000',
      To: '+18005550101',
      Called: '+18005550101',
      CallToken: '%7B%22parentCallInfoToken%22%3A%22eyJhbGciOiJFUzI1NiJ9%22%7D',
      StirPassportToken:
        'eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiJ9.eyJvcmlnIjp7InRuIjoiMTQxNTU1NTEwMDAifX0.sig',
      'SipHeader_P-Asserted-Identity': '<sip:14155551000@carrier.example;user=phone>',
      SipHeader_Diversion: '<tel:4155551000>;reason=unconditional',
      AudioInPacketCount: '123456',
      CallDuration: '142',
    };
    const masked = maskRaw(raw, 'inbound');
    for (const [k, v] of Object.entries(masked)) expect(leaks(v), k).toEqual([]);
    expect(masked.From).toBe('+1 415 ••• 1000');
    expect(masked.CallerName).toBe('•••');
    expect(masked.FromZip).not.toContain('94105');
    expect(masked.ForwardedFrom).toBe(maskNumber('+14155552000'));
    expect(masked.StirPassportToken).toBe('•••');
    // An identity header is the caller's identity: hidden whole; elsewhere only the number goes.
    expect(masked['SipHeader_P-Asserted-Identity']).toBe('•••');
    expect(masked.SipHeader_Diversion).toMatch(/^<tel:.*•••.*>;reason=unconditional$/);
    // The center's line and what is not about the caller stay as received.
    expect(masked.To).toBe('+18005550101');
    expect(masked.Called).toBe('+18005550101');
    expect(masked.AudioInPacketCount).toBe('123456');
    expect(masked.CallDuration).toBe('142');
    expect(masked.CallSid).toBe(raw.CallSid);
  });

  it('masks a call-state callback’s dotted fields, and the called person on a leg', () => {
    const raw = {
      'call.call_id': 'c1',
      'call.from': `sip:${CALLER.slice(1)}@sip.example`,
      'call.device.params.from_number': CALLER,
      'call.device.params.to_number': '+14155559876',
      'call.headers.0.name': 'X-Original-Caller',
      'call.headers.0.value': '14155551000',
      'call.direction': 'outbound',
    };
    const masked = maskRaw(raw, 'outbound-dial');
    for (const [k, v] of Object.entries(masked)) expect(leaks(v), k).toEqual([]);
    // On a leg the number dialled is an agent's: a person's too.
    expect(JSON.stringify(masked)).not.toContain('4155559876');
    expect(masked['call.call_id']).toBe('c1');
  });
});

describe('maskUpdates', () => {
  const row = (over: Partial<CallRow>): CallRow =>
    ({
      callSid: 'c1',
      from: CALLER,
      to: '+14155559876',
      direction: 'inbound',
      status: 'ringing',
      startedAt: '2026-11-30T10:00:00.000Z',
      eventId: 1,
      ...over,
    }) as CallRow;

  it('masks the called number of a call that a later callback made a leg, in its earlier state too', () => {
    const update = {
      id: 2,
      call: row({ direction: 'outbound-dial', parentSid: 'p1', eventId: 2 }),
      before: row({}),
    } as unknown as CallUpdate;
    const text = JSON.stringify(maskUpdates([update]));
    expect(text).not.toContain('4155559876');
    expect(text).not.toContain('4155551000');
  });
});
