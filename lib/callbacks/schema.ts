import { z } from 'zod';
import { CALL_STATUSES } from '../common/status';
import type { Fields } from './body';
import { BIDI_CONTROLS } from '../common/format';

const sid = z
  .string()
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, ".", "_", ":" or "-"');

const party = z
  .string()
  .max(256, 'must be at most 256 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters')
  // The typed column drops them; the raw callback keeps what was sent.
  .transform((s) => s.replace(BIDI_CONTROLS, ''));

const timestamp = z
  .string()
  .max(64, 'must be at most 64 characters')
  .transform((s, ctx) => {
    // RFC 2822 ("Thu, 04 Apr 2024 18:32:15 +0000") and ISO 8601 both parse here.
    const ms = Date.parse(s);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an RFC 2822 or ISO 8601 date' });
      return z.NEVER;
    }
    const year = new Date(ms).getUTCFullYear();
    if (year < 2000 || year > 2100) {
      ctx.addIssue({ code: 'custom', message: 'must be a date between the years 2000 and 2100' });
      return z.NEVER;
    }
    return new Date(ms);
  });

// A day at most: providers end calls long before that, and it keeps every rollup sum in range.
const MAX_DURATION = 86_400;
const duration = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a whole number of seconds')
  .transform(Number)
  .refine((n) => n <= MAX_DURATION, `must be at most ${MAX_DURATION} seconds`);

const mos = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a number')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 5, 'must be between 1 and 5');

const sequence = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a whole number')
  .transform(Number);

/** A packet counter: whole, and below 2^31 so sums of an hour's calls stay exact. */
const counter = z
  .string()
  .regex(/^\d{1,10}$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n <= 2_000_000_000, 'must be at most 2000000000');

const jitter = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a number of milliseconds')
  .transform(Number)
  .refine((n) => n <= 60_000, 'must be at most 60000 milliseconds');

const sipCode = z
  .string()
  .regex(/^\d{3}$/, 'must be a three-digit SIP response code')
  .transform(Number)
  .refine((n) => n >= 100 && n <= 699, 'must be a SIP response code (100-699)');

/**
 * Twilio and SignalWire cXML say inbound, outbound-api or outbound-dial; SWML says outbound.
 * Twilio's Elastic SIP Trunking says trunking-originating (from the phone network into the
 * center's trunk: inbound) and trunking-terminating (from the center out: outbound-api).
 */
const DIRECTION_WORDS: Record<string, 'inbound' | 'outbound-api' | 'outbound-dial'> = {
  inbound: 'inbound',
  'outbound-api': 'outbound-api',
  'outbound-dial': 'outbound-dial',
  outbound: 'outbound-api',
  'trunking-originating': 'inbound',
  'trunking-terminating': 'outbound-api',
};
const direction = z
  .string()
  .transform((s) => s.toLowerCase())
  .refine((d) => d in DIRECTION_WORDS, 'must be inbound, outbound-api or outbound-dial')
  .transform((d) => DIRECTION_WORDS[d]!);

/** Without these a callback cannot be placed: refused with a 400 naming the field. */
const identity = z.object({
  CallSid: sid,
  CallStatus: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(CALL_STATUSES, { message: `must be one of ${CALL_STATUSES.join(', ')}` })),
});

/**
 * Reported values. A malformed one is dropped (the call is stored without it, the raw callback
 * keeps it) rather than losing the call: a provider does not retry a 400, so refusing would take
 * the call off the board for good.
 */
const reported = {
  AccountSid: sid,
  From: party,
  To: party,
  Timestamp: timestamp,
  CallDuration: duration,
  AudioInMos: mos,
  SequenceNumber: sequence,
  Direction: direction,
  ParentCallSid: sid,
  SipResultCode: sipCode,
  AudioInMediaPacketCount: counter,
  AudioInPacketCount: counter,
  AudioInSkipPacketCount: counter,
  AudioInFlushPacketCount: counter,
  AudioInJitterMaxVariance: jitter,
} as const;

type Reported = { [K in keyof typeof reported]: z.output<(typeof reported)[K]> | undefined };

/** A reported field that was malformed and left out, with why. */
export interface DroppedField {
  field: string;
  error: string;
}

export interface Callback {
  callSid: string;
  accountSid: string | null;
  from: string | null;
  to: string | null;
  timestamp: Date | null;
  status: string;
  duration: number | null;
  mos: number | null;
  sequence: number | null;
  /** inbound, outbound-dial or outbound-api; null when not reported (see directionOf). */
  direction: string | null;
  parentSid: string | null;
  sipCode: number | null;
  /** Media packets received (AudioInMediaPacketCount, else AudioInPacketCount). */
  packets: number | null;
  /** AudioInSkipPacketCount. */
  lost: number | null;
  /** AudioInJitterMaxVariance, ms. */
  jitter: number | null;
  /** AudioInFlushPacketCount. */
  flushes: number | null;
  /** Every field as received, known or not. */
  raw: Fields;
  /** Reported fields left out because they were malformed. */
  dropped: DroppedField[];
}

export type Validation = { ok: true; callback: Callback } | { ok: false; field: string; message: string };

export function validateCallback(fields: Fields): Validation {
  const parsed = identity.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'body');
    const message =
      issue.code === 'invalid_type' && fields[field] === undefined
        ? `${field} is required`
        : `${field} ${issue.message}`;
    return { ok: false, field, message };
  }
  const dropped: DroppedField[] = [];
  const values = {} as Record<string, unknown>;
  for (const [field, schema] of Object.entries(reported)) {
    const value = fields[field];
    // Absent and empty mean "not reported".
    if (value === undefined || value === '') continue;
    const r = (schema as z.ZodType).safeParse(value);
    if (r.success) values[field] = r.data;
    else dropped.push({ field, error: r.error.issues[0]!.message });
  }
  const d = values as Reported;
  return {
    ok: true,
    callback: {
      callSid: parsed.data.CallSid,
      accountSid: d.AccountSid ?? null,
      // Nothing left once the controls are gone is "not reported".
      from: d.From || null,
      to: d.To || null,
      timestamp: d.Timestamp ?? null,
      status: parsed.data.CallStatus,
      duration: d.CallDuration ?? null,
      mos: d.AudioInMos ?? null,
      sequence: d.SequenceNumber ?? null,
      direction: d.Direction ?? null,
      parentSid: d.ParentCallSid ?? null,
      sipCode: d.SipResultCode ?? null,
      packets: d.AudioInMediaPacketCount ?? d.AudioInPacketCount ?? null,
      lost: d.AudioInSkipPacketCount ?? null,
      jitter: d.AudioInJitterMaxVariance ?? null,
      flushes: d.AudioInFlushPacketCount ?? null,
      raw: { ...fields },
      dropped,
    },
  };
}
