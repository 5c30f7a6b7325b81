// The audit log: sign-ins (failed ones too) and sign-outs, exports, and every admin change, with
// who did it and from which address. An entry is written after the change it records and never
// stands in its way: a write that fails is logged, and the change stands. Old entries are deleted
// by retention (lib/ops/retention.ts).
import Papa from 'papaparse';
import { maskNumber } from '../auth/mask';
import { z } from 'zod';
import type { Database } from '../db/client';
import type { Logger } from '../log';
import type { BoardFilter } from '../common/filter';
import { MAX_EPOCH_MS } from '../common/range';
import { FORMULA_START } from '../calls/csv-format';
import {
  AUDIT_EXPORT_MAX,
  AUDIT_PAGE_MAX,
  AUDIT_PAGE_SIZE,
  type AuditAction,
  type AuditPage,
  type AuditRow,
} from '../common/audit';

export interface AuditInput {
  /** The acting user; null when nobody was signed in (a failed sign-in). */
  userId?: string | null;
  /** The acting user's username; for a failed sign-in, the name tried. */
  username?: string | null;
  /** The client address, as the gate set X-Forwarded-For. */
  address?: string | null;
  action: AuditAction;
  /** What it was done to: a user's, TV's, rule's, channel's or alert's id. */
  target?: string | null;
  /** What changed, the export's filter and rows: redacted before it is stored (see `redact`). */
  detail?: Record<string, unknown>;
}

/** Writes entries. Never rejects: a failed write is logged and the caller carries on. */
export interface AuditRecorder {
  record(entry: AuditInput): Promise<void>;
}

/** Who acts and from where: the signed-in person, and the address the gate put in X-Forwarded-For. */
export function actor(who: { userId: string; username: string }, request: Request) {
  return {
    userId: who.userId,
    username: who.username,
    address: request.headers.get('x-forwarded-for'),
  };
}

/** An entry for what the signed-in person did through this request (see `actor`). */
export function entryOf(
  who: { userId: string; username: string },
  request: Request,
  action: AuditAction,
  target: string | null = null,
  detail: Record<string, unknown> = {},
): AuditInput {
  return { ...actor(who, request), action, target, detail };
}

const ms = z.coerce.number().int().min(0).max(MAX_EPOCH_MS);
/** GET /api/admin/audit and its export: a range of times, an action, a username; pages of entries. */
export const auditQuerySchema = z
  .object({
    from: ms.optional(),
    to: ms.optional(),
    action: z.string().trim().min(1).max(64).optional(),
    user: z.string().trim().min(1).max(100).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(AUDIT_PAGE_SIZE),
  })
  .refine((q) => q.to === undefined || q.from === undefined || q.to > q.from, {
    message: 'must be after from',
    path: ['to'],
  });
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** Keys whose values are credentials: never stored, whatever the caller passes. */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authori[sz]ation|cookie|credential|signature/i;
/** Keys holding an address that may carry a credential (a Slack or Teams URL's path is one). */
const URL_KEY = /(url|uri|link|href)$/i;
const HIDDEN = '••••';
const MAX_TEXT = 500;
const MAX_ITEMS = 100;

/** A URL reduced to its origin, as the alert channels are listed (lib/alerts/channels.ts). */
function originOnly(v: unknown): unknown {
  if (typeof v !== 'string') return v === null || v === undefined ? v : HIDDEN;
  return URL.canParse(v) ? `${new URL(v).origin}/…` : HIDDEN;
}

/**
 * A detail as it may be stored: the values of credential keys (password, secret, token, …)
 * hidden, URLs cut to their origin, long strings and lists shortened.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (depth >= 6) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => redact(v, depth + 1));
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (SECRET_KEY.test(k)) out[k] = v === null ? null : HIDDEN;
      else if (URL_KEY.test(k)) out[k] = originOnly(v);
      else out[k] = redact(v, depth + 1);
    }
    return out;
  }
  return String(value);
}

/** A value this long or shorter (as JSON) is recorded old → new; a longer one only as changed. */
const SMALL = 200;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);

/**
 * The fields that differ between two versions of something, each as { from, to }; in a nested
 * object, by its path ("thresholds.averageMos").
 */
export function changes(
  before: object,
  after: object,
  prefix = '',
): Record<string, { from: unknown; to: unknown } | '(changed)'> {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const out: Record<string, { from: unknown; to: unknown } | '(changed)'> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (isPlain(a[key]) && isPlain(b[key])) {
      Object.assign(out, changes(a[key], b[key], `${prefix}${key}.`));
      continue;
    }
    const from = JSON.stringify(a[key] ?? null);
    const to = JSON.stringify(b[key] ?? null);
    if (from === to) continue;
    out[prefix + key] =
      from.length <= SMALL && to.length <= SMALL ? { from: a[key] ?? null, to: b[key] ?? null } : '(changed)';
  }
  return out;
}

