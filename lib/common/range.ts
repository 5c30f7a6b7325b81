// Time ranges in the board's time zone. Calendar arithmetic is Luxon's, so "today" starts at local
// midnight and lasts 23 or 25 hours across a daylight-saving change. Shared by server and browser.
import { DateTime } from 'luxon';
import { floorMinute, MINUTE_MS } from './time';

export const PRESETS = [
  { key: '15m', label: 'Last 15 min' },
  { key: '1h', label: 'Last hour' },
  { key: 'today', label: 'Today' },
  { key: 'yesterday', label: 'Yesterday' },
  { key: '7d', label: 'Last 7 days' },
  { key: 'custom', label: 'Custom' },
] as const;
export type Preset = (typeof PRESETS)[number]['key'];
export const PRESET_KEYS = PRESETS.map((p) => p.key) as Preset[];

export interface RangeChoice {
  preset: Preset;
  /** Custom range bounds as local date-times in the zone ("2026-03-08T00:00"); `to` is exclusive. */
  from?: string;
  to?: string;
}

export interface TimeRange {
  /** Epoch ms, minute-aligned (rollups are per minute), inclusive. */
  from: number;
  /** Epoch ms, exclusive; null = open, the range runs on with time. */
  to: number | null;
  /** Whether new calls can still fall in it, so the live feed keeps it current. */
  live: boolean;
  /** For humans and file names, e.g. "today 2026-11-24" or "2026-11-18 00:00 to 2026-11-24 00:00". */
  label: string;
}

/** 9999-12-31T23:59:59.999Z: the last instant the board's API takes. */
export const MAX_EPOCH_MS = 253_402_300_799_999;

const localText = (ms: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm');

/** Parses a local date-time of a custom range in the zone; null when it is not one. */
function parseLocal(text: string, zone: string): number | null {
  const t = DateTime.fromISO(text, { zone });
  return t.isValid ? floorMinute(t.toMillis()) : null;
}

/** The instants a choice covers at `now`, in `zone` (an IANA name). */
export function resolveRange(choice: RangeChoice, zone: string, now: number): TimeRange {
  const local = DateTime.fromMillis(now, { zone });
  // The start of the day `n` days away. Each is taken on its own day: where clocks go forward at
  // midnight (Santiago, Havana, Beirut) a day starts at 01:00, and adding days to one such start
  // would carry its 01:00 to other days.
  const dayStart = (n: number) => local.plus({ days: n }).startOf('day');
  const midnight = dayStart(0);
  const day = (d: DateTime) => d.toFormat('yyyy-LL-dd');
  switch (choice.preset) {
    case '15m':
    case '1h': {
      const minutes = choice.preset === '15m' ? 15 : 60;
      // Whole minutes: the range holds the current minute and the `minutes` before it.
      const from = floorMinute(now) - minutes * MINUTE_MS;
      return { from, to: null, live: true, label: `last ${minutes} min from ${localText(from, zone)}` };
    }
    case 'today':
      return {
        from: midnight.toMillis(),
        to: dayStart(1).toMillis(),
        live: true,
        label: `today ${day(midnight)}`,
      };
    case 'yesterday': {
      const start = midnight.minus({ days: 1 });
      return {
        from: start.toMillis(),
        to: midnight.toMillis(),
        live: false,
        label: `yesterday ${day(start)}`,
      };
    }
    case '7d': {
      // Calendar days, as reports count them: today and the six before it.
      const start = dayStart(-6);
      return {
        from: start.toMillis(),
        to: dayStart(1).toMillis(),
        live: true,
        label: `7 days ${day(start)} to ${day(midnight)}`,
      };
    }
    case 'custom': {
      const from = choice.from ? parseLocal(choice.from, zone) : null;
      const to = choice.to ? parseLocal(choice.to, zone) : null;
      // Nothing before 1970 or after 9999 (what the API takes), and `to` after `from`.
      const ok = (t: number | null): t is number => t !== null && t >= 0 && t <= MAX_EPOCH_MS;
      if (!ok(from) || !ok(to) || to <= from) return resolveRange({ preset: 'today' }, zone, now);
      return { from, to, live: to > now, label: `${localText(from, zone)} to ${localText(to, zone)}` };
    }
  }
}
