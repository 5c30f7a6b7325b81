// What a viewer may see of the calls: every line or only theirs, and callers' numbers in full or
// masked. Applied on the server to every answer and to the live feed, so what a viewer may not
// see never reaches their screen.
import type { BoardFilter } from '../common/filter';
import type { CallHistory, CallRow, Snapshot } from '../common/types';
import type { Principal } from './policy';
import { maskCall, maskRaw, maskSnapshot } from './mask';
import { MASKED_SEARCH_DIGITS } from '../common/privacy';

/** Whether this viewer receives callers' numbers masked (a reveal, where allowed, is per call). */
export const masksNumbers = (p: Principal): boolean => p.numbers !== 'full';

export class OutOfScope extends Error {
  override name = 'OutOfScope';
  constructor(
    message: string,
    readonly field: string,
    /** 403: not this viewer's to see; 400: a search a masked viewer may not make. */
    readonly status: 400 | 403 = 403,
  ) {
    super(message);
  }
}

/**
 * The filter narrowed to the viewer's lines. A line-scoped viewer sees inbound calls to their
 * lines: legs and outbound calls are placed to people, not to a line, so they are not theirs.
 * Asking for another line, or another direction, is refused (OutOfScope names the field).
 */
export function scopeFilter(f: BoardFilter, p: Principal): BoardFilter {
  if (masksNumbers(p)) {
    if (f.caller !== null && f.caller.replace(/\D/g, '').length < MASKED_SEARCH_DIGITS) {
      throw new OutOfScope(
        `with numbers masked, search by at least ${MASKED_SEARCH_DIGITS} digits`,
        'caller',
        400,
      );
    }
    // Legs' and outbound calls' "lines" are people's numbers, which this viewer sees masked.
    if (f.line !== null && f.direction !== 'inbound') {
      throw new OutOfScope(
        'with numbers masked, legs and outbound calls are not filtered by number',
        'line',
        400,
      );
    }
  }
  if (p.lines === null) return f;
  if (f.line !== null && !p.lines.includes(f.line)) throw new OutOfScope('not one of your lines', 'line');
  if (f.direction !== 'inbound')
    throw new OutOfScope('you see inbound calls to your lines only', 'direction');
  return { ...f, lines: p.lines };
}

/** Whether a call (a leg: its parent call) is one this viewer may open. */
export function callInScope(call: Pick<CallRow, 'to' | 'direction'>, p: Principal): boolean {
  return p.lines === null || (call.direction === 'inbound' && p.lines.includes(call.to ?? ''));
}

/**
 * Whether this viewer may open a call, a leg going by the line its parent call came in on;
 * `callOf` reads a call by its sid (the parent, for a leg). Unscoped viewers read nothing more.
 */
export async function mayOpen(
  call: Pick<CallRow, 'to' | 'direction' | 'parentSid'> | null,
  p: Principal,
  callOf: (sid: string) => Promise<Pick<CallRow, 'to' | 'direction'> | null>,
): Promise<boolean> {
  if (p.lines === null) return true;
  const owner = call?.parentSid ? await callOf(call.parentSid) : call;
  return owner !== null && callInScope(owner, p);
}

export const snapshotFor = (s: Snapshot, p: Principal): Snapshot => (masksNumbers(p) ? maskSnapshot(s) : s);

export const callsFor = (calls: CallRow[], p: Principal): CallRow[] =>
  masksNumbers(p) ? calls.map(maskCall) : calls;

/** A call's history as this viewer may see it: the call, its legs and every raw callback masked. */
export function historyFor(h: CallHistory, p: Principal): CallHistory {
  if (!masksNumbers(p)) return h;
  const direction = h.call?.direction ?? 'inbound';
  return {
    call: h.call && maskCall(h.call),
    legs: h.legs.map(maskCall),
    events: h.events.map((e) => ({ ...e, raw: maskRaw(e.raw, direction) })),
  };
}
