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

/**
 * Which way a call went, in the providers' own words. The board counts one direction at a time,
 * inbound by default: a forwarded call's second leg is not a second call to the center.
 */
export const DIRECTIONS = ['inbound', 'outbound-dial', 'outbound-api'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const DIRECTION_LABELS: Record<Direction, string> = {
  inbound: 'Inbound',
  // Legs the center dialled for a call (<Dial>, a forward): the call itself is the inbound one.
  'outbound-dial': 'Outbound legs',
  // Calls the center placed (the provider's API).
  'outbound-api': 'Outbound calls',
};

/**
 * Packet loss bins: upper bounds in percent of packets received, the last unbounded. A band limit
 * on the admin page is one of these bounds, so the rollups never need recounting when it moves.
 */
export const LOSS_BOUNDS = [0.5, 1, 2, 3, 5, 10] as const;
/** Largest-jitter bins: upper bounds in milliseconds, the last unbounded. */
export const JITTER_BOUNDS = [10, 20, 30, 50, 100] as const;

/** The bin of `value` among rising upper `bounds` (inclusive); bounds.length for above them all. */
function binOf(bounds: readonly number[], above: (bound: number) => boolean): number {
  const i = bounds.findIndex((b) => !above(b));
  return i === -1 ? bounds.length : i;
}

/** A call's packet loss, lost / received, in percent; null without packets received. */
export function lossPercent(packets: number | null, lost: number | null): number | null {
  return packets !== null && lost !== null && packets > 0 ? (lost * 100) / packets : null;
}

/** Its loss bin. Compared as lost * 100 > bound * packets, exactly as the SQL recount does. */
export function lossBin(packets: number, lost: number): number {
  return binOf(LOSS_BOUNDS, (b) => lost * 100 > b * packets);
}

export function jitterBin(ms: number): number {
  return binOf(JITTER_BOUNDS, (b) => ms > b);
}

/**
 * Quality bands for packet loss and jitter, worst first to match MOS_BANDS' reading: above the
 * upper limit is bad, above the lower one degraded. Same shapes as the MOS bands they echo.
 */
export const QUALITY_BANDS = [
  { key: 'bad', label: 'Bad', shape: '✖' },
  { key: 'degraded', label: 'Degraded', shape: '◆' },
  { key: 'good', label: 'Good', shape: '▲' },
] as const;

/** [degraded above, bad above]: loss in percent, jitter in ms, each one of the bin bounds. */
export type QualityLimits = [number, number];
/** Usual VoIP guidance: loss under 1% is not heard, above 3% is; jitter above 30 ms needs a look. */
export const DEFAULT_LOSS_LIMITS: QualityLimits = [1, 3];
export const DEFAULT_JITTER_LIMITS: QualityLimits = [30, 50];

/** Calls per quality band (worst first) from bin counts and the limits. */
export function qualityBands(bins: number[], bounds: readonly number[], limits: QualityLimits): number[] {
  const cut = (limit: number) => bounds.indexOf(limit) + 1;
  const sum = (from: number, to: number) => bins.slice(from, to).reduce((a, b) => a + b, 0);
  const degraded = cut(limits[0]);
  const bad = cut(limits[1]);
  return [sum(bad, bins.length), sum(degraded, bad), sum(0, degraded)];
}

/** The band of one value: 0 bad, 1 degraded, 2 good. */
export function qualityBand(value: number, limits: QualityLimits): number {
  return value > limits[1] ? 0 : value > limits[0] ? 1 : 2;
}

/** The unsuccessful final statuses, the "why calls fail" panel's columns. */
export const FAILURE_STATUSES = ['failed', 'busy', 'no-answer', 'canceled'] as const;

/** SIP response codes a call center sees on unsuccessful calls, in words (RFC 3261 and others). */
export const SIP_LABELS: Record<number, string> = {
  0: 'No SIP code reported',
  200: 'OK',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  410: 'Gone',
  480: 'Temporarily Unavailable',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
};

export function sipLabel(code: number): string {
  return (
    SIP_LABELS[code] ?? (code >= 600 ? 'Global failure' : code >= 500 ? 'Server failure' : 'Request failure')
  );
}

/** A failure tally's key: status and SIP code (0 when none was reported). */
export const failureKey = (status: string, sipCode: number | null) => `${status} ${sipCode ?? 0}`;
export function parseFailureKey(key: string): { status: string; sipCode: number } {
  const [status, code] = key.split(' ');
  return { status: status!, sipCode: Number(code) };
}