const isoOrNull = (t: number | null | undefined) =>
  t === null || t === undefined ? null : new Date(t).toISOString();

/**
 * A board filter as an export's entry records it. A caller search is recorded only by how many
 * digits it had: the digits are part of someone's phone number.
 */
export function filterDetail(f: BoardFilter): Record<string, unknown> {
  return {
    from: isoOrNull(f.from),
    to: isoOrNull(f.to),
    // Legs' and outbound calls' "lines" are people's numbers.
    line: f.line !== null && f.direction !== 'inbound' ? maskNumber(f.line) : f.line,
    status: f.status,
    direction: f.direction,
    ...(f.caller !== null ? { callerDigits: f.caller.replace(/\D/g, '').length } : {}),
  };
}

/** A range of epoch ms as an entry records it. */
export const rangeDetail = (q: { from?: number; to?: number }) => ({
  from: isoOrNull(q.from),
  to: isoOrNull(q.to),
});

function detailOf(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { unreadable: json.slice(0, MAX_TEXT) };
  }
}

type Filter = Pick<AuditQuery, 'from' | 'to' | 'action' | 'user'>;

function whereOf(q: Filter) {
  return {
    ...(q.from !== undefined || q.to !== undefined
      ? {
          at: {
            ...(q.from !== undefined ? { gte: new Date(q.from) } : {}),
            ...(q.to !== undefined ? { lt: new Date(q.to) } : {}),
          },
        }
      : {}),
    ...(q.action ? { action: q.action } : {}),
    // Usernames are stored as Better Auth keeps them, in lower case.
    ...(q.user ? { username: q.user.toLowerCase() } : {}),
  };
}

export const AUDIT_CSV_COLUMNS = [
  'Time',
  'User',
  'User ID',
  'Address',
  'Action',
  'Target',
  'Detail',
] as const;

export function createAudit(db: Database, log: Logger) {
  const write = async (entry: AuditInput) => {
    const detail = JSON.stringify(redact(entry.detail ?? {}));
    // A transaction of its own: on SQLite's one writer connection a bare statement would run
    // inside whatever ingest transaction is open, and share its fate.
    await db.write.$transaction((tx) =>
      tx.auditEntry.create({
        data: {
          at: new Date(),
          userId: entry.userId ?? null,
          username: entry.username ? entry.username.slice(0, 100) : null,
          address: entry.address ? entry.address.slice(0, 100) : null,
          action: entry.action,
          target: entry.target ?? null,
          detail,
        },
      }),
    );
  };
  const rowOf = (e: {
    id: number;
    at: Date;
    userId: string | null;
    username: string | null;
    address: string | null;
    action: string;
    target: string | null;
    detail: string;
  }): AuditRow => ({
    id: e.id,
    at: e.at.toISOString(),
    userId: e.userId,
    username: e.username,
    address: e.address,
    action: e.action,
    target: e.target,
    detail: detailOf(e.detail),
  });

  return {
    /**
     * Writes an entry that must exist before what it records happens (a revealed number): a
     * failure rejects, and the caller refuses.
     */
    recordOrRefuse: write,
    async record(entry: AuditInput): Promise<void> {
      try {
        await write(entry);
      } catch (err) {
        log.error(
          { err: String(err), action: entry.action, username: entry.username ?? null },
          'audit entry not saved',
        );
      }
    },

    /** Entries matching the filters, newest first, one page of them, and how many match in all. */
    async list(q: AuditQuery): Promise<AuditPage> {
      const where = whereOf(q);
      const [total, rows] = await Promise.all([
        db.read.auditEntry.count({ where }),
        db.read.auditEntry.findMany({
          where,
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          skip: (q.page - 1) * q.limit,
          take: q.limit,
        }),
      ]);
      return { entries: rows.map(rowOf), total, page: q.page, limit: q.limit };
    },

    /**
     * The newest AUDIT_EXPORT_MAX entries matching the filters as CSV (the detail as JSON), and how
     * many rows it holds.
     */
    async csv(q: Filter): Promise<{ text: string; rows: number }> {
      const rows = (
        await db.read.auditEntry.findMany({
          where: whereOf(q),
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          take: AUDIT_EXPORT_MAX,
        })
      ).map(rowOf);
      const text = Papa.unparse(
        {
          fields: [...AUDIT_CSV_COLUMNS],
          data: rows.map((e) => [
            e.at,
            e.username ?? '',
            e.userId ?? '',
            e.address ?? '',
            e.action,
            e.target ?? '',
            JSON.stringify(e.detail),
          ]),
        },
        // As the call export: a cell a spreadsheet would run as a formula is neutralised.
        { escapeFormulae: FORMULA_START, newline: '\r\n' },
      );
      return { text, rows: rows.length };
    },
  };
}

export type Audit = ReturnType<typeof createAudit>;
