// Shapes shared by the server and the browser. No imports of server-only code here.

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
}

export interface SeriesPoint {
  /** Bucket start, epoch milliseconds. */
  t: number;
  tally: Tally;
}

export interface Snapshot {
  /** Every change with an id up to this one is reflected here. */
  asOfEventId: number;
  totals: Tally;
  bucketMs: number;
  series: SeriesPoint[];
  calls: CallRow[];
}

/** A change to one call, as pushed to dashboards. */
export interface CallUpdate {
  /** Monotonic id from the store. */
  id: number;
  call: CallRow;
  /** What the change adds to the tallies, per minute bucket (epoch ms). */
  changes: { bucket: number; delta: Tally }[];
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
  /** In arrival order. */
  events: CallEventRow[];
}
