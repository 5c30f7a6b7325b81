// What a batch of callbacks changes, worked out from what the store holds of the calls it touches:
// which events are new, which are retries, which calls change and by how much each rollup row
// moves. Pure: store.ts reads the state before and writes the plan after, and unit tests drive
// it without a database.
import type { Callback } from '../../callbacks/schema';
import { applyEvent, directionOf, type CallState } from '../apply';
import { eventRow, factsOf, toRow, type EventRow, type StoredCall } from '../rows';
import { RESOLUTIONS } from '../rollup';
import type { MosLimits } from '../../common/status';
import { addTally, contribution, emptyTally, isZero, minuteBucket } from '../../common/tally';
import type { CallUpdate, Tally } from '../../common/types';

export interface Submission {
  callback: Callback;
  receivedAt: Date;
}

/** What the store holds of the calls a batch touches. */
export interface StoredState {
  calls: StoredCall[];
  /** Their events, one per CallSid + CallStatus. */
  events: { id: number; callSid: string; status: string }[];
}

/** A call the batch changes. */
export interface CallChange {
  /** As stored before the batch; null for a call the store has not seen. */
  before: StoredCall | null;
  state: CallState;
  firstSeenAt: Date;
  updatedAt: Date;
  /** The event that last changed the call in this batch: its id becomes the call's eventId. */
  lastKey: string;
}

/** What to add to one rollup row (never all zero). */
export interface RollupDelta {
  /** Minutes, one of RESOLUTIONS. */
  resolution: number;
  /** Epoch ms of the row's start. */
  bucket: number;
  line: string;
  direction: string;
  /** The calls' status: a call whose status changes leaves one row for another. */
  status: string;
  /** Its failures go to FailureRollup rows of the same key. */
  delta: Tally;
}

/** When a line was last heard from for calls of one direction, and its latest call start (epoch ms). */
export interface LineHeard {
  line: string;
  direction: string;
  callbackAt: number;
  callAt: number;
}

export type Verdict =
  | { kind: 'duplicate' }
  /** `late`: an earlier status after a later one, recorded but not applied as the status. */
  | { kind: 'stored' | 'late'; key: string; callSid: string };

export interface BatchPlan {
  /** Events not stored yet, in arrival order, each with its deliveries in this batch. */
  events: EventRow[];
  /** Deliveries to add to events already stored, by event id. */
  retries: Map<number, number>;
  /** Calls that change, by CallSid, in the order the batch first changed them. */
  calls: Map<string, CallChange>;
  rollups: RollupDelta[];
  /** By line ("" for calls without a To) and direction. */
  lines: Map<string, LineHeard>;
  /** One per submission, in order. */
  verdicts: Verdict[];
}

export type IngestOutcome =
  | { kind: 'stored'; eventId: number; update?: CallUpdate }
  /** An earlier status after a later one: recorded; it changes the call only where it adds to it. */
  | { kind: 'late'; eventId: number; update?: CallUpdate }
  | { kind: 'duplicate' };

/** Events are unique per CallSid + CallStatus: a second delivery of one is a retry. */
export const eventKey = (callSid: string, status: string) => `${callSid}\u0000${status}`;

const bucketAt = (minute: number, resolution: number) =>
  Math.floor(minute / (resolution * 60_000)) * resolution * 60_000;

/**
 * Applies a batch in arrival order, so that retries and disorder within a batch behave as they do
 * across batches.
 */
