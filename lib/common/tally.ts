import {
  DEFAULT_MOS_LIMITS,
  DURATION_BINS,
  MOS_BANDS,
  durationBin,
  isTerminal,
  mosBand,
  type MosLimits,
} from './status';
import type { Tally } from './types';

export function emptyTally(): Tally {
  return {
    calls: 0,
    finished: 0,
    completed: 0,
    durationSum: 0,
    durationCount: 0,
    mosSumCenti: 0,
    mosCount: 0,
    mosBands: MOS_BANDS.map(() => 0),
    durationBins: DURATION_BINS.map(() => 0),
    badAudioSeconds: 0,
  };
}

export interface TallyInput {
  status: string;
  duration: number | null;
  mos: number | null;
}

/** What one call in the given state adds to every aggregate, with MOS banded by `limits`. */
export function contribution(call: TallyInput, limits: MosLimits = DEFAULT_MOS_LIMITS): Tally {
  const t = emptyTally();
  const finished = isTerminal(call.status);
  t.calls = 1;
  t.finished = finished ? 1 : 0;
  t.completed = call.status === 'completed' ? 1 : 0;
  if (call.duration !== null) {
    t.durationSum = call.duration;
    t.durationCount = 1;
    if (finished) t.durationBins[durationBin(call.duration)] = 1;
  }
  if (call.mos !== null) {
    t.mosSumCenti = Math.round(call.mos * 100);
    t.mosCount = 1;
    const band = mosBand(call.mos, limits);
    t.mosBands[band] = 1;
    // Talk time on a call below the poor band: what the bad-audio KPI counts.
    if (band === 0 && call.duration !== null) t.badAudioSeconds = call.duration;
  }
  return t;
}

export function addTally(into: Tally, add: Tally, sign: 1 | -1 = 1): Tally {
  into.calls += sign * add.calls;
  into.finished += sign * add.finished;
  into.completed += sign * add.completed;
  into.durationSum += sign * add.durationSum;
  into.durationCount += sign * add.durationCount;
  into.mosSumCenti += sign * add.mosSumCenti;
  into.mosCount += sign * add.mosCount;
  add.mosBands.forEach((v, i) => (into.mosBands[i] = (into.mosBands[i] ?? 0) + sign * v));
  add.durationBins.forEach((v, i) => (into.durationBins[i] = (into.durationBins[i] ?? 0) + sign * v));
  into.badAudioSeconds += sign * add.badAudioSeconds;
  return into;
}

export function isZero(t: Tally): boolean {
  return (
    t.calls === 0 &&
    t.finished === 0 &&
    t.completed === 0 &&
    t.durationSum === 0 &&
    t.durationCount === 0 &&
    t.mosSumCenti === 0 &&
    t.mosCount === 0 &&
    t.mosBands.every((v) => v === 0) &&
    t.durationBins.every((v) => v === 0) &&
    t.badAudioSeconds === 0
  );
}

/** The KPIs a supervisor reads, derived from a tally. */
export function kpis(t: Tally) {
  return {
    totalCalls: t.calls,
    talkMinutes: t.durationSum / 60,
    averageMos: t.mosCount > 0 ? t.mosSumCenti / t.mosCount / 100 : null,
    successRate: t.finished > 0 ? t.completed / t.finished : null,
    failedCalls: t.finished - t.completed,
    badAudioMinutes: t.badAudioSeconds / 60,
    /** Share of calls with a MOS that fall below the poor band. */
    belowPoorShare: t.mosCount > 0 ? (t.mosBands[0] ?? 0) / t.mosCount : null,
  };
}
export type Kpis = ReturnType<typeof kpis>;

export { MINUTE_MS, floorMinute as minuteBucket } from './time';
