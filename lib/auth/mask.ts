// Callers' numbers as a viewer who may not see them in full receives them: masked on the server,
// so the full number never reaches that screen (its page, its snapshots or its live feed).
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { CallFacts, CallRow, CallUpdate, Snapshot } from '../common/types';

const HIDDEN = '•••';
/** What a caller without a number is shown as by the providers; nothing personal to hide. */
const NOT_A_NUMBER = /^(anonymous|restricted|unknown|private|unavailable)$/i;

/**
 * Keeps enough to tell calls apart at a glance (country, the first digits, the last ones) and
 * always hides at least three digits: `+15551230123` → `+1 555 ••• 0123`. A number the country
 * tables do not know keeps only its first and last digits; anything else (a SIP address, a client
 * name) is hidden whole.
 */
export function maskNumber(value: string): string {
  if (NOT_A_NUMBER.test(value.trim())) return value.trim();
  const parsed = value.startsWith('+') ? parsePhoneNumberFromString(value) : undefined;
  if (parsed?.isPossible()) return `+${parsed.countryCallingCode} ${maskDigits(parsed.nationalNumber)}`;
  const digits = value.replace(/\D/g, '');
  return digits.length > 0 && !/[a-z@]/i.test(value) ? maskDigits(digits) : HIDDEN;
}

function maskDigits(digits: string): string {
  const n = digits.length;
  const tail = n >= 9 ? 4 : n >= 5 ? 2 : 0;
  const head = Math.max(0, Math.min(3, n - tail - 3));
  return [digits.slice(0, head), HIDDEN, digits.slice(n - tail)].filter(Boolean).join(' ');
}

/**
 * The caller's number; and on a leg or an outbound call, the called one too, which is then a
 * person's (an agent's, a customer's), not one of the center's lines.
 */
const maskFrom = <T extends Pick<CallFacts, 'from' | 'to' | 'direction'>>(c: T): T => {
  const masked = c.from === null ? c : { ...c, from: maskNumber(c.from) };
  return c.direction === 'inbound' || masked.to === null ? masked : { ...masked, to: maskNumber(masked.to) };
};

export const maskCall = (c: CallRow): CallRow => maskFrom(c);

export function maskUpdates(updates: CallUpdate[]): CallUpdate[] {
  return updates.map((u) => {
    // A later callback can make an inbound-looking call a leg (ParentCallSid): its earlier state's
    // To was a person's then too.
    const person = u.call.direction !== 'inbound' || (u.before !== null && u.before.direction !== 'inbound');
    const mask = <T extends CallFacts>(c: T): T => {
      const m = maskFrom(c);
      return person && m.to !== null && c.direction === 'inbound' ? { ...m, to: maskNumber(m.to) } : m;
    };
    return { ...u, call: mask(u.call), before: u.before && mask(u.before) };
  });
}

export function maskSnapshot(s: Snapshot): Snapshot {
  const calls = s.calls.map(maskCall);
  if (s.filter.direction === 'inbound') return { ...s, calls };
  // Legs' and outbound calls' "lines" are the numbers called: people's, not the center's.
  return {
    ...s,
    calls,
    filter: { ...s.filter, line: s.filter.line === null ? null : maskNumber(s.filter.line) },
    lines: s.lines.map((l) => ({ ...l, line: maskNumber(l.line) })),
  };
}

/** Raw fields about the caller (Twilio's From, FromCity, FromZip, Caller…; a call-state's from_number). */
const CALLER_FIELD = /^(from|caller|forwardedfrom|from_number|caller_id_number|caller_id_name|callername)/i;
/** On a leg or an outbound call, the called party's fields are a person's too. */
const CALLED_FIELD = /^(to|called|to_number)/i;
/** Signed tokens that carry the numbers encoded (STIR/SHAKEN's PASSporT, Twilio's CallToken): hidden whole. */
const TOKEN_FIELD = /(token|passport|identity)$/i;
/** Digits only, without the country code's 1 or the leading + : how a number appears in a SIP URI. */
const digitsOf = (n: string) => n.replace(/\D/g, '');

/**
 * A callback's raw fields (flat: call-state bodies are kept under dotted paths) with the caller's
 * data masked: every field about the caller, and the caller's number wherever else it appears
 * (inside a SIP address, a header copy). `direction` decides whether the called number is a
 * person's as well (legs and outbound calls), as for the call row.
 */
export function maskRaw(raw: Record<string, string>, direction: string): Record<string, string> {
  const person = (key: string) => {
    const last = key.slice(key.lastIndexOf('.') + 1);
    return CALLER_FIELD.test(last) || (direction !== 'inbound' && CALLED_FIELD.test(last));
  };
  // The numbers to hide wherever they appear: those the person fields hold, as digits, long enough
  // not to match a counter by chance. Elsewhere a number may be written with or without its + or
  // country code (sip:14155551000@…, 4155551000), so every run of digits is compared by its digits.
  const numbers = new Set<string>();
  for (const [key, value] of Object.entries(raw)) {
    if (!person(key)) continue;
    for (const m of value.matchAll(/\+?[\d\s().-]{6,}\d/g)) {
      const d = digitsOf(m[0]);
      if (d.length >= 6) numbers.add(d);
    }
  }
  // A run of digits is hidden when it holds one of those numbers, or the number holds it (the
  // number without its country code).
  const hides = (run: string) => {
    if (run.length < 6) return false;
    for (const n of numbers) if (n.includes(run) || run.includes(n)) return true;
    return false;
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const last = key.slice(key.lastIndexOf('.') + 1);
    if (person(key)) {
      out[key] = value === '' ? value : maskNumber(value);
    } else if (TOKEN_FIELD.test(last) && value !== '') {
      out[key] = HIDDEN;
    } else {
      out[key] =
        numbers.size === 0
          ? value
          : value.replace(/\+?\d{6,}/g, (run) => (hides(digitsOf(run)) ? maskNumber(run) : run));
    }
  }
  return out;
}
