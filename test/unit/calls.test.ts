import { describe, expect, it } from 'vitest';
import {
  supersedes,
  mosBand,
  MOS_BANDS,
  durationBin,
  jitterBin,
  lossBin,
  lossPercent,
  qualityBands,
} from '@/lib/common/status';
import fc from 'fast-check';
import { directionOf } from '@/lib/calls/apply';
import { piecesOf } from '@/lib/calls/queries';
import type { Resolution } from '@/lib/calls/rollup';
import { contribution, kpis, addTally, emptyTally } from '@/lib/common/tally';
import { applyUpdates, boardFromSnapshot } from '@/lib/common/board';
import { bucketFor } from '@/lib/common/series';
import type { CallRow, CallUpdate, Snapshot } from '@/lib/common/types';
import { DEFAULT_SETTINGS } from '@/lib/common/settings';
import { ALL_TIME } from '@/lib/common/filter';
import { PLAIN_CALL } from '../helpers/rows';

const s = (status: string, sequence: number | null = null) => ({ status, sequence });

describe('status precedence', () => {
  it('moves forward through the call life cycle', () => {
    expect(supersedes(s('ringing'), s('initiated'))).toBe(true);
    expect(supersedes(s('completed'), s('in-progress'))).toBe(true);
  });
  it('never lets a terminal status regress', () => {
    expect(supersedes(s('ringing'), s('completed'))).toBe(false);
    expect(supersedes(s('in-progress', 9), s('failed', 1))).toBe(false);
  });
  it('keeps the first of two terminal statuses without sequence numbers', () => {
    expect(supersedes(s('failed'), s('completed'))).toBe(false);
  });
  it('follows SequenceNumber when both events carry one', () => {
    expect(supersedes(s('completed', 4), s('failed', 3))).toBe(true);
    expect(supersedes(s('ringing', 1), s('in-progress', 2))).toBe(false);
  });
});

describe('bands and bins', () => {
  it('bands MOS on the G.107 boundaries', () => {
    const label = (m: number) => MOS_BANDS[mosBand(m)]!.key;
    expect([1, 3.09, 3.1, 3.59, 3.6, 4.02, 4.03, 4.33, 4.34, 4.5].map(label)).toEqual([
      'bad',
      'bad',
      'poor',
      'poor',
      'fair',
      'fair',
      'good',
      'good',
      'excellent',
      'excellent',
    ]);
  });
  it('bins durations', () => {
    expect([0, 29, 30, 60, 119, 120, 300, 600, 5000].map(durationBin)).toEqual([0, 0, 1, 2, 2, 3, 4, 5, 5]);
  });
});

describe('kpis', () => {
  it('derives the tiles from a tally, with no MOS counted as unknown rather than 0', () => {
    const t = emptyTally();
    addTally(t, contribution({ status: 'completed', duration: 120, mos: 4.5 }));
    addTally(t, contribution({ status: 'completed', duration: 30, mos: null }));
    addTally(t, contribution({ status: 'failed', duration: 0, mos: null }));
    addTally(t, contribution({ status: 'ringing', duration: null, mos: null }));
    expect(kpis(t)).toEqual({
      totalCalls: 4,
      talkMinutes: 2.5,
      averageMos: 4.5,
      successRate: 2 / 3,
      failedCalls: 1,
      badAudioMinutes: 0,
      belowPoorShare: 0,
      // No audio counters on any of them: unknown, never 0.
      packetLoss: null,
      averageJitter: null,
    });
  });
  it('weighs packet loss by packets, averages the largest jitters, and counts failures by SIP code', () => {
    const t = emptyTally();
    addTally(
      t,
      contribution({ status: 'completed', duration: 60, mos: 4.4, packets: 3000, lost: 0, jitter: 4 }),
    );
    addTally(
      t,
      contribution({ status: 'completed', duration: 20, mos: 3.2, packets: 1000, lost: 40, jitter: 36.5 }),
    );
    // A call without counters (Twilio) counts in neither.
    addTally(t, contribution({ status: 'completed', duration: 20, mos: 4.1 }));
    addTally(t, contribution({ status: 'busy', duration: 0, mos: null, sipCode: 486 }));
    addTally(t, contribution({ status: 'busy', duration: 0, mos: null, sipCode: 486 }));
    addTally(t, contribution({ status: 'failed', duration: 0, mos: null }));
    const k = kpis(t);
    // 40 lost of 4,000 received: 1%, not the 2% an average of the calls' 0% and 4% would say.
    expect(k.packetLoss).toBe(1);
    expect(k.averageJitter).toBe(20.25);
    expect(t.lossCount).toBe(2);
    // 0% in the first bin (up to 0.5%), 4% in the fifth (3-5%).
    expect(t.lossBins).toEqual([1, 0, 0, 0, 1, 0, 0]);
    // 4 ms up to 10, 36.5 ms in 30-50.
    expect(t.jitterBins).toEqual([1, 0, 0, 1, 0, 0]);
    expect(t.failures).toEqual({ 'busy 486': 2, 'failed 0': 1 });
    // Taking a call back out leaves no zero entries behind.
    addTally(t, contribution({ status: 'failed', duration: 0, mos: null }), -1);
    expect(t.failures).toEqual({ 'busy 486': 2 });
  });
  it('puts a loss on a bin bound in the bin below it, and reads bands from the bins', () => {
    // Exactly 1% and 3% are not "above 1%" or "above 3%".
    expect(lossBin(1000, 10)).toBe(1);
    expect(lossBin(1000, 11)).toBe(2);
    expect(lossBin(1000, 30)).toBe(3);
    expect(lossBin(1000, 5)).toBe(0);
    expect(lossBin(1000, 1000)).toBe(6);
    expect(jitterBin(30)).toBe(2);
    expect(jitterBin(30.01)).toBe(3);
    // Bins up to 0.5, 1, 2, 3, 5, 10 and above; degraded above 1%, bad above 3%.
    expect(qualityBands([10, 5, 4, 3, 2, 1, 1], [0.5, 1, 2, 3, 5, 10], [1, 3])).toEqual([4, 7, 15]);
    expect(lossPercent(2000, 30)).toBe(1.5);
    expect(lossPercent(0, 0)).toBeNull();
    expect(lossPercent(null, 3)).toBeNull();
  });
  it('keeps a leg a leg whatever order its callbacks come in', () => {
    expect(directionOf([null, 'inbound'], null)).toBe('inbound');
    expect(directionOf(['outbound-dial', 'inbound'], null)).toBe('outbound-dial');
    expect(directionOf(['inbound', 'outbound-api'], null)).toBe('outbound-api');
    expect(directionOf(['outbound-api', 'outbound-dial'], null)).toBe('outbound-dial');
    // A parent makes it a leg, whatever it says of its direction.
    expect(directionOf(['inbound'], 'CA-parent')).toBe('outbound-dial');
  });
  it('has no average MOS and no success rate before there is data', () => {
    expect(kpis(emptyTally())).toMatchObject({ averageMos: null, successRate: null, totalCalls: 0 });
  });
});

