// The supervisor's board rules: bands, thresholds, silent lines, ranges in a time zone, and how
// live updates land under a filter.
import { describe, expect, it } from 'vitest';
import { MOS_BANDS, mosBand, type MosLimits } from '@/lib/common/status';
import { addTally, contribution, emptyTally, kpis } from '@/lib/common/tally';
import {
  boardSettingsSchema,
  DEFAULT_SETTINGS,
  isSilent,
  readSettings,
  SILENCE_MIN_EXPECTED,
} from '@/lib/common/settings';
import { breached, breaches, newlyBreached } from '@/lib/common/thresholds';
import { resolveRange } from '@/lib/common/range';
import { ALL_TIME, matches, type BoardFilter } from '@/lib/common/filter';
import { parseView, viewParams } from '@/lib/common/view';
import { applyUpdates, boardFromSnapshot } from '@/lib/common/board';
import type { CallRow, Snapshot } from '@/lib/common/types';
import { PLAIN_CALL } from '../helpers/rows';

const HOUR = 3_600_000;

describe('MOS bands', () => {
  it('band with the limits the admin sets, and count bad-audio talk time below the poor band', () => {
    const strict: MosLimits = [3.5, 3.9, 4.2, 4.4];
    expect([3.4, 3.5, 3.95, 4.3, 4.4].map((m) => MOS_BANDS[mosBand(m, strict)]!.key)).toEqual([
      'bad',
      'poor',
      'fair',
      'good',
      'excellent',
    ]);
    const t = emptyTally();
    addTally(t, contribution({ status: 'completed', duration: 120, mos: 3.4 }, strict));
    addTally(t, contribution({ status: 'completed', duration: 60, mos: 3.6 }, strict));
    addTally(t, contribution({ status: 'completed', duration: 600, mos: null }, strict));
    expect(t.badAudioSeconds).toBe(120);
    expect(kpis(t).badAudioMinutes).toBe(2);
    expect(kpis(t).belowPoorShare).toBe(0.5);
    // With the default G.107 limits, 3.4 is poor, not bad: no bad-audio minutes.
    expect(contribution({ status: 'completed', duration: 120, mos: 3.4 }).badAudioSeconds).toBe(0);
  });

  it('gives every band a distinct shape and label, so colour is never the only cue', () => {
    expect(new Set(MOS_BANDS.map((b) => b.shape)).size).toBe(MOS_BANDS.length);
    expect(new Set(MOS_BANDS.map((b) => b.label)).size).toBe(MOS_BANDS.length);
  });
});

describe('thresholds', () => {
  it('know which way is better for each metric', () => {
    expect(breaches('averageMos', 3.5, 3.6)).toBe(true);
    expect(breaches('averageMos', 3.6, 3.6)).toBe(false);
    expect(breaches('failureRate', 0.2, 0.1)).toBe(true);
    expect(breaches('failureRate', 0.05, 0.1)).toBe(false);
    expect(breaches('successRate', null, 0.9)).toBe(false);
    expect(breaches('badAudioMinutes', 99, null)).toBe(false);
  });

  it('name the metrics a tally crosses', () => {
    const t = emptyTally();
    addTally(t, contribution({ status: 'completed', duration: 600, mos: 2.5 }));
    addTally(t, contribution({ status: 'failed', duration: 0, mos: null }));
    const s = {
      ...DEFAULT_SETTINGS,
      thresholds: {
        averageMos: 3.6,
        successRate: 0.8,
        failureRate: 0.4,
        badAudioMinutes: 5,
        packetLoss: null,
      },
    };
    expect([...breached(t, s)].sort()).toEqual([
      'averageMos',
      'badAudioMinutes',
      'failureRate',
      'successRate',
    ]);
  });

  it('alert once at the moment of crossing, and again only after recovering', () => {
    const steps = [
      [],
      ['averageMos'],
      ['averageMos'],
      ['averageMos', 'successRate'],
      [],
      ['averageMos'],
    ] as const;
    const alerts: string[][] = [];
    let before = new Set<never>() as Set<string>;
    for (const step of steps) {
      const now = new Set<string>(step);
      alerts.push(newlyBreached(before as never, now as never));
      before = now;
    }
    expect(alerts).toEqual([[], ['averageMos'], [], ['successRate'], [], ['averageMos']]);
  });
});

