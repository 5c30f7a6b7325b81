// Shapes shared by the server and the browser. No imports of server-only code here.
import type { BoardFilter } from './filter';
import type { BoardSettings, LineActivity } from './settings';

export interface CallRow {
  callSid: string;
  accountSid: string | null;
  from: string | null;
  to: string | null;
  status: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  duration: number | null;
  mos: number | null;
  /** inbound, outbound-dial or outbound-api (see DIRECTIONS). */
  direction: string;
  /** The call this one is a leg of; null for a call of its own. */
  parentSid: string | null;
  /** SIP response code to the call's INVITE, when reported. */
  sipCode: number | null;
  /** Audio counters (SignalWire): media packets received, lost, largest jitter in ms, flushes. */
  packets: number | null;
  lost: number | null;
  jitter: number | null;
  flushes: number | null;
  eventId: number;
}

/** Additive aggregates of a set of calls: rollup rows, totals and deltas all have this shape. */
export interface Tally {
  calls: number;
  finished: number;
  completed: number;
  durationSum: number;
  durationCount: number;
  mosSumCenti: number;
  mosCount: number;
  /** Calls per MOS band, worst first (see MOS_BANDS). */
  mosBands: number[];
  /** Finished calls per duration bin (see DURATION_BINS). */
  durationBins: number[];
  /** Talk seconds on calls whose MOS is below the poor band. */
  badAudioSeconds: number;
  /** Calls with a packet loss, their packets received and lost, and calls per LOSS_BOUNDS bin. */
  lossCount: number;
  packetsSum: number;
  lostSum: number;
  lossBins: number[];
  /** Calls with a largest jitter, those jitters summed in hundredths of a ms, calls per JITTER_BOUNDS bin. */
  jitterCount: number;
  jitterSumCenti: number;
  jitterBins: number[];
  /** Jitter-buffer flushes. */
  flushSum: number;
  /** Unsuccessful calls by status and SIP code (failureKey, e.g. "busy 486"). */
  failures: Record<string, number>;
}

/**
 * What a chart point holds of its bucket's tally: what the charts draw over time (average MOS and
 * average duration) and its calls. The rest of a tally is read as totals and per line only.
 */
export type PointTally = Pick<Tally, 'calls' | 'durationSum' | 'durationCount' | 'mosSumCenti' | 'mosCount'>;

export interface SeriesPoint {
  /** Bucket start, epoch milliseconds. */
  t: number;
  tally: PointTally;
}

export interface LineRow {
  /** The center's number (calls' To); "" for calls without one. */
  line: string;
  tally: Tally;
  /** Epoch ms of its latest call's start, over all time; null if none. */
  lastCallAt: number | null;
}

export interface Snapshot {
  /** Every change with an id up to this one is reflected here. */
  asOfEventId: number;
  settings: BoardSettings;
  /** What the figures count. */
  filter: BoardFilter;
  totals: Tally;
  bucketMs: number;
  /** Bucket starts are `filter.from` plus whole multiples of bucketMs. */
  series: SeriesPoint[];
  calls: CallRow[];
  /** Per line, under the same filter except the line. */
  lines: LineRow[];
  /**
   * Set when the range reaches back before the calls retention deleted: `before` (epoch ms, a UTC
   * midnight) is where the stored calls begin; `calls` is how many calls of the range the rollups
   * count but the store no longer lists (null when the filter, a status or a caller search, is
   * answered from the stored calls alone and so cannot tell).
   */
  purged?: { before: number; calls: number | null } | null;
}

/** Webhook traffic over the last hour, and when each line was last heard from. */
export interface IngestHealth {
  /** Server time, epoch ms. */
  now: number;
  minutes: {
    /** Minute start, epoch ms. */
    t: number;
    accepted: number;
    duplicates: number;
    signatureFailures: number;
    rejected: number;
    deferred: number;
  }[];
  lines: LineActivity[];
  silenceMinutes: number;
  /** Reported fields dropped as malformed in the last hour, per field name, most first. */
  dropped: { field: string; count: number }[];
}

/** What the board's tallies and filters read of a call. */
export type CallFacts = Pick<
  CallRow,
  | 'startedAt'
  | 'to'
  | 'from'
  | 'status'
  | 'duration'
  | 'mos'
  | 'direction'
  | 'sipCode'
  | 'packets'
  | 'lost'
  | 'jitter'
  | 'flushes'
>;

/** A change to one call, as pushed to dashboards. */
export interface CallUpdate {
  /** Monotonic id from the store. */
  id: number;
  call: CallRow;
  /** The call as it stood before this change, null if new: each board takes its old
   * contribution out and adds the new one, where its own filters count them. */
  before: CallFacts | null;
}

/** One distinct callback of a call, as received. */
export interface CallEventRow {
  id: number;
  status: string;
  sequence: number | null;
  /** The provider's Timestamp, ISO. */
  timestamp: string | null;
  /** When the first delivery arrived, ISO. */
  receivedAt: string;
  /** 1 + the retries of this same CallSid and CallStatus that were absorbed. */
  deliveries: number;
  /** False when it arrived after a later status and so changed nothing. */
  applied: boolean;
  /** Its Timestamp is earlier than that of a callback received before it. */
  outOfOrder: boolean;
  /** Every field exactly as received. */
  raw: Record<string, string>;
}

export interface CallHistory {
  call: CallRow | null;
  /** The calls that are legs of this one (ParentCallSid), oldest first. */
  legs: CallRow[];
  /** In arrival order. */
  events: CallEventRow[];
}
