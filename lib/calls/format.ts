// How numbers and times read on the board and in tests that check what the board shows.
import { DEFAULT_MOS_LIMITS, MOS_BANDS, mosBand, type MosLimits } from './status';

export const formatCount = (n: number) => n.toLocaleString('en-US');
/** A count in at most four characters, for chart axes: 950, 12K, 1.2M. */
export const formatCompact = (n: number) =>
  n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
export const formatMinutes = (m: number) =>
  m.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/**
 * Talk time in the unit read at a glance: minutes to the hundredth below 1,000 minutes, then whole
 * hours ("30,545.78" minutes is "509 h"), so a busy day's figure stays short on every screen.
 */
export function formatTalk(minutes: number): { value: string; unit: 'min' | 'h' } {
  return minutes < 1000
    ? { value: formatMinutes(minutes), unit: 'min' }
    : { value: formatCount(Math.round(minutes / 60)), unit: 'h' };
}
export const formatMos = (mos: number | null) => (mos === null ? 'n/a' : mos.toFixed(2));
export const formatPercent = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the
 * direction marks (U+200E, U+200F, U+061C): in a phone number they only serve to make it read as
 * another one (U+202E turns "4321-555-999-1+" into "+1-999-555-1234" on screen).
 */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/**
 * A raw field as received, its invisible direction controls shown as code points ("⟨U+202E⟩"):
 * the call detail shows what was sent, and an override must not rearrange what it shows.
 */
export const showControls = (s: string) =>
  s.replace(BIDI_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '–';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

export function bandOf(mos: number | null, limits: MosLimits = DEFAULT_MOS_LIMITS) {
  return mos === null ? null : MOS_BANDS[mosBand(mos, limits)]!;
}

/** "3 min ago", "2 h 5 min ago": how long since a moment, for the per-line and health views. */
export function formatAgo(at: number | null, now: number): string {
  if (at === null) return 'never';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min ago`;
  return `${Math.floor(h / 24)} days ago`;
}

// Intl formatters are costly to build and the table formats every visible row every frame.
const formatters = new Map<
  string,
  { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat; date: Intl.DateTimeFormat }
>();
function formattersFor(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = {
      day: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      time: new Intl.DateTimeFormat('en-GB', {
        timeZone,
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
      }),
      date: new Intl.DateTimeFormat('en-GB', { timeZone, day: '2-digit', month: 'short' }),
    };
    formatters.set(timeZone, f);
  }
  return f;
}

/** Time of day for today's calls, date and time for older ones, in the given zone. */
export function formatCallTime(iso: string, timeZone: string, now = new Date()): string {
  const f = formattersFor(timeZone);
  const d = new Date(iso);
  const time = f.time.format(d);
  if (f.day.format(d) === f.day.format(now)) return time;
  return `${f.date.format(d)} ${time}`;
}

/** hh:mm:ss in the given zone, 24-hour. */
export const formatClock = (at: number | Date, timeZone: string) => formattersFor(timeZone).time.format(at);
