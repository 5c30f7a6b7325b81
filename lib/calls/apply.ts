import type { Callback } from '../callbacks/schema';
import { supersedes, type Direction } from '../common/status';

/** What the store keeps of a call, apart from bookkeeping. */
export interface CallState {
  callSid: string;
  accountSid: string | null;
  from: string | null;
  to: string | null;
  status: string;
  sequence: number | null;
  startedAt: Date;
  duration: number | null;
  mos: number | null;
  direction: Direction;
  parentSid: string | null;
  sipCode: number | null;
  packets: number | null;
  lost: number | null;
  jitter: number | null;
  flushes: number | null;
}

const OUTWARD: Record<Direction, number> = { inbound: 0, 'outbound-api': 1, 'outbound-dial': 2 };

/**
 * A call's direction from everything reported so far, whatever the order: a leg stays a leg
 * (a parent, or outbound-dial, in any callback), then outbound-api, else inbound.
 */
export function directionOf(reported: (string | null | undefined)[], parentSid: string | null): Direction {
  if (parentSid !== null) return 'outbound-dial';
  let d: Direction = 'inbound';
  for (const r of reported) if (r && r in OUTWARD && OUTWARD[r as Direction] > OUTWARD[d]) d = r as Direction;
  return d;
}

/**
 * One new event against a call's current state. The result must not depend on arrival order:
 * the newest status wins (see `supersedes`), the call starts at the earliest time any event
 * reports, and an event that arrives late still fills in what the current state lacks.
 */
export function applyEvent(current: CallState | null, cb: Callback, receivedAt: Date) {
  const applies = !current || supersedes(cb, current);
  const at = cb.timestamp ?? receivedAt;
  const prefer = <T>(mine: T | null, theirs: T | null | undefined): T | null =>
    applies ? (mine ?? theirs ?? null) : (theirs ?? mine ?? null);
  const next: CallState = {
    callSid: cb.callSid,
    accountSid: prefer(cb.accountSid, current?.accountSid),
    from: prefer(cb.from, current?.from),
    to: prefer(cb.to, current?.to),
    status: applies ? cb.status : current!.status,
    sequence: applies ? cb.sequence : current!.sequence,
    startedAt: current && current.startedAt <= at ? current.startedAt : at,
    duration: prefer(cb.duration, current?.duration),
    mos: prefer(cb.mos, current?.mos),
    parentSid: prefer(cb.parentSid, current?.parentSid),
    direction: 'inbound',
    sipCode: prefer(cb.sipCode, current?.sipCode),
    packets: prefer(cb.packets, current?.packets),
    lost: prefer(cb.lost, current?.lost),
    jitter: prefer(cb.jitter, current?.jitter),
    flushes: prefer(cb.flushes, current?.flushes),
  };
  next.direction = directionOf([cb.direction, current?.direction], next.parentSid);
  const changed =
    !current ||
    (Object.keys(next) as (keyof CallState)[]).some((k) =>
      k === 'startedAt' ? next.startedAt.getTime() !== current.startedAt.getTime() : next[k] !== current[k],
    );
  return { next, applies, changed };
}
