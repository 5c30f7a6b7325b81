// The batch plan without a store: what the ingest decides before it writes anything.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateCallback, type Callback } from '@/lib/callbacks/schema';
import {
  eventKey,
  outcomesOf,
  planBatch,
  type IngestOutcome,
  type StoredState,
  type Submission,
} from '@/lib/calls/ingest/plan';
import type { StoredCall } from '@/lib/calls/rows';
import { CALL_STATUSES, DEFAULT_MOS_LIMITS } from '@/lib/common/status';
import { addTally, contribution, emptyTally, isZero } from '@/lib/common/tally';
import type { Tally } from '@/lib/common/types';
import { PLAIN_CALL } from '../helpers/rows';

const LINE = '+18005550100';
const OTHER_LINE = '+18005550111';
const T0 = Date.UTC(2026, 0, 1, 11, 0, 10);
const iso = (ms: number) => new Date(ms).toISOString();

function cb(fields: Record<string, string>): Callback {
  const v = validateCallback(fields);
  if (!v.ok) throw new Error(v.message);
  return v.callback;
}
const at = (callback: Callback, ms: number): Submission => ({ callback, receivedAt: new Date(ms) });
const none: StoredState = { calls: [], events: [] };

const minus = (t: Tally) => addTally(emptyTally(), t, -1);
const diff = (after: Tally, before: Tally) => addTally(addTally(emptyTally(), after), before, -1);

/**
 * The minute, hour, day and week rows of LINE's inbound calls of one status at 11:00 on 1 January
 * 2026 (a Thursday, so its week starts that day).
 */
const rowsAt11 = (status: string, delta: Tally) =>
  [
    [1, Date.UTC(2026, 0, 1, 11, 0)],
    [60, Date.UTC(2026, 0, 1, 11)],
    [1440, Date.UTC(2026, 0, 1)],
    [10080, Date.UTC(2026, 0, 1)],
  ].map(([resolution, bucket]) => ({ resolution, bucket, line: LINE, direction: 'inbound', status, delta }));

function stored(c: Partial<StoredCall> & { callSid: string; status: string }): StoredCall {
  return {
    accountSid: null,
    from: null,
    to: null,
    sequence: null,
    startedAt: new Date(T0),
    duration: null,
    mos: null,
    ...PLAIN_CALL,
    firstSeenAt: new Date(T0),
    ...c,
  };
}

