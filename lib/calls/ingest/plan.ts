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
  for (const t of changes) {
    // Its old and new minute rows are often the same row: then only the difference moves.
    const moves = new Map<
      string,
      { bucket: number; line: string; direction: string; status: string; delta: Tally }
    >();
    const shift = (c: CallState, sign: 1 | -1) => {
      const bucket = minuteBucket(c.startedAt.getTime());
      const line = c.to ?? '';
      const k = `${bucket}\u0000${line}\u0000${c.direction}\u0000${c.status}`;
      const entry = moves.get(k) ?? {
        bucket,
        line,
        direction: c.direction,
        status: c.status,
        delta: emptyTally(),
      };
      addTally(entry.delta, contribution(c, limits), sign);
      moves.set(k, entry);
    };
    if (t.before) shift(t.before, -1);
    shift(t.state, 1);
    for (const m of moves.values()) {
      if (isZero(m.delta)) continue;
      for (const resolution of RESOLUTIONS) {
        const bucket = bucketAt(m.bucket, resolution);
        const k = `${resolution}\u0000${bucket}\u0000${m.line}\u0000${m.direction}\u0000${m.status}`;
        const total = rollups.get(k) ?? {
          resolution,
          bucket,
          line: m.line,
          direction: m.direction,
          status: m.status,
          delta: emptyTally(),
        };
        addTally(total.delta, m.delta);
        rollups.set(k, total);
      }
    }
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
