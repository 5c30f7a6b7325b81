// When a tile is over its threshold, and when it crossed: pure rules on a tally and the board's
// settings, shared by server and browser.
import { kpis } from './tally';
import { METRIC_KEYS, METRICS, type BoardSettings, type Metric } from './settings';
import type { Tally } from './types';

/** Every metric a threshold can watch, from a tally; null where there is nothing to measure. */
export function metricValues(t: Tally): Record<Metric, number | null> {
  const k = kpis(t);
  return {
    averageMos: k.averageMos,
    successRate: k.successRate,
    failureRate: k.successRate === null ? null : 1 - k.successRate,
    badAudioMinutes: t.badAudioSeconds / 60,
    packetLoss: k.packetLoss,
  };
}

/** Whether a value is on the wrong side of its threshold. No value or no threshold never is. */
export function breaches(metric: Metric, value: number | null, threshold: number | null): boolean {
  if (value === null || threshold === null) return false;
  return METRICS[metric].better === 'higher' ? value < threshold : value > threshold;
}

/** The metrics now over their thresholds. */
export function breached(t: Tally, s: BoardSettings): Set<Metric> {
  const values = metricValues(t);
  return new Set(METRIC_KEYS.filter((m) => breaches(m, values[m], s.thresholds[m])));
}

/**
 * Metrics that crossed since the last check: an alert sounds once, at the moment of crossing,
 * and again only after the metric has recovered and crossed anew.
 */
export function newlyBreached(before: Set<Metric>, now: Set<Metric>): Metric[] {
  return [...now].filter((m) => !before.has(m));
}