describe('planning a batch', () => {
  it("stores a call's first event, counting it in its minute and hour rows of its line", () => {
    const first = cb({
      CallSid: 'CA1',
      CallStatus: 'completed',
      From: '+15551230000',
      To: LINE,
      Timestamp: iso(T0),
      CallDuration: '75',
      AudioInMos: '4.2',
    });
    const plan = planBatch([at(first, T0 + 5_000)], none, DEFAULT_MOS_LIMITS);

    expect(plan.verdicts).toEqual([{ kind: 'stored', key: eventKey('CA1', 'completed'), callSid: 'CA1' }]);
    expect(plan.events).toEqual([
      {
        callSid: 'CA1',
        status: 'completed',
        sequence: null,
        timestamp: new Date(T0),
        receivedAt: new Date(T0 + 5_000),
        raw: JSON.stringify(first.raw),
        applied: true,
        deliveries: 1,
      },
    ]);
    expect(plan.retries.size).toBe(0);
    const state = {
      callSid: 'CA1',
      accountSid: null,
      from: '+15551230000',
      to: LINE,
      status: 'completed',
      sequence: null,
      startedAt: new Date(T0),
      duration: 75,
      mos: 4.2,
      ...PLAIN_CALL,
    };
    expect([...plan.calls]).toEqual([
      [
        'CA1',
        {
          before: null,
          state,
          firstSeenAt: new Date(T0 + 5_000),
          updatedAt: new Date(T0 + 5_000),
          lastKey: eventKey('CA1', 'completed'),
        },
      ],
    ]);
    const added = contribution(state, DEFAULT_MOS_LIMITS);
    expect(plan.rollups).toEqual(rowsAt11('completed', added));
    expect([...plan.lines.values()]).toEqual([
      { line: LINE, direction: 'inbound', callbackAt: T0 + 5_000, callAt: T0 },
    ]);

    expect(outcomesOf(plan, new Map([[eventKey('CA1', 'completed'), 41]]))).toEqual([
      {
        kind: 'stored',
        eventId: 41,
        update: {
          id: 41,
          call: {
            callSid: 'CA1',
            accountSid: null,
            from: '+15551230000',
            to: LINE,
            status: 'completed',
            startedAt: iso(T0),
            duration: 75,
            mos: 4.2,
            ...PLAIN_CALL,
            eventId: 41,
          },
          before: null,
        },
      },
    ]);
  });

  it('absorbs a retry of a stored event: one more delivery, nothing else changes', () => {
    const call = stored({ callSid: 'CA2', status: 'completed', to: LINE, duration: 30 });
    const state: StoredState = { calls: [call], events: [{ id: 7, callSid: 'CA2', status: 'completed' }] };
    const retry = cb({ CallSid: 'CA2', CallStatus: 'completed', To: LINE, CallDuration: '30' });
    const plan = planBatch([at(retry, T0 + 60_000), at(retry, T0 + 61_000)], state, DEFAULT_MOS_LIMITS);

    expect(plan.verdicts).toEqual([{ kind: 'duplicate' }, { kind: 'duplicate' }]);
    expect([...plan.retries]).toEqual([[7, 2]]);
    expect(plan.events).toEqual([]);
    expect(plan.calls.size).toBe(0);
    expect(plan.rollups).toEqual([]);
    // The line was still heard from: silence alerts must not fire on a provider that only retries.
    expect([...plan.lines.values()]).toEqual([
      { line: LINE, direction: 'inbound', callbackAt: T0 + 61_000, callAt: T0 },
    ]);
    expect(outcomesOf(plan, new Map())).toEqual([{ kind: 'duplicate' }, { kind: 'duplicate' }]);
  });

  it('absorbs a retry within the batch into the first delivery', () => {
    const first = cb({ CallSid: 'CA3', CallStatus: 'ringing', To: LINE, Timestamp: iso(T0) });
    const plan = planBatch([at(first, T0), at(first, T0 + 1_000)], none, DEFAULT_MOS_LIMITS);

    expect(plan.verdicts.map((v) => v.kind)).toEqual(['stored', 'duplicate']);
    expect(plan.events.map((e) => [e.status, e.deliveries, e.applied])).toEqual([['ringing', 2, true]]);
    expect(plan.retries.size).toBe(0);
    expect(plan.rollups.map((r) => r.delta.calls)).toEqual([1, 1, 1, 1]);
  });

  it('records a late earlier status without applying it', () => {
    const call = stored({ callSid: 'CA4', status: 'completed', to: LINE, duration: 30, mos: 4.1 });
    const state: StoredState = { calls: [call], events: [{ id: 9, callSid: 'CA4', status: 'completed' }] };
    const late = cb({ CallSid: 'CA4', CallStatus: 'ringing', To: LINE, Timestamp: iso(T0 + 2_000) });
    const plan = planBatch([at(late, T0 + 90_000)], state, DEFAULT_MOS_LIMITS);

    expect(plan.verdicts).toEqual([{ kind: 'late', key: eventKey('CA4', 'ringing'), callSid: 'CA4' }]);
    expect(plan.events.map((e) => [e.status, e.applied, e.deliveries])).toEqual([['ringing', false, 1]]);
    expect(plan.calls.size).toBe(0);
    expect(plan.rollups).toEqual([]);
    expect(outcomesOf(plan, new Map([[eventKey('CA4', 'ringing'), 10]]))).toEqual([
      { kind: 'late', eventId: 10, update: undefined },
    ]);
  });

  it('lets a late status fill in only what the call lacks, keeping its status', () => {
    const call = stored({ callSid: 'CA5', status: 'completed', to: LINE, duration: 30 });
    const state: StoredState = { calls: [call], events: [{ id: 11, callSid: 'CA5', status: 'completed' }] };
    const late = cb({
      CallSid: 'CA5',
      CallStatus: 'in-progress',
      To: LINE,
      AudioInMos: '2.5',
      CallDuration: '5',
    });
    const plan = planBatch([at(late, T0 + 90_000)], state, DEFAULT_MOS_LIMITS);

    expect(plan.verdicts.map((v) => v.kind)).toEqual(['late']);
    const change = plan.calls.get('CA5')!;
    expect(change.before).toBe(call);
    expect(change.state).toMatchObject({ status: 'completed', duration: 30, mos: 2.5 });
    // Same minute, same line: only the MOS (and the bad audio it brings) moves.
    const delta = diff(contribution(change.state), contribution(call));
    expect(delta).toMatchObject({ calls: 0, finished: 0, completed: 0, mosCount: 1, badAudioSeconds: 30 });
    expect(plan.rollups).toEqual(rowsAt11('completed', delta));
    const [outcome] = outcomesOf(plan, new Map([[eventKey('CA5', 'in-progress'), 12]]));
    expect(outcome).toMatchObject({ kind: 'late', eventId: 12, update: { id: 12, before: { mos: null } } });
  });

  it('counts a call in the week row that starts on the Thursday at or before its day', () => {
    // Tuesday 13 January 2026, 23:59: its week began on Thursday 8 January, 00:00 UTC.
    const t = Date.UTC(2026, 0, 13, 23, 59, 30);
    const call = cb({
      CallSid: 'CAW',
      CallStatus: 'completed',
      To: LINE,
      Timestamp: iso(t),
      CallDuration: '5',
    });
    const plan = planBatch([at(call, t + 1_000)], none, DEFAULT_MOS_LIMITS);
    expect(plan.rollups.map((r) => [r.resolution, iso(r.bucket)])).toEqual([
      [1, '2026-01-13T23:59:00.000Z'],
      [60, '2026-01-13T23:00:00.000Z'],
      [1440, '2026-01-13T00:00:00.000Z'],
      [10080, '2026-01-08T00:00:00.000Z'],
    ]);
  });

  it("moves a call's contribution between minute, hour, day and week rows and lines when its status changes", () => {
    // Stored ringing at 11:00:10 with no To; completed reports the line and an earlier start.
    const call = stored({ callSid: 'CA6', status: 'ringing' });
    const state: StoredState = { calls: [call], events: [{ id: 3, callSid: 'CA6', status: 'ringing' }] };
    const done = cb({
      CallSid: 'CA6',
      CallStatus: 'completed',
      To: LINE,
      Timestamp: iso(Date.UTC(2026, 0, 1, 10, 59, 50)),
      CallDuration: '90',
      AudioInMos: '4.4',
    });
    const plan = planBatch([at(done, T0 + 120_000)], state, DEFAULT_MOS_LIMITS);

    const change = plan.calls.get('CA6')!;
    expect(change.state).toMatchObject({
      status: 'completed',
      to: LINE,
      startedAt: new Date(Date.UTC(2026, 0, 1, 10, 59, 50)),
    });
    expect(change.firstSeenAt).toEqual(call.firstSeenAt);
    const removed = minus(contribution(call));
    const added = contribution(change.state);
    const rows = (resolution: number) =>
      plan.rollups
        .filter((r) => r.resolution === resolution)
        .map(({ bucket, line, status, delta }) => ({ bucket, line, status, delta }));
    expect(rows(1)).toEqual([
      { bucket: Date.UTC(2026, 0, 1, 11, 0), line: '', status: 'ringing', delta: removed },
      { bucket: Date.UTC(2026, 0, 1, 10, 59), line: LINE, status: 'completed', delta: added },
    ]);
    expect(rows(60)).toEqual([
      { bucket: Date.UTC(2026, 0, 1, 11), line: '', status: 'ringing', delta: removed },
      { bucket: Date.UTC(2026, 0, 1, 10), line: LINE, status: 'completed', delta: added },
    ]);
    expect(rows(1440)).toEqual([
      { bucket: Date.UTC(2026, 0, 1), line: '', status: 'ringing', delta: removed },
      { bucket: Date.UTC(2026, 0, 1), line: LINE, status: 'completed', delta: added },
    ]);
    expect(rows(10080)).toEqual([
      { bucket: Date.UTC(2026, 0, 1), line: '', status: 'ringing', delta: removed },
      { bucket: Date.UTC(2026, 0, 1), line: LINE, status: 'completed', delta: added },
    ]);
    expect(plan.rollups).toHaveLength(8);
    const [outcome] = outcomesOf(plan, new Map([[eventKey('CA6', 'completed'), 20]]));
    expect(outcome).toMatchObject({
      kind: 'stored',
      update: { id: 20, call: { status: 'completed', to: LINE }, before: { status: 'ringing', to: null } },
    });
  });

  it('moves a call from its old status rows to its new ones when only the status changes', () => {
    const call = stored({ callSid: 'CA7', status: 'in-progress', to: LINE });
    const state: StoredState = { calls: [call], events: [{ id: 4, callSid: 'CA7', status: 'in-progress' }] };
    const failed = cb({ CallSid: 'CA7', CallStatus: 'failed', To: LINE, Timestamp: iso(T0 + 20_000) });
    const plan = planBatch([at(failed, T0 + 30_000)], state, DEFAULT_MOS_LIMITS);

    // Same minute and line: the in-progress rows lose the call, the failed rows gain it, one more
    // finished call with one more failure (no SIP code reported).
    const removed = minus(contribution(call));
    const added = contribution(plan.calls.get('CA7')!.state);
    expect(added).toMatchObject({ calls: 1, finished: 1, failures: { 'failed 0': 1 } });
    expect(plan.rollups).toEqual([...rowsAt11('in-progress', removed), ...rowsAt11('failed', added)]);
  });

  it('folds several callbacks of one call into one change, counted and published once', () => {
    const sid = 'CA8';
    const ev = (status: string, s: number, extra: Record<string, string> = {}) =>
      cb({ CallSid: sid, CallStatus: status, To: LINE, Timestamp: iso(T0 + s * 1000), ...extra });
    const batch = [
      at(ev('ringing', 0), T0),
      at(ev('in-progress', 5), T0 + 5_000),
      at(ev('completed', 65, { CallDuration: '60', AudioInMos: '3.0' }), T0 + 65_000),
      // A retry and a late one after the end, in the same batch.
      at(ev('in-progress', 5), T0 + 66_000),
      at(ev('initiated', 0), T0 + 67_000),
    ];
    const plan = planBatch(batch, none, DEFAULT_MOS_LIMITS);

    expect(plan.verdicts.map((v) => v.kind)).toEqual(['stored', 'stored', 'stored', 'duplicate', 'late']);
    expect(plan.events.map((e) => [e.status, e.applied, e.deliveries])).toEqual([
      ['ringing', true, 1],
      ['in-progress', true, 2],
      ['completed', true, 1],
      ['initiated', false, 1],
    ]);
    expect(plan.calls.size).toBe(1);
    const change = plan.calls.get(sid)!;
    expect(change.before).toBeNull();
    expect(change.state).toMatchObject({
      status: 'completed',
      duration: 60,
      mos: 3,
      startedAt: new Date(T0),
    });
    expect(change.firstSeenAt).toEqual(new Date(T0));
    expect(change.lastKey).toBe(eventKey(sid, 'completed'));
    // Only the final state is counted: no trace of ringing or in-progress in the rollups.
    const added = contribution(change.state);
    expect(plan.rollups).toEqual(rowsAt11('completed', added));

    const ids = new Map(plan.events.map((e, i) => [eventKey(e.callSid, e.status), 100 + i]));
    const outcomes = outcomesOf(plan, ids);
    expect(outcomes.map((o) => (o.kind === 'duplicate' ? o.kind : [o.kind, o.eventId]))).toEqual([
      ['stored', 100],
      ['stored', 101],
      ['stored', 102],
      'duplicate',
      ['late', 103],
    ]);
    const updates = outcomes.flatMap((o) => (o.kind !== 'duplicate' && o.update ? [o.update] : []));
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ id: 102, call: { status: 'completed', eventId: 102 }, before: null });
  });

  it("counts a leg in its own direction, under its parent, and apart from the center's lines", () => {
    const parent = cb({ CallSid: 'CA-P', CallStatus: 'completed', To: LINE, CallDuration: '60' });
    const leg = cb({
      CallSid: 'CA-L',
      CallStatus: 'completed',
      To: '+15550100042',
      ParentCallSid: 'CA-P',
      CallDuration: '55',
    });
    const plan = planBatch([at(parent, T0), at(leg, T0 + 1_000)], none, DEFAULT_MOS_LIMITS);
    expect(plan.calls.get('CA-L')!.state).toMatchObject({ direction: 'outbound-dial', parentSid: 'CA-P' });
    const byDirection = (d: string) =>
      plan.rollups.filter((r) => r.resolution === 1 && r.direction === d).map((r) => [r.line, r.delta.calls]);
    expect(byDirection('inbound')).toEqual([[LINE, 1]]);
    expect(byDirection('outbound-dial')).toEqual([['+15550100042', 1]]);
    // The agent's number is kept apart from the center's lines.
    expect([...plan.lines.values()].map((l) => [l.line, l.direction])).toEqual([
      [LINE, 'inbound'],
      ['+15550100042', 'outbound-dial'],
    ]);
  });

  it('keeps one row per line, however many calls of the batch touch it', () => {
    const batch = [
      at(cb({ CallSid: 'CA9', CallStatus: 'completed', To: LINE, Timestamp: iso(T0) }), T0 + 1_000),
      at(cb({ CallSid: 'CA10', CallStatus: 'completed', To: LINE, Timestamp: iso(T0 + 3_000) }), T0 + 4_000),
      at(cb({ CallSid: 'CA11', CallStatus: 'busy', To: OTHER_LINE }), T0 + 2_000),
      at(cb({ CallSid: 'CA12', CallStatus: 'busy' }), T0 + 2_500),
    ];
    const plan = planBatch(batch, none, DEFAULT_MOS_LIMITS);
    expect(
      [...plan.lines.values()].map(({ line, callbackAt, callAt }) => [line, callbackAt, callAt]),
    ).toEqual([
      [LINE, T0 + 4_000, T0 + 3_000],
      [OTHER_LINE, T0 + 2_000, T0 + 2_000],
      ['', T0 + 2_500, T0 + 2_500],
    ]);
    const minuteRows = plan.rollups.filter((r) => r.resolution === 1);
    expect(minuteRows.map((r) => [r.line, r.delta.calls])).toEqual([
      [LINE, 2],
      [OTHER_LINE, 1],
      ['', 1],
    ]);
  });
});