describe('chart buckets', () => {
  it('picks the smallest bucket that keeps a chart under 120 points', () => {
    expect(bucketFor(60_000)).toBe(60_000);
    expect(bucketFor(3 * 3_600_000)).toBe(5 * 60_000);
    expect(bucketFor(29 * 86_400_000)).toBe(360 * 60_000);
    expect(bucketFor(30 * 86_400_000)).toBe(720 * 60_000);
  });
});

function row(callSid: string, eventId: number, startedAt: string, status = 'completed'): CallRow {
  return {
    callSid,
    accountSid: null,
    from: '+1',
    to: '+2',
    status,
    startedAt,
    duration: 60,
    mos: 4.4,
    ...PLAIN_CALL,
    eventId,
  };
}

function update(r: CallRow, previous?: CallRow): CallUpdate {
  return { id: r.eventId, call: r, before: previous ?? null };
}

describe('board', () => {
  const snapshot: Snapshot = {
    asOfEventId: 5,
    totals: contribution(row('a', 5, '2026-01-01T10:00:00Z')),
    bucketMs: 60_000,
    series: [
      { t: Date.parse('2026-01-01T10:00:00Z'), tally: contribution(row('a', 5, '2026-01-01T10:00:00Z')) },
    ],
    calls: [row('a', 5, '2026-01-01T10:00:00Z')],
    settings: DEFAULT_SETTINGS,
    filter: ALL_TIME,
    lines: [],
  };

  it('adds new calls newest first and updates totals and series', () => {
    const b = applyUpdates(boardFromSnapshot(snapshot, 10), [update(row('b', 6, '2026-01-01T10:05:00Z'))]);
    expect(b.calls.map((c) => c.callSid)).toEqual(['b', 'a']);
    expect(b.totals.calls).toBe(2);
    expect(b.series.map((p) => p.tally.calls)).toEqual([1, 1]);
  });

  it("applies updates that arrive out of id order, as another instance's can through the fan-out", () => {
    let b = applyUpdates(boardFromSnapshot(snapshot, 10), [update(row('late', 9, '2026-01-01T10:09:00Z'))]);
    b = applyUpdates(b, [update(row('early', 7, '2026-01-01T10:07:00Z'))]);
    expect(b.calls.map((c) => c.callSid)).toEqual(['late', 'early', 'a']);
    expect(b.totals.calls).toBe(3);
  });

  it('ignores updates the snapshot already reflects, so a replay never double counts', () => {
    const b = applyUpdates(boardFromSnapshot(snapshot, 10), [update(row('a', 5, '2026-01-01T10:00:00Z'))]);
    expect(b.totals.calls).toBe(1);
  });

  it('replaces a call in place when its state changes', () => {
    const ringing = row('c', 6, '2026-01-01T10:01:00Z', 'ringing');
    const done = row('c', 7, '2026-01-01T10:01:00Z', 'completed');
    let b = applyUpdates(boardFromSnapshot(snapshot, 10), [update(ringing)]);
    b = applyUpdates(b, [update(done, ringing)]);
    expect(b.calls.filter((c) => c.callSid === 'c')).toEqual([done]);
    expect(b.totals.calls).toBe(2);
    expect(b.totals.completed).toBe(2);
  });

  it('keeps at most maxRows rows', () => {
    const updates = Array.from({ length: 20 }, (_, i) =>
      update(row(`n${i}`, 10 + i, new Date(Date.parse('2026-01-01T11:00:00Z') + i * 1000).toISOString())),
    );
    const b = applyUpdates(boardFromSnapshot(snapshot, 10), updates);
    expect(b.calls).toHaveLength(10);
    expect(b.calls[0]!.callSid).toBe('n19');
    expect(b.totals.calls).toBe(21);
  });
});

