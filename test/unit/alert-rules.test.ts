import { describe, expect, it } from 'vitest';
import {
  evaluate,
  ruleInputSchema,
  type Readings,
  type Rule,
  type WindowSums,
} from '@/lib/common/alert-rules';

const NOW = Date.UTC(2026, 10, 30, 14, 30);
const LINE = '+18005550100';

function rule(over: Partial<Rule>): Rule {
  return {
    id: 'r1',
    name: 'rule',
    kind: 'mos-below',
    line: null,
    threshold: 3.5,
    windowMinutes: 15,
    minCalls: 10,
    channels: [],
    renotifyMinutes: 30,
    snoozedUntil: null,
    enabled: true,
    ...over,
  };
}

const sums = (over: Partial<WindowSums>): WindowSums => ({
  calls: 0,
  finished: 0,
  completed: 0,
  mosSumCenti: 0,
  mosCount: 0,
  lossCount: 0,
  packetsSum: 0,
  lostSum: 0,
  badAudioSeconds: 0,
  ...over,
});

function readings(over: Partial<Readings> = {}): Readings {
  return { now: NOW, windows: new Map(), lines: [], minutes: [], stuck: new Map(), ...over };
}
const window15 = (perLine: Record<string, WindowSums>) => new Map([[15, new Map(Object.entries(perLine))]]);