/** A store in memory that applies plans as store.ts does, for comparing batchings. */
class Memory {
  calls = new Map<string, StoredCall>();
  events = new Map<
    string,
    { id: number; callSid: string; status: string; deliveries: number; applied: boolean }
  >();
  rollups = new Map<string, Tally>();
  private nextId = 1;

  commit(batch: Submission[]): IngestOutcome[] {
    const sids = new Set(batch.map((s) => s.callback.callSid));
    const plan = planBatch(
      batch,
      {
        calls: [...this.calls.values()].filter((c) => sids.has(c.callSid)),
        events: [...this.events.values()].filter((e) => sids.has(e.callSid)),
      },
      DEFAULT_MOS_LIMITS,
    );
    const idOf = new Map<string, number>();
    for (const e of plan.events) {
      const id = this.nextId++;
      const key = eventKey(e.callSid, e.status);
      this.events.set(key, {
        id,
        callSid: e.callSid,
        status: e.status,
        deliveries: e.deliveries,
        applied: e.applied,
      });
      idOf.set(key, id);
    }
    for (const [id, n] of plan.retries) {
      const e = [...this.events.values()].find((x) => x.id === id)!;
      e.deliveries += n;
    }
    for (const [sid, c] of plan.calls) this.calls.set(sid, { ...c.state, firstSeenAt: c.firstSeenAt });
    for (const r of plan.rollups) {
      const k = `${r.resolution} ${r.bucket} ${r.line}`;
      this.rollups.set(k, addTally(this.rollups.get(k) ?? emptyTally(), r.delta));
    }
    return outcomesOf(plan, idOf);
  }

