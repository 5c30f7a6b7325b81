import { describe, expect, it } from 'vitest';
import { supersedes, mosBand, MOS_BANDS, durationBin } from '@/lib/common/status';
import { contribution, kpis, addTally, emptyTally } from '@/lib/common/tally';
import { applyUpdates, boardFromSnapshot } from '@/lib/common/board';
import { bucketFor } from '@/lib/common/series';
import type { CallRow, CallUpdate, Snapshot } from '@/lib/common/types';
import { DEFAULT_SETTINGS } from '@/lib/common/settings';
import { ALL_TIME } from '@/lib/common/filter';

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
    });
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
