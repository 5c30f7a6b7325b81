// How numbers and times read on the board and in tests that check what the board shows.
import { DEFAULT_MOS_LIMITS, MOS_BANDS, mosBand, type MosLimits } from './status';

export const formatCount = (n: number) => n.toLocaleString('en-US');
export const formatMinutes = (m: number) =>
  m.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const formatMos = (mos: number | null) => (mos === null ? 'n/a' : mos.toFixed(2));
export const formatPercent = (r: number | null) => (r === null ? 'n/a' : `${(r * 100).toFixed(1)}%`);

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
