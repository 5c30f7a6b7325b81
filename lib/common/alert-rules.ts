// Alert rules: what each kind watches, how it is validated, and whether it holds now. Pure, and
// shared with the admin page: the server's evaluator (lib/alerts/evaluator.ts) reads the store
// into `Readings` and asks each rule.
import { z } from 'zod';
import { isSilent, type LineActivity } from './settings';

export const RULE_KINDS = [
  'mos-below',
  'loss-above',
  'success-below',
  'failure-above',
  'bad-audio-above',
  'line-silent',
  'bad-signatures',
  'rejected',
  'no-callbacks',
  'stuck-calls',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** What each kind's threshold means, and its bounds. */
export const KIND_INFO: Record<
  RuleKind,
  { label: string; unit: string; min: number; max: number; perLine: boolean }
> = {
  'mos-below': { label: 'Average MOS below', unit: 'MOS', min: 1, max: 5, perLine: true },
  'loss-above': { label: 'Packet loss above', unit: '%', min: 0, max: 100, perLine: true },
  'success-below': { label: 'Success rate below', unit: '%', min: 0, max: 100, perLine: true },
  'failure-above': { label: 'Failure rate above', unit: '%', min: 0, max: 100, perLine: true },
  'bad-audio-above': { label: 'Bad-audio minutes above', unit: 'min', min: 0, max: 100_000, perLine: true },
  'line-silent': { label: 'Line silent for', unit: 'min', min: 1, max: 1440, perLine: true },
  'bad-signatures': { label: 'Bad signatures above', unit: '/min', min: 0, max: 100_000, perLine: false },
  rejected: { label: 'Rejected callbacks above', unit: '/min', min: 0, max: 100_000, perLine: false },
  'no-callbacks': { label: 'No callbacks for', unit: 'min', min: 1, max: 1440, perLine: false },
  'stuck-calls': { label: 'Calls stuck for over', unit: 'min', min: 1, max: 1440, perLine: true },
};

const iso = z.iso.datetime({ offset: true });

export const ruleInputSchema = z
  .object({
    name: z.string().trim().min(1, 'required').max(100),
    kind: z.enum(RULE_KINDS),
    /** A line (To number) to watch alone; null or absent: all lines. */
    line: z.string().trim().min(1).max(40).nullable().default(null),
    threshold: z.number().finite(),
    windowMinutes: z.number().int().min(1).max(1440).default(15),
    minCalls: z.number().int().min(0).max(1_000_000).default(10),
    channels: z.array(z.string().min(1)).max(20).default([]),
    /** Minutes between notifications of an unacknowledged alert; fractions allowed (0.5: 30 s). */
    renotifyMinutes: z.number().min(0.05).max(10_080).default(30),
    snoozedUntil: iso.nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    const info = KIND_INFO[r.kind];
    if (r.threshold < info.min || r.threshold > info.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: `must be between ${info.min} and ${info.max} (${info.unit}) for ${r.kind}`,
      });
    }
    if ((r.kind === 'bad-signatures' || r.kind === 'rejected') && r.windowMinutes > 60) {
      // The webhook's counters are kept per minute for the last hour.
      ctx.addIssue({
        code: 'custom',
        path: ['windowMinutes'],
        message: 'must be at most 60 for webhook counters',
      });
    }
    if (r.line !== null && !info.perLine) {
      ctx.addIssue({ code: 'custom', path: ['line'], message: `${r.kind} watches the webhook, not a line` });
    }
  });
export type RuleInput = z.infer<typeof ruleInputSchema>;

export interface Rule extends Omit<RuleInput, 'snoozedUntil'> {
  id: string;
  snoozedUntil: number | null;
}

/** A window's sums for one line (or all lines, under ""): the rollups' minute rows. */
export interface WindowSums {
  calls: number;
  finished: number;
  completed: number;
  mosSumCenti: number;
  mosCount: number;
  /** Calls that reported audio counters (their loss counts). */
  lossCount: number;
  packetsSum: number;
  lostSum: number;
  badAudioSeconds: number;
}

/** What the rules read, as of `now`. */
export interface Readings {
  now: number;
  /** Per window length (minutes): per line, and "" for all lines together. */
  windows: Map<number, Map<string, WindowSums>>;
  /** The center's lines: last callback and usual calls per hour at this hour. */
  lines: LineActivity[];
  /** Webhook counts per minute over the last hour (the ingest health rows). */
  minutes: { t: number; accepted: number; duplicates: number; signatureFailures: number; rejected: number }[];
  /** Per stuck-calls threshold (minutes): stuck calls per line. */
  stuck: Map<number, Map<string, number>>;
}

/** A rule's condition for one line ("" for all lines / the webhook). */
export interface Finding {
  line: string;
  holds: boolean;
  value: number | null;
  summary: string;
}

const fmt = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const where = (line: string) => (line === '' ? 'all lines' : line);