export function planBatch(batch: Submission[], stored: StoredState, limits: MosLimits): BatchPlan {
  const storedEvents = new Map(stored.events.map((e) => [eventKey(e.callSid, e.status), e.id]));
  const storedCalls = new Map(stored.calls.map((c) => [c.callSid, c]));

  const events: EventRow[] = [];
  const newByKey = new Map<string, EventRow>();
  const retries = new Map<number, number>();
  const calls = new Map<string, CallChange>();
  const lines = new Map<string, LineHeard>();
  const heard = (
    c: { to: string | null; startedAt: Date; direction: string } | null,
    cb: Callback,
    receivedAt: Date,
  ) => {
    // Kept by direction: a leg's or an outbound call's To is someone else's number (an agent's),
    // not one of the center's lines, and only the center's lines are watched for silence.
    const direction = c?.direction ?? directionOf([cb.direction], cb.parentSid);
    const line = c?.to ?? cb.to ?? '';
    const callAt = (c?.startedAt ?? cb.timestamp ?? receivedAt).getTime();
    const key = `${line}\u0000${direction}`;
    const known = lines.get(key);
    lines.set(key, {
      line,
      direction,
      callbackAt: Math.max(known?.callbackAt ?? 0, receivedAt.getTime()),
      callAt: Math.max(known?.callAt ?? 0, callAt),
    });
  };
  const verdicts: Verdict[] = [];

  for (const { callback: cb, receivedAt } of batch) {
    const key = eventKey(cb.callSid, cb.status);
    const storedId = storedEvents.get(key);
    const fresh = newByKey.get(key);
    if (storedId !== undefined || fresh) {
      if (fresh) fresh.deliveries++;
      else retries.set(storedId!, (retries.get(storedId!) ?? 0) + 1);
      heard(calls.get(cb.callSid)?.state ?? storedCalls.get(cb.callSid) ?? null, cb, receivedAt);
      verdicts.push({ kind: 'duplicate' });
      continue;
    }
    const t = calls.get(cb.callSid);
    const db = storedCalls.get(cb.callSid) ?? null;
    const current = t?.state ?? db;
    const { next, applies, changed } = applyEvent(current, cb, receivedAt);
    const event = eventRow(cb, receivedAt, applies);
    events.push(event);
    newByKey.set(key, event);
    if (changed) {
      calls.set(cb.callSid, {
        before: t ? t.before : db,
        state: next,
        firstSeenAt: t?.firstSeenAt ?? db?.firstSeenAt ?? receivedAt,
        updatedAt: receivedAt,
        lastKey: key,
      });
    }
    heard(changed ? next : current, cb, receivedAt);
    verdicts.push({ kind: applies ? 'stored' : 'late', key, callSid: cb.callSid });
  }

  return { events, retries, calls, rollups: rollupDeltas(calls.values(), limits), lines, verdicts };
}

/** Each changed call's contribution moved from its old rollup rows to its new ones. */
function rollupDeltas(changes: Iterable<CallChange>, limits: MosLimits): RollupDelta[] {
  const rollups = new Map<string, RollupDelta>();
  // A call's contribution added to (or taken from) its row at every resolution.
  const add = (
    minute: number,
    line: string,
    direction: string,
    status: string,
    delta: Tally,
    sign: 1 | -1,
  ) => {
    for (const resolution of RESOLUTIONS) {
      const bucket = bucketAt(minute, resolution);
      const k = `${resolution}\u0000${bucket}\u0000${line}\u0000${direction}\u0000${status}`;
      let total = rollups.get(k);
      if (!total) {
        total = { resolution, bucket, line, direction, status, delta: emptyTally() };
        rollups.set(k, total);
      }
      addTally(total.delta, delta, sign);
    }
  };
  for (const t of changes) {
    const now = t.state;
    const minute = minuteBucket(now.startedAt.getTime());
    const line = now.to ?? '';
    const delta = contribution(now, limits);
    const was = t.before;
    if (was) {
      const wasMinute = minuteBucket(was.startedAt.getTime());
      const wasLine = was.to ?? '';
      if (
        wasMinute === minute &&
        wasLine === line &&
        was.direction === now.direction &&
        was.status === now.status
      ) {
        // Its old and new minute rows are the same row: only the difference moves.
        addTally(delta, contribution(was, limits), -1);
        if (isZero(delta)) continue;
      } else {
        add(wasMinute, wasLine, was.direction, was.status, contribution(was, limits), -1);
      }
    }
    add(minute, line, now.direction, now.status, delta, 1);
  }
  return [...rollups.values()].filter((r) => !isZero(r.delta));
}

/**
 * Each submission's outcome, once the store has given the new events their ids. A call changed by
 * several events of the batch is published once, with its last change.
 */
export function outcomesOf(plan: BatchPlan, idOf: ReadonlyMap<string, number>): IngestOutcome[] {
  const updates = new Map<string, CallUpdate>();
  for (const [sid, t] of plan.calls) {
    const eventId = idOf.get(t.lastKey)!;
    updates.set(sid, {
      id: eventId,
      call: toRow({ ...t.state, eventId }),
      before: t.before && factsOf(t.before),
    });
  }
  return plan.verdicts.map((v) => {
    if (v.kind === 'duplicate') return v;
    const eventId = idOf.get(v.key)!;
    const update = updates.get(v.callSid);
    return { kind: v.kind, eventId, update: update?.id === eventId ? update : undefined };
  });
}
