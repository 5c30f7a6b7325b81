// How numbers and times read on the board and in tests that check what the board shows.
import {
  DEFAULT_MOS_LIMITS,
  MOS_BANDS,
  QUALITY_BANDS,
  mosBand,
  qualityBand,
  type MosLimits,
  type QualityLimits,
} from './status';

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

/** The quality band of a loss (percent) or jitter (ms), with the tone class it reads in. */
export function qualityOf(value: number | null, limits: QualityLimits) {
  if (value === null) return null;
  const band = QUALITY_BANDS[qualityBand(value, limits)]!;
  return { ...band, tone: band.key === 'bad' ? 'bad' : band.key === 'degraded' ? 'fair' : 'good' };
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

/** What the product formats in when the browser names no locale it can use. */
export const DEFAULT_LOCALE = 'en-US';

/**
 * The browser's locale, from its Accept-Language header (the server renders in it, and the page
 * hydrates with the same one): its first language the runtime can format in, else en-US.
 */
export function pickLocale(acceptLanguage: string | null | undefined): string {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim();
    if (!tag || tag === '*') continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // not a language tag
    }
  }
  return DEFAULT_LOCALE;
}

/** Every number, date and time the product shows, in one locale and one time zone. */
export interface Formats {
  locale: string;
  zone: string;
  count(n: number): string;
  /** At most four characters, for chart axes: 950, 12K, 1.2M. */
  compact(n: number): string;
  /** One decimal: rates per minute and per hour. */
  tenths(n: number): string;
  /** Two decimals. */
  minutes(m: number): string;
  /**
   * Talk time in the unit read at a glance: minutes to the hundredth below 1,000 minutes, then
   * whole hours ("30,545.78" minutes is "509 h"), so a busy day's figure stays short on any screen.
   */
  talk(minutes: number): { value: string; unit: 'min' | 'h' };
  mos(mos: number | null): string;
  percent(ratio: number | null): string;
  /** Packet loss, given in percent: "0.42%"; n/a without audio counters. */
  loss(percent: number | null): string;
  /** Milliseconds: "12.4 ms"; n/a without audio counters. */
  ms(ms: number | null): string;
  /** hh:mm:ss, 24-hour. */
  clock(at: number | Date): string;
  /** Time of day for today's calls, date and time for older ones. */
  callTime(iso: string, now?: Date): string;
  /** Date and time, seconds included: the call detail, the admin page. */
  dateTime(at: number | Date | string): string;
  /** A chart's time axis: hh:mm, or day and month when each point is a day. */
  axisTime(at: number, daily: boolean): string;
}

// Intl formatters are costly to build and the table formats every visible row every frame.
const cache = new Map<string, Formats>();

export function formatsFor(locale: string, zone: string): Formats {
  const key = `${locale}|${zone}`;
  let f = cache.get(key);
  if (f) return f;
  const number = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options);
  const date = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { timeZone: zone, hourCycle: 'h23', ...options });
  const count = number({ maximumFractionDigits: 0 });
  const compact = number({ notation: 'compact', maximumFractionDigits: 1 });
  const tenths = number({ minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const two = number({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const one = number({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const loss = number({ style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const clock = date({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const day = date({ year: 'numeric', month: '2-digit', day: '2-digit' });
  const shortDate = date({ day: '2-digit', month: 'short' });
  const dateTime = date({ dateStyle: 'medium', timeStyle: 'medium' });
  const hhmm = date({ hour: '2-digit', minute: '2-digit' });
  f = {
    locale,
    zone,
    count: (n) => count.format(n),
    compact: (n) => compact.format(n),
    tenths: (n) => tenths.format(n),
    minutes: (m) => two.format(m),
    talk: (m) =>
      m < 1000
        ? { value: two.format(m), unit: 'min' }
        : { value: count.format(Math.round(m / 60)), unit: 'h' },
    mos: (m) => (m === null ? 'n/a' : two.format(m)),
    percent: (r) => (r === null ? 'n/a' : one.format(r)),
    loss: (p) => (p === null ? 'n/a' : loss.format(p / 100)),
    ms: (m) => (m === null ? 'n/a' : `${tenths.format(m)} ms`),
    clock: (at) => clock.format(at),
    callTime(iso, now = new Date()) {
      const d = new Date(iso);
      const time = clock.format(d);
      return day.format(d) === day.format(now) ? time : `${shortDate.format(d)} ${time}`;
    },
    dateTime: (at) => dateTime.format(typeof at === 'string' ? new Date(at) : at),
    axisTime: (at, daily) => (daily ? shortDate : hhmm).format(at),
  };
  cache.set(key, f);
  return f;
}
