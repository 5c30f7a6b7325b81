import {
  DEFAULT_MOS_LIMITS,
  DURATION_BINS,
  JITTER_BOUNDS,
  LOSS_BOUNDS,
  MOS_BANDS,
  durationBin,
  failureKey,
  isTerminal,
  jitterBin,
  lossBin,
  mosBand,
  type MosLimits,
} from './status';
import type { PointTally, Tally } from './types';

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
    lossCount: 0,
    packetsSum: 0,
    lostSum: 0,
    lossBins: [...LOSS_BOUNDS, Infinity].map(() => 0),
    jitterCount: 0,
    jitterSumCenti: 0,
    jitterBins: [...JITTER_BOUNDS, Infinity].map(() => 0),
    flushSum: 0,
    failures: {},
  };
}

export interface TallyInput {
  status: string;
  duration: number | null;
  mos: number | null;
  sipCode?: number | null;
  packets?: number | null;
  lost?: number | null;
  jitter?: number | null;
  flushes?: number | null;
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
  const packets = call.packets ?? null;
  const lost = call.lost ?? null;
  if (packets !== null && lost !== null && packets > 0) {
    t.lossCount = 1;
    t.packetsSum = packets;
    t.lostSum = lost;
    t.lossBins[lossBin(packets, lost)] = 1;
  }
  if (call.jitter !== undefined && call.jitter !== null) {
    t.jitterCount = 1;
    // floor(x + 0.5), exactly as the SQL recount rounds (Math.round differs just below a half).
    t.jitterSumCenti = Math.floor(call.jitter * 100 + 0.5);
    t.jitterBins[jitterBin(call.jitter)] = 1;
  }
  t.flushSum = call.flushes ?? 0;
  if (finished && call.status !== 'completed') t.failures[failureKey(call.status, call.sipCode ?? null)] = 1;
  return t;
}

/** Adds `add`, times `sign`, to each cell of `into` (arrays of one length). */
function addCells(into: number[], add: readonly number[], sign: number) {
  for (let i = 0; i < add.length; i++) into[i] = (into[i] ?? 0) + sign * add[i]!;
}

export function addTally(into: Tally, add: Tally, sign: 1 | -1 = 1): Tally {
  into.calls += sign * add.calls;
  into.finished += sign * add.finished;
  into.completed += sign * add.completed;
  into.durationSum += sign * add.durationSum;
  into.durationCount += sign * add.durationCount;
  into.mosSumCenti += sign * add.mosSumCenti;
  into.mosCount += sign * add.mosCount;
  addCells(into.mosBands, add.mosBands, sign);
  addCells(into.durationBins, add.durationBins, sign);
  into.badAudioSeconds += sign * add.badAudioSeconds;
  into.lossCount += sign * add.lossCount;
  into.packetsSum += sign * add.packetsSum;
  into.lostSum += sign * add.lostSum;
  addCells(into.lossBins, add.lossBins, sign);
  into.jitterCount += sign * add.jitterCount;
  into.jitterSumCenti += sign * add.jitterSumCenti;
  addCells(into.jitterBins, add.jitterBins, sign);
  into.flushSum += sign * add.flushSum;
  for (const k in add.failures) {
    const n = (into.failures[k] ?? 0) + sign * add.failures[k]!;
    if (n === 0) delete into.failures[k];
    else into.failures[k] = n;
  }
  return into;
}

/** The fields of a tally that a chart point keeps (PointTally), in that type's order. */
export const POINT_FIELDS = ['calls', 'durationSum', 'durationCount', 'mosSumCenti', 'mosCount'] as const;

export const emptyPoint = (): PointTally => ({
  calls: 0,
  durationSum: 0,
  durationCount: 0,
  mosSumCenti: 0,
  mosCount: 0,
});

/** A tally's chart-point fields added into a point (or taken out, with sign -1). */
export function addPoint(into: PointTally, add: PointTally, sign: 1 | -1 = 1): PointTally {
  for (const f of POINT_FIELDS) into[f] += sign * add[f];
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
    t.badAudioSeconds === 0 &&
    t.lossCount === 0 &&
    t.packetsSum === 0 &&
    t.lostSum === 0 &&
    t.lossBins.every((v) => v === 0) &&
    t.jitterCount === 0 &&
    t.jitterSumCenti === 0 &&
    t.jitterBins.every((v) => v === 0) &&
    t.flushSum === 0 &&
    Object.values(t.failures).every((v) => v === 0)
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
    /** Packets lost per packet received over the calls that report them, in percent. */
    packetLoss: t.packetsSum > 0 ? (t.lostSum * 100) / t.packetsSum : null,
    /** Mean of the calls' largest jitter, ms. */
    averageJitter: t.jitterCount > 0 ? t.jitterSumCenti / t.jitterCount / 100 : null,
  };
}
export type Kpis = ReturnType<typeof kpis>;

export { MINUTE_MS, floorMinute as minuteBucket } from './time';
