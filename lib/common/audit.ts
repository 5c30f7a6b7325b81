// The audit log as the admin API answers it and the audit page shows it: shared by server and
// browser. The entries are written by lib/ops/audit.ts.

/** What an entry records, with the words the audit page shows for it. */
export const AUDIT_ACTIONS = {
  'sign-in': 'Signed in',
  'sign-in-failed': 'Sign-in failed',
  'sign-out': 'Signed out',
  'calls.export': 'Exported calls',
  'alerts.export': 'Exported alerts',
  'audit.export': 'Exported the audit log',
  'user.create': 'Added a user',
  'user.role': 'Changed a role',
  'user.password-reset': 'Reset a password',
  'user.delete': 'Removed a user',
  'user.lines': 'Changed a user’s lines',
  'wallboard.create': 'Added a TV',
  'wallboard.renew': 'New pairing code',
  'wallboard.revoke': 'Revoked a TV',
  'wallboard.lines': 'Changed a TV’s lines',
  'settings.save': 'Saved board settings',
  'privacy.save': 'Saved privacy settings',
  'alert-rule.create': 'Added an alert rule',
  'alert-rule.update': 'Changed an alert rule',
  'alert-rule.delete': 'Deleted an alert rule',
  'alert-channel.create': 'Added an alert channel',
  'alert-channel.delete': 'Deleted an alert channel',
  'alert-channel.test': 'Tested an alert channel',
  'alert.ack': 'Acknowledged an alert',
  'number.reveal': 'Revealed a caller’s number',
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];

/** The words for an action; an action this list does not name reads as it is stored. */
export const actionLabel = (action: string): string =>
  (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;

/** Entries per page of GET /api/admin/audit: the default, and the most one page may hold. */
export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_PAGE_MAX = 200;
/** The most entries one CSV export holds, newest first. */
export const AUDIT_EXPORT_MAX = 10_000;

/** One entry as GET /api/admin/audit answers it. */
export interface AuditRow {
  id: number;
  /** ISO 8601. */
  at: string;
  /** Null when nobody was signed in (a failed sign-in: `username` is then the name tried). */
  userId: string | null;
  username: string | null;
  /** The client address the request came from. */
  address: string | null;
  action: string;
  /** What it was done to: a user's, TV's, rule's, channel's or alert's id; null for nothing in particular. */
  target: string | null;
  /** What changed, the export's filter and rows, ...; never a password or a secret. */
  detail: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditRow[];
  /** Entries matching the filters, over every page. */
  total: number;
  page: number;
  limit: number;
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.map(valueText).join(', ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // A change: { from, to }.
    if ('from' in o && 'to' in o && Object.keys(o).length === 2)
      return `${valueText(o.from)} → ${valueText(o.to)}`;
    return Object.entries(o)
      .map(([k, x]) => `${k} ${valueText(x)}`)
      .join(', ');
  }
  return String(v);
}

/** An entry's detail as lines for people to read: "role: supervisor → admin", "rows: 42". */
export function detailLines(detail: Record<string, unknown>): { key: string; text: string }[] {
  const lines: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(detail)) {
    // Changes are listed one field per line.
    if (key === 'changes' && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [field, change] of Object.entries(value))
        lines.push({ key: field, text: valueText(change) });
    } else {
      lines.push({ key, text: valueText(value) });
    }
  }
  return lines;
}