describe('a range as whole rollup rows', () => {
  const MS = { 1: 60_000, 60: 3_600_000, 1440: 86_400_000, 10080: 7 * 86_400_000 } as const;
  const T = Date.UTC(2026, 0, 1);
  const minute = fc.integer({ min: 0, max: 90 * 1440 }).map((m) => T + m * 60_000);
  const resolution = fc.constantFrom(1, 60, 1440, 10080);

  it('covers [from, to) once, each piece on its resolution, none coarser than asked', () => {
    fc.assert(
      fc.property(minute, minute, fc.boolean(), resolution, (a, b, open, coarsest) => {
        const from = Math.min(a, b);
        const to = open ? null : Math.max(a, b);
        const pieces = piecesOf(from, to, coarsest as Resolution).sort((x, y) => x.lo - y.lo);
        let at = from;
        for (const p of pieces) {
          expect(p.resolution).toBeLessThanOrEqual(coarsest);
          expect(p.lo).toBe(at);
          // Inner bounds fall on the piece's own rows; only the range's ends may not.
          if (p.lo !== from) expect(p.lo % MS[p.resolution]).toBe(0);
          if (p.hi !== null && p.hi !== to) expect(p.hi % MS[p.resolution]).toBe(0);
          at = p.hi ?? Infinity;
        }
        expect(at).toBe(to ?? (pieces.length > 0 ? Infinity : from));
      }),
    );
  });

  it('reads a month from about 30 day rows, with hours and minutes only at its edges', () => {
    const from = Date.UTC(2026, 0, 1, 9, 30);
    const pieces = piecesOf(from, Date.UTC(2026, 1, 1, 17, 45), 1440);
    expect(pieces).toEqual([
      { resolution: 1, lo: from, hi: Date.UTC(2026, 0, 1, 10) },
      { resolution: 1, lo: Date.UTC(2026, 1, 1, 17), hi: Date.UTC(2026, 1, 1, 17, 45) },
      { resolution: 60, lo: Date.UTC(2026, 0, 1, 10), hi: Date.UTC(2026, 0, 2) },
      { resolution: 60, lo: Date.UTC(2026, 1, 1), hi: Date.UTC(2026, 1, 1, 17) },
      { resolution: 1440, lo: Date.UTC(2026, 0, 2), hi: Date.UTC(2026, 1, 1) },
    ]);
  });

  it('reads two years from week rows, with days, hours and minutes only at its edges', () => {
    // Wednesday 1 January 2025, 09:30, to Friday 1 January 2027, 17:45; weeks start on Thursdays.
    const from = Date.UTC(2025, 0, 1, 9, 30);
    const to = Date.UTC(2027, 0, 1, 17, 45);
    const pieces = piecesOf(from, to, 10080);
    expect(pieces).toEqual([
      { resolution: 1, lo: from, hi: Date.UTC(2025, 0, 1, 10) },
      { resolution: 1, lo: Date.UTC(2027, 0, 1, 17), hi: to },
      { resolution: 60, lo: Date.UTC(2025, 0, 1, 10), hi: Date.UTC(2025, 0, 2) },
      { resolution: 60, lo: Date.UTC(2027, 0, 1), hi: Date.UTC(2027, 0, 1, 17) },
      // Thursday 2 January 2025 starts a week: no day rows before the weeks.
      { resolution: 1440, lo: Date.UTC(2026, 11, 31), hi: Date.UTC(2027, 0, 1) },
      { resolution: 10080, lo: Date.UTC(2025, 0, 2), hi: Date.UTC(2026, 11, 31) },
    ]);
    // 104 week rows and one day row per line, direction and status, instead of 730 day rows.
    expect((Date.UTC(2026, 11, 31) - Date.UTC(2025, 0, 2)) / (7 * 86_400_000)).toBe(104);
  });
});