/** Whether each of a rule's lines is in trouble now, with the figure and a sentence saying why. */
export function evaluate(rule: Rule, r: Readings): Finding[] {
  const t = rule.threshold;
  const over = `over ${rule.windowMinutes} min`;
  switch (rule.kind) {
    case 'mos-below':
    case 'loss-above':
    case 'success-below':
    case 'failure-above':
    case 'bad-audio-above': {
      const sums = r.windows.get(rule.windowMinutes)?.get(rule.line ?? '');
      const line = rule.line ?? '';
      if (!sums) return [{ line, holds: false, value: null, summary: `no calls ${over} on ${where(line)}` }];
      const enough = (n: number) => n >= Math.max(rule.minCalls, 1);
      const calls = ` on ${where(line)} (${fmt(sums.calls)} call${sums.calls === 1 ? '' : 's'})`;
      switch (rule.kind) {
        case 'mos-below': {
          const v = sums.mosCount > 0 ? sums.mosSumCenti / sums.mosCount / 100 : null;
          const holds = v !== null && enough(sums.mosCount) && v < t;
          return [
            {
              line,
              holds,
              value: v,
              summary: `Average MOS ${v === null ? 'n/a' : fmt(v, 2)} ${holds ? 'below' : 'vs'} ${t} ${over}${calls}`,
            },
          ];
        }
        case 'loss-above': {
          const v = sums.packetsSum > 0 ? (sums.lostSum / sums.packetsSum) * 100 : null;
          const holds = v !== null && enough(sums.lossCount) && v > t;
          return [
            {
              line,
              holds,
              value: v,
              summary: `Packet loss ${v === null ? 'n/a' : `${fmt(v, 1)}%`} ${holds ? 'above' : 'vs'} ${t}% ${over}${calls}`,
            },
          ];
        }
        case 'success-below':
        case 'failure-above': {
          const success = sums.finished > 0 ? (sums.completed / sums.finished) * 100 : null;
          const v = success === null ? null : rule.kind === 'success-below' ? success : 100 - success;
          const holds =
            v !== null && enough(sums.finished) && (rule.kind === 'success-below' ? v < t : v > t);
          const what = rule.kind === 'success-below' ? 'Success rate' : 'Failure rate';
          const dir = rule.kind === 'success-below' ? 'below' : 'above';
          return [
            {
              line,
              holds,
              value: v,
              summary: `${what} ${v === null ? 'n/a' : `${fmt(v, 1)}%`} ${holds ? dir : 'vs'} ${t}% ${over}${calls}`,
            },
          ];
        }
        default: {
          const v = sums.badAudioSeconds / 60;
          const holds = enough(sums.finished) && v > t;
          return [
            {
              line,
              holds,
              value: v,
              summary: `${fmt(v, 1)} bad-audio minutes ${holds ? 'above' : 'vs'} ${t} ${over}${calls}`,
            },
          ];
        }
      }
    }
    case 'line-silent': {
      const lines = r.lines.filter((l) => rule.line === null || l.line === rule.line);
      return lines.map((l) => {
        const minutes = l.lastCallbackAt === null ? null : (r.now - l.lastCallbackAt) / 60_000;
        const holds = isSilent(l, r.now, t);
        return {
          line: l.line,
          holds,
          value: minutes,
          summary: `${l.line} has had no callback for ${minutes === null ? 'ever' : `${fmt(minutes)} min`}; it usually gets ${fmt(l.usualPerHour, 1)} calls an hour at this time`,
        };
      });
    }
    case 'bad-signatures':
    case 'rejected': {
      const since = r.now - rule.windowMinutes * 60_000;
      const rows = r.minutes.filter((m) => m.t >= since);
      const count = rows.reduce(
        (s, m) => s + (rule.kind === 'rejected' ? m.rejected : m.signatureFailures),
        0,
      );
      const v = count / rule.windowMinutes;
      const holds = v > t;
      const summary =
        rule.kind === 'bad-signatures'
          ? `${fmt(v, 1)} callbacks a minute failed the signature check ${over} (threshold ${t}/min). ` +
            'The usual cause: the URL the provider signs differs from the one the server checks (a proxy or tunnel in between): set PUBLIC_URL to the address the provider calls.'
          : `${fmt(v, 1)} callbacks a minute were rejected as malformed ${over} (threshold ${t}/min): see the ingest health panel and the server log.`;
      return [{ line: '', holds, value: v, summary }];
    }
    case 'no-callbacks': {
      const last = Math.max(0, ...r.lines.map((l) => l.lastCallbackAt ?? 0));
      const heard = r.minutes.filter((m) => m.accepted + m.duplicates > 0).map((m) => m.t + 59_999);
      const lastHeard = Math.max(last, ...heard);
      const usual = r.lines.reduce((s, l) => s + l.usualPerHour, 0);
      const minutes = lastHeard > 0 ? (r.now - lastHeard) / 60_000 : Infinity;
      const holds = isSilent({ line: '', lastCallbackAt: lastHeard, usualPerHour: usual }, r.now, t);
      return [
        {
          line: '',
          holds,
          value: Number.isFinite(minutes) ? minutes : null,
          summary: `No callbacks for ${Number.isFinite(minutes) ? `${fmt(minutes)} min` : 'as long as the store remembers'}, while ${fmt(usual, 1)} calls an hour are usual at this time: check the provider's status callback URL and that the server is reachable`,
        },
      ];
    }
    case 'stuck-calls': {
      const perLine = r.stuck.get(t) ?? new Map<string, number>();
      const n =
        rule.line === null ? [...perLine.values()].reduce((s, v) => s + v, 0) : (perLine.get(rule.line) ?? 0);
      const line = rule.line ?? '';
      return [
        {
          line,
          holds: n > 0,
          value: n,
          summary: `${fmt(n)} call${n === 1 ? '' : 's'} on ${where(line)} still ringing or in progress after ${t} min: their final callback never arrived`,
        },
      ];
    }
  }
}
