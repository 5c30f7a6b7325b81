import type { Callback } from '../callbacks/schema';
import { supersedes } from '../common/status';

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
  };
  const changed =
    !current ||
    (Object.keys(next) as (keyof CallState)[]).some((k) =>
      k === 'startedAt' ? next.startedAt.getTime() !== current.startedAt.getTime() : next[k] !== current[k],
    );
  return { next, applies, changed };
}