describe('alert rules', () => {
  it('average MOS: holds below the threshold only with enough calls in the window', () => {
    const bad = sums({ calls: 12, mosCount: 12, mosSumCenti: 12 * 300 });
    const r = rule({ kind: 'mos-below', threshold: 3.5, minCalls: 10 });
    expect(evaluate(r, readings({ windows: window15({ '': bad }) }))[0]).toMatchObject({
      line: '',
      holds: true,
      value: 3,
    });
    const few = sums({ calls: 3, mosCount: 3, mosSumCenti: 3 * 200 });
    expect(evaluate(r, readings({ windows: window15({ '': few }) }))[0]!.holds).toBe(false);
    const good = sums({ calls: 12, mosCount: 12, mosSumCenti: 12 * 420 });
    expect(evaluate(r, readings({ windows: window15({ '': good }) }))[0]!.holds).toBe(false);
    // One line: its own sums, not all lines'.
    const one = rule({ kind: 'mos-below', line: LINE, minCalls: 1 });
    const split = window15({ '': good, [LINE]: sums({ calls: 2, mosCount: 2, mosSumCenti: 500 }) });
    expect(evaluate(one, readings({ windows: split }))[0]).toMatchObject({
      line: LINE,
      holds: true,
      value: 2.5,
    });
  });

  it('packet loss, success and failure rates, bad-audio minutes', () => {
    const w = window15({
      '': sums({
        calls: 20,
        finished: 20,
        completed: 15,
        lossCount: 12,
        packetsSum: 10_000,
        lostSum: 400,
        badAudioSeconds: 900,
      }),
    });
    const holds = (over: Partial<Rule>) =>
      evaluate(rule({ minCalls: 10, ...over }), readings({ windows: w }))[0]!;
    expect(holds({ kind: 'loss-above', threshold: 3 })).toMatchObject({ holds: true, value: 4 });
    expect(holds({ kind: 'loss-above', threshold: 5 }).holds).toBe(false);
    expect(holds({ kind: 'success-below', threshold: 80 })).toMatchObject({ holds: true, value: 75 });
    expect(holds({ kind: 'success-below', threshold: 70 }).holds).toBe(false);
    expect(holds({ kind: 'failure-above', threshold: 20 })).toMatchObject({ holds: true, value: 25 });
    expect(holds({ kind: 'failure-above', threshold: 30 }).holds).toBe(false);
    expect(holds({ kind: 'bad-audio-above', threshold: 10 })).toMatchObject({ holds: true, value: 15 });
    expect(holds({ kind: 'bad-audio-above', threshold: 20 }).holds).toBe(false);
    expect(holds({ kind: 'failure-above', threshold: 20, minCalls: 50 }).holds).toBe(false);
    // The minimum counts the calls a figure is made of: loss from calls with audio counters.
    expect(holds({ kind: 'loss-above', threshold: 3, minCalls: 15 }).holds).toBe(false);
    const ringing = window15({ '': sums({ calls: 20, finished: 2, badAudioSeconds: 900 }) });
    expect(
      evaluate(rule({ kind: 'bad-audio-above', threshold: 10 }), readings({ windows: ringing }))[0]!.holds,
    ).toBe(false);
  });

  it('a silent line: only when it usually gets calls at this hour', () => {
    const lines = [
      { line: LINE, lastCallbackAt: NOW - 40 * 60_000, usualPerHour: 30 },
      { line: '+18005550111', lastCallbackAt: NOW - 40 * 60_000, usualPerHour: 0.5 },
      { line: '+18005550122', lastCallbackAt: NOW - 2 * 60_000, usualPerHour: 30 },
    ];
    const found = evaluate(rule({ kind: 'line-silent', threshold: 15 }), readings({ lines }));
    expect(found.filter((f) => f.holds).map((f) => f.line)).toEqual([LINE]);
    expect(
      evaluate(rule({ kind: 'line-silent', threshold: 15, line: '+18005550122' }), readings({ lines })),
    ).toEqual([expect.objectContaining({ line: '+18005550122', holds: false })]);
  });

  it('the webhook in trouble: bad signatures and rejections per minute, and no callbacks at all', () => {
    const minutes = [0, 1, 2, 3, 4].map((i) => ({
      t: NOW - (i + 1) * 60_000,
      accepted: 0,
      duplicates: 0,
      signatureFailures: 6,
      rejected: 1,
    }));
    const sig = evaluate(
      rule({ kind: 'bad-signatures', threshold: 5, windowMinutes: 5 }),
      readings({ minutes }),
    )[0]!;
    expect(sig).toMatchObject({ holds: true, value: 6 });
    expect(sig.summary).toContain('PUBLIC_URL');
    expect(
      evaluate(rule({ kind: 'rejected', threshold: 1, windowMinutes: 5 }), readings({ minutes }))[0]!.holds,
    ).toBe(false);
    expect(
      evaluate(rule({ kind: 'rejected', threshold: 0.5, windowMinutes: 5 }), readings({ minutes }))[0]!.holds,
    ).toBe(true);

    const lines = [{ line: LINE, lastCallbackAt: NOW - 30 * 60_000, usualPerHour: 60 }];
    const none = rule({ kind: 'no-callbacks', threshold: 10 });
    expect(evaluate(none, readings({ lines, minutes }))[0]).toMatchObject({ holds: true, value: 30 });
    // A callback a minute ago (counted, even if its call is not a line's yet): not silent.
    const heard = [{ t: NOW - 60_000, accepted: 1, duplicates: 0, signatureFailures: 0, rejected: 0 }];
    expect(evaluate(none, readings({ lines, minutes: heard }))[0]!.holds).toBe(false);
    // Quiet at an hour with no usual traffic: not an alert.
    const night = [{ line: LINE, lastCallbackAt: NOW - 30 * 60_000, usualPerHour: 0 }];
    expect(evaluate(none, readings({ lines: night }))[0]!.holds).toBe(false);
  });

  it('stuck calls: any call past the threshold without its final status', () => {
    const stuck = new Map([
      [
        60,
        new Map([
          [LINE, 2],
          ['+18005550111', 1],
        ]),
      ],
    ]);
    expect(evaluate(rule({ kind: 'stuck-calls', threshold: 60 }), readings({ stuck }))[0]).toMatchObject({
      line: '',
      holds: true,
      value: 3,
    });
    expect(
      evaluate(rule({ kind: 'stuck-calls', threshold: 60, line: '+18005550122' }), readings({ stuck }))[0]!
        .holds,
    ).toBe(false);
  });

  it('validates input, naming the field', () => {
    const field = (input: unknown) => {
      const r = ruleInputSchema.safeParse(input);
      return r.success ? null : r.error.issues[0]!.path.join('.');
    };
    expect(field({ name: 'ok', kind: 'mos-below', threshold: 3.2 })).toBeNull();
    expect(field({ name: 'ok', kind: 'mos-below', threshold: 6 })).toBe('threshold');
    expect(field({ name: 'ok', kind: 'loss-above', threshold: 101 })).toBe('threshold');
    expect(field({ name: 'ok', kind: 'no-callbacks', threshold: 10, line: LINE })).toBe('line');
    expect(field({ name: 'ok', kind: 'mos-below', threshold: 3, windowMinutes: 0 })).toBe('windowMinutes');
    expect(field({ name: 'ok', kind: 'rejected', threshold: 3, windowMinutes: 90 })).toBe('windowMinutes');
    expect(field({ name: 'ok', kind: 'mos-below', threshold: 3, snoozedUntil: 'tomorrow' })).toBe(
      'snoozedUntil',
    );
    expect(ruleInputSchema.parse({ name: 'ok', kind: 'mos-below', threshold: 3 })).toMatchObject({
      windowMinutes: 15,
      minCalls: 10,
      renotifyMinutes: 30,
      line: null,
      enabled: true,
    });
  });
});
