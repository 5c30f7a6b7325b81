// The board's settings, which the admin edits at runtime (/admin) and every screen follows, and the
// silent-line rule built on them. Shared by server and browser. Thresholds: thresholds.ts.
import { z } from 'zod';
import {
  DEFAULT_JITTER_LIMITS,
  DEFAULT_LOSS_LIMITS,
  DEFAULT_MOS_LIMITS,
  JITTER_BOUNDS,
  LOSS_BOUNDS,
} from './status';

/** A metric a threshold can watch, and which way is better. */
export const METRICS = {
  averageMos: { label: 'Average MOS', better: 'higher' },
  successRate: { label: 'Success rate', better: 'higher' },
  failureRate: { label: 'Failure rate', better: 'lower' },
  badAudioMinutes: { label: 'Bad-audio minutes', better: 'lower' },
  packetLoss: { label: 'Packet loss', better: 'lower' },
} as const;
export type Metric = keyof typeof METRICS;
export const METRIC_KEYS = Object.keys(METRICS) as Metric[];

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const limit = (min: number, max: number) => z.number().finite().min(min).max(max).nullable();

/** Two rising limits, each one of the bins' bounds (the rollups count by bin, not by limit). */
const bandLimits = (bounds: readonly number[], unit: string) =>
  z
    .tuple([z.number(), z.number()])
    .refine(
      (l) => l.every((v) => bounds.includes(v)),
      `each limit must be one of ${bounds.join(', ')} ${unit}`,
    )
    .refine((l) => l[1] > l[0], 'the bad limit must be above the degraded one');

export const boardSettingsSchema = z
  .object({
    /** IANA zone for "today", the clock and the export's file name; "" = each screen's own. */
    timeZone: z
      .string()
      .trim()
      .max(64)
      .refine((z) => z === '' || isValidTimeZone(z), 'not a known IANA time zone (e.g. Europe/London)'),
    /** Lower bounds of the poor, fair, good and excellent MOS bands, rising. */
    mosLimits: z
      .tuple([z.number(), z.number(), z.number(), z.number()])
      .refine((l) => l.every((v) => v >= 1 && v <= 5), 'each bound must be between 1 and 5')
      .refine((l) => l.every((v, i) => i === 0 || v > l[i - 1]!), 'bounds must rise from poor to excellent'),
    /** Packet loss in percent above which a call is degraded, and bad. */
    lossLimits: bandLimits(LOSS_BOUNDS, '%'),
    /** Largest jitter in ms above which a call is degraded, and bad. */
    jitterLimits: bandLimits(JITTER_BOUNDS, 'ms'),
    /** Per metric: the value a tile must not cross (see METRICS for the direction); null = none. */
    thresholds: z.object({
      averageMos: limit(1, 5),
      successRate: limit(0, 1),
      failureRate: limit(0, 1),
      badAudioMinutes: limit(0, 1e9),
      /** Percent of packets lost. */
      packetLoss: limit(0, 100),
    }),
    /** A line that usually gets calls at this hour and has had no callback for this long alerts. */
    silenceMinutes: z.number().int().min(1).max(1440),
    /** Whether screens beep when a tile crosses its threshold (each screen can mute). */
    soundAlerts: z.boolean(),
  })
  .strict();
export type BoardSettings = z.infer<typeof boardSettingsSchema>;

export const DEFAULT_SETTINGS: BoardSettings = {
  timeZone: '',
  mosLimits: DEFAULT_MOS_LIMITS,
  lossLimits: DEFAULT_LOSS_LIMITS,
  jitterLimits: DEFAULT_JITTER_LIMITS,
  thresholds: { averageMos: 3.6, successRate: 0.8, failureRate: null, badAudioMinutes: null, packetLoss: 3 },
  silenceMinutes: 15,
  soundAlerts: false,
};

/** Stored settings over the defaults; anything unreadable falls back to them. */
export function readSettings(json: string | null | undefined): BoardSettings {
  return parseSettings(json).settings;
}

/** The same, and what made them unreadable, if anything: said in the log at start. */
export function parseSettings(json: string | null | undefined): {
  settings: BoardSettings;
  problem: string | null;
} {
  if (!json) return { settings: DEFAULT_SETTINGS, problem: null };
  let stored: Partial<BoardSettings>;
  try {
    stored = JSON.parse(json) as Partial<BoardSettings>;
    if (typeof stored !== 'object' || stored === null) throw new Error('not an object');
  } catch (e) {
    return { settings: DEFAULT_SETTINGS, problem: `not a JSON object (${(e as Error).message})` };
  }
  const merged = {
    ...DEFAULT_SETTINGS,
    ...stored,
    thresholds: { ...DEFAULT_SETTINGS.thresholds, ...stored.thresholds },
  };
  const parsed = boardSettingsSchema.safeParse(merged);
  if (parsed.success) return { settings: parsed.data as BoardSettings, problem: null };
  const issue = parsed.error.issues[0]!;
  return { settings: DEFAULT_SETTINGS, problem: `${issue.path.join('.')}: ${issue.message}` };
}

/** A silent line is alerted only when at least this many calls were to be expected meanwhile. */
export const SILENCE_MIN_EXPECTED = 3;

export interface LineActivity {
  line: string;
  /** Epoch ms of its last callback, null if never. */
  lastCallbackAt: number | null;
  /** Average calls per hour this line had at this hour of day over the previous 7 days. */
  usualPerHour: number;
}

/**
 * Whether a line has gone quiet when it should not have: no callback for at least `silenceMinutes`,
 * while its usual traffic at this hour would have brought SILENCE_MIN_EXPECTED calls or more in
 * the time it has been silent (with Poisson arrivals, that much silence then happens by chance
 * under 5% of the time). A line that is quiet at night, or rarely called, does not alert.
 */
export function isSilent(a: LineActivity, now: number, silenceMinutes: number): boolean {
  if (a.lastCallbackAt === null) return false;
  const silentMs = now - a.lastCallbackAt;
  if (silentMs < silenceMinutes * 60_000) return false;
  return (a.usualPerHour * silentMs) / 3_600_000 >= SILENCE_MIN_EXPECTED;
}
