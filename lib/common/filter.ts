// What the board counts: a time range and optional line, status and caller filters. The server
// answers snapshots and exports for one; the browser applies live updates through the same test.
import { z } from 'zod';
import { CALL_STATUSES, DIRECTIONS, type Direction } from './status';
import { MAX_EPOCH_MS } from './range';

export interface BoardFilter {
  /** Epoch ms, inclusive, on each call's start time. */
  from: number;
  /** Epoch ms, exclusive; null = no end. */
  to: number | null;
  /** The center's number (a call's To); "" is calls without one. */
  line: string | null;
  status: string | null;
  /** Digits (and +) the caller's number contains. */
  caller: string | null;
  /** Which calls: inbound (the default), or outbound legs, or outbound calls, each on its own. */
  direction: Direction;
  /**
   * The lines a line-scoped viewer may see (set by the server from who asks, never from the
   * query): calls and rollups of other lines are left out of everything. Absent: every line.
   */
  lines?: readonly string[];
}

export const MAX_LINE_LENGTH = 256;
export const MAX_CALLER_LENGTH = 32;

/** Every call ever stored. */
export const ALL_TIME: BoardFilter = {
  from: 0,
  to: null,
  line: null,
  status: null,
  caller: null,
  direction: 'inbound',
};

/** Keeps what a phone number search can match: digits and a leading plus. */
export const normalizeCaller = (q: string) => q.replace(/[^\d+]/g, '');

const epochMs = z.coerce.number().int().min(0).max(MAX_EPOCH_MS);

/** Query parameters of /api/dashboard and /api/calls/export. */
export const filterQuerySchema = z
  .object({
    from: epochMs.default(0),
    to: epochMs.optional(),
    // As long as a callback's To may be.
    line: z.string().max(MAX_LINE_LENGTH).optional(),
    status: z.enum(CALL_STATUSES).optional(),
    caller: z
      .string()
      .max(MAX_CALLER_LENGTH)
      .optional()
      .transform((v) => (v === undefined ? undefined : normalizeCaller(v))),
    direction: z.enum(DIRECTIONS, { message: `must be one of ${DIRECTIONS.join(', ')}` }).default('inbound'),
  })
  .refine((q) => q.to === undefined || q.to > q.from, { message: 'must be after from', path: ['to'] });

export function filterOf(q: z.infer<typeof filterQuerySchema>): BoardFilter {
  return {
    from: q.from,
    to: q.to ?? null,
    line: q.line ?? null,
    status: q.status ?? null,
    caller: q.caller ? q.caller : null,
    direction: q.direction,
  };
}

/** The filter as query parameters (the inverse of filterQuerySchema). */
export function filterParams(f: BoardFilter): URLSearchParams {
  const p = new URLSearchParams({ from: String(f.from) });
  if (f.to !== null) p.set('to', String(f.to));
  if (f.line !== null) p.set('line', f.line);
  if (f.status !== null) p.set('status', f.status);
  if (f.caller !== null) p.set('caller', f.caller);
  if (f.direction !== 'inbound') p.set('direction', f.direction);
  return p;
}

export interface Filterable {
  /** ISO 8601. */
  startedAt: string;
  to: string | null;
  from: string | null;
  status: string;
  direction: string;
}

/** Whether the board counts this call, ignoring the line filter when `anyLine` (the line table). */
export function matches(c: Filterable, f: BoardFilter, anyLine = false): boolean {
  const t = Date.parse(c.startedAt);
  if (t < f.from || (f.to !== null && t >= f.to)) return false;
  if (!anyLine && f.line !== null && (c.to ?? '') !== f.line) return false;
  if (f.lines && !f.lines.includes(c.to ?? '')) return false;
  if (c.direction !== f.direction) return false;
  if (f.status !== null && c.status !== f.status) return false;
  if (f.caller !== null && !(c.from ?? '').includes(f.caller)) return false;
  return true;
}
