// How numbers and times read on the board and in tests that check what the board shows.
import { MOS_BANDS, mosBand } from './status';

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

export function bandOf(mos: number | null) {
  return mos === null ? null : MOS_BANDS[mosBand(mos)]!;
}

/** Time of day for today's calls, date and time for older ones, in the given zone. */
export function formatCallTime(iso: string, timeZone: string, now = new Date()): string {
  const d = new Date(iso);
  const day = (x: Date) => x.toLocaleDateString('en-CA', { timeZone });
  const time = d.toLocaleTimeString('en-GB', { timeZone, hour12: false });
  if (day(d) === day(now)) return time;
  return `${d.toLocaleDateString('en-GB', { timeZone, day: '2-digit', month: 'short' })} ${time}`;
}
