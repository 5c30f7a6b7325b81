'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Link from 'next/link';
import { DateTime } from 'luxon';
import {
  AUDIT_ACTION_NAMES,
  AUDIT_EXPORT_MAX,
  actionLabel,
  detailLines,
  type AuditPage,
} from '@/lib/common/audit';
import { send } from './api';
import { UserMenu } from './UserMenu';
import type { Viewer } from './viewer';
import { LocaleContext } from './zone';
import { useFormats, useTimeZone } from './useTimeZone';

/**
 * The filters as the page's link keeps them: days (YYYY-MM-DD, `to` included) in the viewer's
 * zone, an action, a username, and the page.
 */
interface Filter {
  from: string;
  to: string;
  action: string;
  user: string;
  page: number;
}

/** Typing a username filters once the typing pauses this long. */
const USER_PAUSE_MS = 400;

/** The API's query for the filters: epoch ms, the days taken in `zone`; the export takes no page. */
function apiQuery(f: Filter, zone: string, withPage = true): string {
  const q = new URLSearchParams();
  const day = (d: string) => DateTime.fromISO(d, { zone }).startOf('day');
  if (f.from && day(f.from).isValid) q.set('from', String(day(f.from).toMillis()));
  if (f.to && day(f.to).isValid) q.set('to', String(day(f.to).plus({ days: 1 }).toMillis()));
  if (f.action) q.set('action', f.action);
  if (f.user) q.set('user', f.user);
  if (withPage && f.page > 1) q.set('page', String(f.page));
  return q.toString();
}

/** The audit log page, its times in the viewer's own zone and the browser's locale. */
export function AuditLog({ locale, ...props }: Parameters<typeof Log>[0] & { locale: string }) {
  return (
    <LocaleContext.Provider value={locale}>
      <Log {...props} />
    </LocaleContext.Provider>
  );
}

