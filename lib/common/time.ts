// Time constants: a leaf every module may import.
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Seven days; week rollup rows start at multiples of it from the epoch (a Thursday, 00:00 UTC). */
export const WEEK_MS = 7 * DAY_MS;

/** The start of the UTC minute `ms` falls in. */
export const floorMinute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