describe('silent lines', () => {
  const now = Date.parse('2026-11-24T15:00:00Z');
  const line = (silentMin: number, usualPerHour: number) => ({
    line: '+18005550100',
    lastCallbackAt: now - silentMin * 60_000,
    usualPerHour,
  });

  it('alert when a line that is usually busy at this hour has been silent past the limit', () => {
    expect(isSilent(line(16, 30), now, 15)).toBe(true);
    expect(isSilent(line(14, 30), now, 15)).toBe(false);
  });

  it('stay quiet for a line that is quiet at this hour anyway, until the silence is itself unusual', () => {
    // 2 calls an hour: 16 minutes without one is normal; 3 expected calls' worth of silence is not.
    expect(isSilent(line(16, 2), now, 15)).toBe(false);
    expect(isSilent(line((SILENCE_MIN_EXPECTED / 2) * 60 + 1, 2), now, 15)).toBe(true);
    expect(isSilent(line(600, 0), now, 15)).toBe(false);
    expect(isSilent({ ...line(0, 30), lastCallbackAt: null }, now, 15)).toBe(false);
  });
});

describe('settings', () => {
  it('fall back to the defaults for anything unreadable', () => {
    expect(readSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(readSettings('{nope')).toEqual(DEFAULT_SETTINGS);
    expect(readSettings(JSON.stringify({ silenceMinutes: 30 })).silenceMinutes).toBe(30);
  });

  it('refuse bands that do not rise and zones that do not exist, naming the field', () => {
    const bad = boardSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, mosLimits: [3.6, 3.1, 4.03, 4.34] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['mosLimits']);
    const zone = boardSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, timeZone: 'Mars/Olympus' });
    expect(zone.error!.issues[0]!.path).toEqual(['timeZone']);
    expect(boardSettingsSchema.safeParse({ ...DEFAULT_SETTINGS, timeZone: 'Asia/Kolkata' }).success).toBe(
      true,
    );
  });
});

