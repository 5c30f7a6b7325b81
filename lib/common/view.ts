// What a screen shows, as it travels in the page's URL (so a TV is set up with a link, and a
// reload keeps the view): range, zone, filters and layout. Shared by the page and the browser.
import { CALL_STATUSES, DIRECTIONS, type Direction } from './status';
import { PRESET_KEYS, resolveRange, type Preset, type TimeRange } from './range';
import { isValidTimeZone } from './settings';
import { MAX_CALLER_LENGTH, MAX_LINE_LENGTH, normalizeCaller, type BoardFilter } from './filter';

/** Where the page remembers the browser's zone, so the server renders "today" in it next time. */
export const ZONE_COOKIE = 'wallboard_tz';

export interface View {
  preset: Preset;
  /** Custom range bounds, local date-times ("2026-03-08T00:00"). */
  from: string | null;
  to: string | null;
  /** A zone chosen for this screen; null follows the board setting, then the browser. */
  tz: string | null;
  line: string | null;
  status: string | null;
  caller: string | null;
  direction: Direction;
  /** Full-screen layout without controls, for a TV. */
  tv: boolean;
}

export const DEFAULT_VIEW: View = {
  preset: 'today',
  from: null,
  to: null,
  tz: null,
  line: null,
  status: null,
  caller: null,
  direction: 'inbound',
  tv: false,
};

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? null;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** A view from URL parameters; anything unreadable falls back to the default. */
export function parseView(params: Params): View {
  const preset = one(params.range);
  const tz = one(params.tz);
  const status = one(params.status);
  const from = one(params.from);
  const to = one(params.to);
  const caller = normalizeCaller(one(params.caller) ?? '');
  const line = one(params.line);
  const direction = one(params.direction);
  return {
    preset: PRESET_KEYS.includes(preset as Preset) ? (preset as Preset) : DEFAULT_VIEW.preset,
    from: from && LOCAL.test(from) ? from : null,
    to: to && LOCAL.test(to) ? to : null,
    tz: tz && isValidTimeZone(tz) ? tz : null,
    line: line !== null && line.length <= MAX_LINE_LENGTH ? line : null,
    status: status && (CALL_STATUSES as readonly string[]).includes(status) ? status : null,
    caller: caller ? caller.slice(0, MAX_CALLER_LENGTH) : null,
    direction: DIRECTIONS.includes(direction as Direction) ? (direction as Direction) : 'inbound',
    tv: one(params.view) === 'tv',
  };
}

/** The view as URL parameters, defaults left out. */
export function viewParams(v: View): URLSearchParams {
  const p = new URLSearchParams();
  if (v.preset !== DEFAULT_VIEW.preset) p.set('range', v.preset);
  if (v.preset === 'custom') {
    if (v.from) p.set('from', v.from);
    if (v.to) p.set('to', v.to);
  }
  if (v.tz) p.set('tz', v.tz);
  if (v.line !== null) p.set('line', v.line);
  if (v.status) p.set('status', v.status);
  if (v.caller) p.set('caller', v.caller);
  if (v.direction !== 'inbound') p.set('direction', v.direction);
  if (v.tv) p.set('view', 'tv');
  return p;
}

/** The zone a screen uses: its own choice, else the board's setting, else the browser's. */
export const zoneOf = (v: View, boardZone: string, browserZone: string) => v.tz ?? (boardZone || browserZone);

export function rangeOf(v: View, zone: string, now: number): TimeRange {
  return resolveRange({ preset: v.preset, from: v.from ?? undefined, to: v.to ?? undefined }, zone, now);
}

export function filterOfView(v: View, range: TimeRange): BoardFilter {
  return {
    from: range.from,
    to: range.to,
    line: v.line,
    status: v.status,
    caller: v.caller,
    direction: v.direction,
  };
}