  nonZeroRollups() {
    return new Map([...this.rollups].filter(([, t]) => !isZero(t)));
  }
}

describe('batch plans against any batching', () => {
  const event = fc.record({
    call: fc.integer({ min: 0, max: 3 }),
    status: fc.constantFrom(...CALL_STATUSES),
    sequence: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    to: fc.constantFrom(LINE, OTHER_LINE, undefined),
    seconds: fc.option(fc.integer({ min: 0, max: 7_500 }), { nil: undefined }),
    duration: fc.option(fc.integer({ min: 0, max: 900 }), { nil: undefined }),
    mos: fc.option(fc.integer({ min: 100, max: 450 }), { nil: undefined }),
  });

  it('gives the same calls, events and rollups whether callbacks share a batch or not', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 30 }), fc.nat(), (events, cut) => {
        const batch = events.map((e, i) =>
          at(
            cb({
              CallSid: `CA-${e.call}`,
              CallStatus: e.status,
              ...(e.to ? { To: e.to } : {}),
              ...(e.sequence !== undefined ? { SequenceNumber: String(e.sequence) } : {}),
              ...(e.seconds !== undefined ? { Timestamp: iso(T0 + e.seconds * 1000) } : {}),
              ...(e.duration !== undefined ? { CallDuration: String(e.duration) } : {}),
              ...(e.mos !== undefined ? { AudioInMos: (e.mos / 100).toFixed(2) } : {}),
            }),
            T0 + i * 1000,
          ),
        );
        const k = cut % (batch.length + 1);
        const one = new Memory();
        const two = new Memory();
        const kinds = one.commit(batch).map((o) => o.kind);
        expect([...two.commit(batch.slice(0, k)), ...two.commit(batch.slice(k))].map((o) => o.kind)).toEqual(
          kinds,
        );
        expect(two.calls).toEqual(one.calls);
        expect(two.events).toEqual(one.events);
        expect(two.nonZeroRollups()).toEqual(one.nonZeroRollups());

        // And the rollups hold exactly the stored calls, at every resolution.
        for (const resolution of [1, 60, 1440, 10080]) {
          const sum = emptyTally();
          for (const [k, t] of one.nonZeroRollups()) if (k.startsWith(`${resolution} `)) addTally(sum, t);
          const expected = emptyTally();
          for (const c of one.calls.values()) addTally(expected, contribution(c));
          expect(sum).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
