// What a call has beyond its identity and MOS when the provider reported nothing more: an inbound
// call of its own, no SIP code, no audio counters. Spread into the rows unit tests build by hand.
export const PLAIN_CALL = {
  direction: 'inbound',
  parentSid: null,
  sipCode: null,
  packets: null,
  lost: null,
  jitter: null,
  flushes: null,
} as const;

/** Rollup rows in key order, whatever order they were written in: for comparing two stores' rows. */
export const ROLLUP_ORDER = [
  { resolution: 'asc' },
  { bucket: 'asc' },
  { line: 'asc' },
  { direction: 'asc' },
  { status: 'asc' },
] as const;

/** FailureRollup rows in key order. */
export const FAILURE_ORDER = [...ROLLUP_ORDER, { sipCode: 'asc' }] as const;
