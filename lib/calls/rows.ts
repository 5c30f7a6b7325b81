// The rows a callback becomes and what the board receives of a stored call. Writes (ingest/) and
// reads (queries.ts) both map through here, so that neither imports the other.
import type { Callback } from '../callbacks/schema';
import type { CallState } from './apply';
import type { CallFacts, CallRow } from '../common/types';
import type { Direction } from '../common/status';

/** A call as the store holds it, with when it was first heard of. */
export type StoredCall = CallState & { firstSeenAt: Date };

/** One distinct callback (CallSid + CallStatus) as received: a CallEvent row. */
export interface EventRow {
  callSid: string;
  status: string;
  sequence: number | null;
  timestamp: Date | null;
  receivedAt: Date;
  /** Every field as received, as JSON. */
  raw: string;
  /** False when it arrived after a later status (see applyEvent). */
  applied: boolean;
  /** 1 + the retries absorbed. */
  deliveries: number;
}

/** The event row of a callback's first delivery. Its call row is applyEvent's `next`. */
export function eventRow(cb: Callback, receivedAt: Date, applied: boolean): EventRow {
  return {
    callSid: cb.callSid,
    status: cb.status,
    sequence: cb.sequence,
    timestamp: cb.timestamp,
    receivedAt,
    raw: JSON.stringify(cb.raw),
    applied,
    deliveries: 1,
  };
}

/** A stored call as the board receives it, whether read through Prisma or raw SQL. */
export function toRow(
  c: Omit<CallState, 'sequence' | 'direction'> & { direction: string; eventId: number },
): CallRow {
  return {
    callSid: c.callSid,
    accountSid: c.accountSid,
    from: c.from,
    to: c.to,
    status: c.status,
    startedAt: c.startedAt.toISOString(),
    duration: c.duration,
    mos: c.mos,
    direction: c.direction,
    parentSid: c.parentSid,
    sipCode: c.sipCode,
    packets: c.packets,
    lost: c.lost,
    jitter: c.jitter,
    flushes: c.flushes,
    eventId: c.eventId,
  };
}

/** What a board's tallies and filters read of a call: its contribution before a change. */
export function factsOf(c: CallState): CallFacts {
  return {
    startedAt: c.startedAt.toISOString(),
    to: c.to,
    from: c.from,
    status: c.status,
    duration: c.duration,
    mos: c.mos,
    direction: c.direction,
    sipCode: c.sipCode,
    packets: c.packets,
    lost: c.lost,
    jitter: c.jitter,
    flushes: c.flushes,
  };
}

// Raw rows come back as the driver gives them: dates as Date (PostgreSQL) or epoch ms (SQLite),
// integers possibly as bigint.
type RawCall = Record<string, unknown>;
const asDate = (v: unknown) => (v instanceof Date ? v : new Date(Number(v)));
const asNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const asText = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The "Call" columns a CallRow is read from, quoted for a raw SELECT. */
export const CALL_ROW_SELECT =
  '"callSid", "accountSid", "from", "to", "status", "startedAt", "duration", "mos", "direction", "parentSid", "sipCode", "packets", "lost", "jitter", "flushes", "eventId"';

/** The typed columns every call has beyond its identity, read from a raw row. */
function extrasOf(c: RawCall) {
  return {
    direction: String(c.direction ?? 'inbound') as Direction,
    parentSid: asText(c.parentSid),
    sipCode: asNumber(c.sipCode),
    packets: asNumber(c.packets),
    lost: asNumber(c.lost),
    jitter: asNumber(c.jitter),
    flushes: asNumber(c.flushes),
  };
}

/** A raw "Call" row (at least CALL_ROW_SELECT's columns) as the board receives it. */
export function callRowOf(c: RawCall): CallRow {
  return toRow({
    callSid: String(c.callSid),
    accountSid: asText(c.accountSid),
    from: asText(c.from),
    to: asText(c.to),
    status: String(c.status),
    startedAt: asDate(c.startedAt),
    duration: asNumber(c.duration),
    mos: asNumber(c.mos),
    ...extrasOf(c),
    eventId: Number(c.eventId),
  });
}

/** A raw "Call" row, every column, as the ingest plans against it. */
export function storedCallOf(c: RawCall): StoredCall {
  return {
    callSid: String(c.callSid),
    accountSid: asText(c.accountSid),
    from: asText(c.from),
    to: asText(c.to),
    status: String(c.status),
    sequence: asNumber(c.sequence),
    startedAt: asDate(c.startedAt),
    duration: asNumber(c.duration),
    mos: asNumber(c.mos),
    ...extrasOf(c),
    firstSeenAt: asDate(c.firstSeenAt),
  };
}
