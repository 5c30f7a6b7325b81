import { MINUTE_MS } from './time';

/** Most points a chart shows. */
export const MAX_POINTS = 120;

/** Chart bucket sizes, smallest first; the first that spans the data in few enough points wins. */
const BUCKETS_MS = [1, 5, 15, 60, 180, 360, 720, 1440, 10080].map((m) => m * MINUTE_MS);

export function bucketFor(spanMs: number): number {
  return BUCKETS_MS.find((b) => spanMs / b < MAX_POINTS) ?? BUCKETS_MS[BUCKETS_MS.length - 1]!;
}