describe('ranges in a time zone', () => {
  it('make "today" 23 hours long on the day clocks go forward, and 25 on the day they go back', () => {
    const spring = resolveRange({ preset: 'today' }, 'America/New_York', Date.parse('2026-03-08T17:00:00Z'));
    expect(new Date(spring.from).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(spring.to!).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect((spring.to! - spring.from) / HOUR).toBe(23);
    const autumn = resolveRange({ preset: 'today' }, 'America/New_York', Date.parse('2026-11-01T17:00:00Z'));
    expect((autumn.to! - autumn.from) / HOUR).toBe(25);
    const yesterday = resolveRange(
      { preset: 'yesterday' },
      'America/New_York',
      Date.parse('2026-03-09T12:00:00Z'),
    );
    expect(new Date(yesterday.from).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(yesterday.live).toBe(false);
  });

  it('start the day at 01:00 where clocks go forward at midnight, and only that day', () => {
    // Santiago, 6 September 2026: 00:00 -04 becomes 01:00 -03.
    const today = resolveRange({ preset: 'today' }, 'America/Santiago', Date.parse('2026-09-06T15:00:00Z'));
    expect(new Date(today.from).toISOString()).toBe('2026-09-06T04:00:00.000Z'); // 01:00 -03
    expect(new Date(today.to!).toISOString()).toBe('2026-09-07T03:00:00.000Z'); // 00:00 -03
    expect((today.to! - today.from) / HOUR).toBe(23);
    const next = resolveRange(
      { preset: 'yesterday' },
      'America/Santiago',
      Date.parse('2026-09-07T15:00:00Z'),
    );
    expect(next.from).toBe(today.from);
    expect(next.to).toBe(today.to);
    const week = resolveRange({ preset: '7d' }, 'America/Santiago', Date.parse('2026-09-06T15:00:00Z'));
    expect(new Date(week.from).toISOString()).toBe('2026-08-31T04:00:00.000Z'); // 00:00 -04
  });

  it('start the day at local midnight in half-hour zones too', () => {
    const r = resolveRange({ preset: 'today' }, 'Asia/Kolkata', Date.parse('2026-11-24T20:00:00Z'));
    expect(new Date(r.from).toISOString()).toBe('2026-11-24T18:30:00.000Z');
    expect(r.label).toBe('today 2026-11-25');
  });

  it('count the last 7 days as calendar days, and rolling ranges in whole minutes', () => {
    const now = Date.parse('2026-11-24T15:07:42Z');
    const week = resolveRange({ preset: '7d' }, 'Europe/London', now);
    expect(new Date(week.from).toISOString()).toBe('2026-11-18T00:00:00.000Z');
    expect(new Date(week.to!).toISOString()).toBe('2026-11-25T00:00:00.000Z');
    const quarter = resolveRange({ preset: '15m' }, 'Europe/London', now);
    expect(new Date(quarter.from).toISOString()).toBe('2026-11-24T14:52:00.000Z');
    expect(quarter.to).toBeNull();
    expect(quarter.live).toBe(true);
  });

  it('read custom bounds as local times in the zone, and fall back to today when they make no range', () => {
    const r = resolveRange(
      { preset: 'custom', from: '2026-03-08T00:00', to: '2026-03-08T12:00' },
      'America/New_York',
      Date.parse('2026-11-24T12:00:00Z'),
    );
    expect(new Date(r.from).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(new Date(r.to!).toISOString()).toBe('2026-03-08T16:00:00.000Z');
    const backwards = resolveRange(
      { preset: 'custom', from: '2026-03-08T12:00', to: '2026-03-08T00:00' },
      'UTC',
      0,
    );
    expect(backwards.label).toBe('today 1970-01-01');
  });
});

describe('views in the URL', () => {
  it('round-trip, and drop what they cannot read', () => {
    const v = parseView({
      range: '7d',
      tz: 'Asia/Kolkata',
      line: '+18005550100',
      status: 'failed',
      caller: '(415) 555',
      view: 'tv',
    });
    expect(v).toMatchObject({
      preset: '7d',
      tz: 'Asia/Kolkata',
      line: '+18005550100',
      status: 'failed',
      caller: '415555',
      tv: true,
    });
    expect(parseView(Object.fromEntries(viewParams(v)))).toEqual(v);
    expect(parseView({ range: 'forever', tz: 'Nowhere/Land', status: 'exploded' })).toMatchObject({
      preset: 'today',
      tz: null,
      status: null,
    });
  });
});

describe('live updates under a filter', () => {
  const row = (sid: string, id: number, startedAt: string, over: Partial<CallRow> = {}): CallRow => ({
    callSid: sid,
    accountSid: null,
    from: '+14155550000',
    to: '+18005550100',
    status: 'completed',
    startedAt,
    duration: 60,
    mos: 4.4,
    ...PLAIN_CALL,
    eventId: id,
    ...over,
  });
  const filter: BoardFilter = {
    from: Date.parse('2026-01-01T10:00:00Z'),
    to: Date.parse('2026-01-02T10:00:00Z'),
    line: null,
    status: 'in-progress',
    caller: null,
    direction: 'inbound',
  };
  const snapshot: Snapshot = {
    asOfEventId: 0,
    settings: DEFAULT_SETTINGS,
    filter,
    totals: emptyTally(),
    bucketMs: 15 * 60_000,
    series: [],
    calls: [],
    lines: [],
  };

  it('count a call while it matches and take it out of totals, series, lines and rows when it stops', () => {
    const talking = row('a', 1, '2026-01-01T10:20:00Z', { status: 'in-progress', duration: null, mos: null });
    let b = applyUpdates(boardFromSnapshot(snapshot, 10), [{ id: 1, call: talking, before: null }]);
    expect(b.totals.calls).toBe(1);
    expect(b.series).toEqual([
      { t: Date.parse('2026-01-01T10:15:00Z'), tally: expect.objectContaining({ calls: 1 }) },
    ]);
    expect(b.lines.map((l) => [l.line, l.tally.calls])).toEqual([['+18005550100', 1]]);
    expect(b.calls.map((c) => c.callSid)).toEqual(['a']);

    const done = row('a', 2, '2026-01-01T10:20:00Z');
    b = applyUpdates(b, [{ id: 2, call: done, before: talking }]);
    expect(b.totals.calls).toBe(0);
    expect(b.series).toEqual([]);
    expect(b.lines).toEqual([]);
    expect(b.calls).toEqual([]);
  });

  it('leave out calls outside the range, and count other lines in the line table only', () => {
    const lineFilter = { ...ALL_TIME, from: filter.from, to: filter.to, line: '+18005550100' };
    const board = boardFromSnapshot({ ...snapshot, filter: lineFilter }, 10);
    const b = applyUpdates(board, [
      { id: 1, call: row('early', 1, '2026-01-01T09:59:00Z'), before: null },
      { id: 2, call: row('other', 2, '2026-01-01T11:00:00Z', { to: '+18005550111' }), before: null },
      { id: 3, call: row('mine', 3, '2026-01-01T11:00:00Z'), before: null },
    ]);
    expect(b.totals.calls).toBe(1);
    expect(b.calls.map((c) => c.callSid)).toEqual(['mine']);
    expect(Object.fromEntries(b.lines.map((l) => [l.line, l.tally.calls]))).toEqual({
      '+18005550100': 1,
      '+18005550111': 1,
    });
    expect(
      matches(row('x', 9, '2026-01-01T11:00:00Z', { from: '+14155551234' }), {
        ...lineFilter,
        caller: '5551',
      }),
    ).toBe(true);
  });
});
