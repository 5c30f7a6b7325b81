// Call statuses, their precedence, and the quality bands shared by server and browser.

export const CALL_STATUSES = [
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'canceled',
  'failed',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

const RANK: Record<CallStatus, number> = {
  queued: 0,
  initiated: 0,
  ringing: 1,
  'in-progress': 2,
  completed: 3,
  busy: 3,
  'no-answer': 3,
  canceled: 3,
  failed: 3,
};

export function isTerminal(status: string): boolean {
  return RANK[status as CallStatus] === 3;
}

interface Ordered {
  status: string;
  sequence: number | null;
}

/**
 * Whether an arriving event should replace the call's current state. A terminal state never
 * regresses; otherwise the provider's SequenceNumber decides when both carry one, and status
 * precedence when they do not. Equal precedence keeps what is stored (first delivery wins).
 */
export function supersedes(next: Ordered, current: Ordered): boolean {
  if (isTerminal(current.status) && !isTerminal(next.status)) return false;
  if (next.sequence !== null && current.sequence !== null) return next.sequence > current.sequence;
  return (RANK[next.status as CallStatus] ?? 0) > (RANK[current.status as CallStatus] ?? 0);
}

/**
 * MOS bands, worst first. The default lower bounds are the ITU-T G.107 boundaries (3.10 / 3.60 /
 * 4.03 / 4.34; docs/board.md, Quality); the admin can move them (settings.ts).
 * Each band has a shape as well as a colour, so it reads without colour vision.
 */
export const MOS_BANDS = [
  { key: 'bad', label: 'Bad', shape: '✖' },
  { key: 'poor', label: 'Poor', shape: '▼' },
  { key: 'fair', label: 'Fair', shape: '◆' },
  { key: 'good', label: 'Good', shape: '▲' },
  { key: 'excellent', label: 'Excellent', shape: '★' },
] as const;

/** Lower bounds of poor, fair, good and excellent; below the first is bad. */
export type MosLimits = [number, number, number, number];
export const DEFAULT_MOS_LIMITS: MosLimits = [3.1, 3.6, 4.03, 4.34];

/** The band a MOS falls in, 0 (bad) to 4 (excellent). */
export function mosBand(mos: number, limits: MosLimits = DEFAULT_MOS_LIMITS): number {
  let band = 0;
  limits.forEach((min, i) => {
    if (mos >= min) band = i + 1;
  });
  return band;
}

/** Duration bins for the distribution chart: lower bounds in seconds. */
export const DURATION_BINS = [
  { label: '<30s', min: 0 },
  { label: '30s–1m', min: 30 },
  { label: '1–2m', min: 60 },
  { label: '2–5m', min: 120 },
  { label: '5–10m', min: 300 },
  { label: '10m+', min: 600 },
] as const;

export function durationBin(seconds: number): number {
  let bin = 0;
  DURATION_BINS.forEach((b, i) => {
    if (seconds >= b.min) bin = i;
  });
  return bin;
}