function Log({
  viewer,
  initialFilter,
  initialPage,
}: {
  viewer: Viewer;
  initialFilter: Filter;
  /** What the server loaded for the filter; null when it has dates, which the browser resolves. */
  initialPage: AuditPage | null;
}) {
  const formats = useFormats();
  // No board zone here: the viewer's own.
  const zone = useTimeZone();
  const [filter, setFilter] = useState(initialFilter);
  const [userText, setUserText] = useState(initialFilter.user);
  const query = apiQuery(filter, zone);
  const [result, setResult] = useState(initialPage);
  // The query the entries shown answer: the server's (no dates, so no zone in it), or none yet.
  const [loaded, setLoaded] = useState(initialPage ? apiQuery(initialFilter, 'UTC') : null);
  const [error, setError] = useState<string | null>(null);

  // Filters and pages can overlap: only the newest request's answer counts.
  const generation = useRef(0);
  const load = useCallback((q: string) => {
    const mine = ++generation.current;
    return send<AuditPage>('GET', `/api/admin/audit${q ? `?${q}` : ''}`).then(
      (r) => {
        if (mine !== generation.current) return;
        setResult(r);
        setLoaded(q);
        setError(null);
      },
      (err: unknown) => {
        if (mine === generation.current) setError(err instanceof Error ? err.message : String(err));
      },
    );
  }, []);

  useEffect(() => {
    if (query !== loaded) void load(query);
  }, [query, loaded, load]);

  // A username filters once the typing pauses, from the first page.
  useEffect(() => {
    const timer = setTimeout(() => {
      const user = userText.trim();
      setFilter((f) => (f.user === user ? f : { ...f, user, page: 1 }));
    }, USER_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [userText]);

  // The link keeps the filters and the page, so a reload or a shared link shows the same entries.
  useEffect(() => {
    const url = new URL(window.location.href);
    for (const k of ['from', 'to', 'action', 'user'] as const) {
      if (filter[k]) url.searchParams.set(k, filter[k]);
      else url.searchParams.delete(k);
    }
    if (filter.page > 1) url.searchParams.set('page', String(filter.page));
    else url.searchParams.delete('page');
    if (url.href !== window.location.href) window.history.replaceState(null, '', url);
  }, [filter]);

  /** A filter changed: back to the first page. */
  const refine = (change: Partial<Filter>) => setFilter({ ...filter, ...change, page: 1 });

  const actions = useMemo(
    () =>
      filter.action && !(AUDIT_ACTION_NAMES as string[]).includes(filter.action)
        ? [...AUDIT_ACTION_NAMES, filter.action]
        : AUDIT_ACTION_NAMES,
    [filter.action],
  );

  const entries = result?.entries ?? null;
  const pages = result ? Math.max(1, Math.ceil(result.total / result.limit)) : 1;
  const exportQuery = apiQuery(filter, zone, false);
  const filtered = Boolean(filter.from || filter.to || filter.action || userText);

  return (
    <main className="admin alert-history audit-log">
      <header className="board-head">
        <h1>Audit log</h1>
        <Link className="button" href="/admin" prefetch={false}>
          Back to admin
        </Link>
        <UserMenu viewer={viewer} />
      </header>

      <form
        className="panel alert-history-filters"
        role="search"
        aria-label="Audit filters"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          <span>From</span>
          <input
            type="date"
            name="from"
            value={filter.from}
            max={filter.to || undefined}
            onChange={(e) => refine({ from: e.target.value })}
          />
        </label>
        <label>
          <span>To (included)</span>
          <input
            type="date"
            name="to"
            value={filter.to}
            min={filter.from || undefined}
            onChange={(e) => refine({ to: e.target.value })}
          />
        </label>
        <label>
          <span>Action</span>
          <select name="action" value={filter.action} onChange={(e) => refine({ action: e.target.value })}>
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>User</span>
          <input
            type="search"
            name="user"
            value={userText}
            placeholder="username"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setUserText(e.target.value)}
          />
        </label>
        {filtered ? (
          <button
            type="button"
            className="button alert-history-plain"
            onClick={() => {
              setUserText('');
              setFilter({ from: '', to: '', action: '', user: '', page: 1 });
            }}
          >
            Clear
          </button>
        ) : null}
        <span className="auth-hint alert-history-zone" suppressHydrationWarning>
          Days and times in {zone}
        </span>
        <a
          className="button alert-history-export"
          href={`/api/admin/audit/export${exportQuery ? `?${exportQuery}` : ''}`}
          download
          data-testid="audit-export"
        >
          Export CSV
        </a>
      </form>

      {error ? (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      ) : null}

      <section className="panel admin-section" aria-label="Audit entries">
        <p className="auth-hint" data-testid="audit-count" aria-live="polite">
          {result === null
            ? 'Loading…'
            : result.total === 0
              ? 'No entries for these filters.'
              : `${formats.count(result.total)} entr${result.total === 1 ? 'y' : 'ies'}, newest first; page ${formats.count(result.page)} of ${formats.count(pages)}.` +
                (result.total > AUDIT_EXPORT_MAX
                  ? ` The export holds the newest ${formats.count(AUDIT_EXPORT_MAX)}: narrow the dates for older ones.`
                  : '')}
        </p>
        {entries && entries.length > 0 ? (
          <table className="admin-table alert-history-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>User</th>
                <th>Address</th>
                <th>Action</th>
                <th>Target</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => {
                const lines = detailLines(e.detail);
                return (
                  <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                    <td className="alert-history-time">
                      <time dateTime={e.at} suppressHydrationWarning>
                        {formats.dateTime(e.at)}
                      </time>
                    </td>
                    <td>
                      {e.username ? <bdi>{e.username}</bdi> : '—'}
                      {e.userId === null && e.username ? (
                        <>
                          <br />
                          <small>name tried, not signed in</small>
                        </>
                      ) : null}
                    </td>
                    <td>{e.address ? <bdi>{e.address}</bdi> : '—'}</td>
                    <td>
                      {actionLabel(e.action)}
                      <br />
                      <small>
                        <code>{e.action}</code>
                      </small>
                    </td>
                    <td>{e.target ? <code>{e.target}</code> : '—'}</td>
                    <td className="alert-history-summary">
                      {lines.length === 0 ? (
                        '—'
                      ) : (
                        <div className="alert-history-notes">
                          <ul>
                            {lines.map((l, i) => (
                              <li key={i}>
                                <strong>{l.key}</strong>: <bdi>{l.text}</bdi>
                              </li>
                            ))}
                          </ul>
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
        {result && (pages > 1 || filter.page > 1) ? (
          <nav className="admin-actions" aria-label="Audit log pages">
            <button
              type="button"
              className="button"
              disabled={filter.page <= 1}
              onClick={() => setFilter({ ...filter, page: Math.min(filter.page - 1, pages) })}
            >
              Newer
            </button>
            <button
              type="button"
              className="button"
              disabled={filter.page >= pages}
              onClick={() => setFilter({ ...filter, page: filter.page + 1 })}
            >
              Older
            </button>
          </nav>
        ) : null}
      </section>
    </main>
  );
}
