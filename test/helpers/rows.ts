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
