'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Link from 'next/link';
import { DateTime } from 'luxon';
import { send } from './api';
import { UserMenu } from './UserMenu';
import type { Viewer } from './viewer';
import { LocaleContext, ZoneContext } from './zone';
import { useFormats, useTimeZone } from './useTimeZone';

/** An alert as GET /api/alerts answers it (lib/alerts/service.ts's AlertRow). */
export interface HistoryAlert {
  id: string;
  ruleId: string;
  rule: string;
  line: string | null;
  summary: string;
  firedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  open: boolean;
  notifications: {
    channel: string;
    event: string;
    sentAt: string | null;
    ok: boolean | null;
    attempts: number;
    error: string | null;
  }[];
}

/** The filters as the page's link keeps them: days (YYYY-MM-DD, `to` included) and a rule id. */
interface Filter {
  from: string;
  to: string;
  rule: string;
}

/** What GET /api/alerts returns at most; the export takes up to 10,000. */
const LIST_LIMIT = 500;
const REFRESH_MS = 30_000;

/** The API's query for the filters: epoch ms, the days taken in `zone`. */
function apiQuery(f: Filter, zone: string): string {
  const q = new URLSearchParams();
  const day = (d: string) => DateTime.fromISO(d, { zone }).startOf('day');
  if (f.from && day(f.from).isValid) q.set('from', String(day(f.from).toMillis()));
  if (f.to && day(f.to).isValid) q.set('to', String(day(f.to).plus({ days: 1 }).toMillis()));
  if (f.rule) q.set('rule', f.rule);
  return q.toString();
}

export function AlertHistory({
  locale,
  zone,
  ...props
}: Parameters<typeof History>[0] & { locale: string; zone: string }) {
  return (
    <LocaleContext.Provider value={locale}>
      <ZoneContext.Provider value={zone || null}>
        <History {...props} />
      </ZoneContext.Provider>
    </LocaleContext.Provider>
  );
}

function History({
  viewer,
  rules,
  initialFilter,
  initialAlerts,
  highlight,
}: {
  viewer: Viewer;
  /** The rules there are now; rules deleted since show by the name their alerts kept. */
  rules: { id: string; name: string }[];
  initialFilter: Filter;
  /** What the server loaded for the filter; null when it has dates, which the browser resolves. */
  initialAlerts: HistoryAlert[] | null;
  /** The alert a notification links to (`?alert=<id>`). */
  highlight: string | null;
}) {
  const formats = useFormats();
  const zone = useTimeZone();
  const [filter, setFilter] = useState(initialFilter);
  const query = apiQuery(filter, zone);
  const [alerts, setAlerts] = useState(initialAlerts);
  // The query the rows shown answer: the server's (no dates, so no zone in it), or none yet.
  const [loaded, setLoaded] = useState(initialAlerts ? apiQuery(initialFilter, 'UTC') : null);
  const [error, setError] = useState<string | null>(null);
  const [acking, setAcking] = useState<string | null>(null);
  const targetAck = useRef<HTMLButtonElement | null>(null);
  const scrolled = useRef(false);

  // Filters and refreshes can overlap: only the newest request's answer counts.
  const generation = useRef(0);
  const load = useCallback((q: string) => {
    const mine = ++generation.current;
    return send<{ alerts: HistoryAlert[] }>('GET', `/api/alerts${q ? `?${q}` : ''}`).then(
      (r) => {
        if (mine !== generation.current) return;
        setAlerts(r.alerts);
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

  // Open alerts change on the server: the list keeps up while the page is in view.
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) void load(query);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [query, load]);

  // The link keeps the filters, so a reload or a shared link shows the same list.
  useEffect(() => {
    const url = new URL(window.location.href);
    for (const k of ['from', 'to', 'rule'] as const) {
      if (filter[k]) url.searchParams.set(k, filter[k]);
      else url.searchParams.delete(k);
    }
    if (url.href !== window.location.href) window.history.replaceState(null, '', url);
  }, [filter]);

  // The linked alert: brought into view once, its Acknowledge button ready for Enter.
  useEffect(() => {
    if (!highlight || scrolled.current || !alerts) return;
    const row = document.getElementById(`alert-${highlight}`);
    if (!row) return;
    scrolled.current = true;
    row.scrollIntoView({ block: 'center' });
    targetAck.current?.focus({ preventScroll: true });
  }, [highlight, alerts]);

  async function acknowledge(id: string) {
    setAcking(id);
    try {
      await send('POST', `/api/alerts/${encodeURIComponent(id)}/ack`);
      await load(query);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setAcking(null);
    }
  }

  const ruleOptions = useMemo(() => {
    const known = new Map(rules.map((r) => [r.id, r.name]));
    const gone = new Map<string, string>();
    for (const a of alerts ?? []) if (!known.has(a.ruleId)) gone.set(a.ruleId, `${a.rule} (deleted)`);
    if (filter.rule && !known.has(filter.rule) && !gone.has(filter.rule)) gone.set(filter.rule, filter.rule);
    return [...known, ...gone].map(([id, name]) => ({ id, name }));
  }, [rules, alerts, filter.rule]);

  // Short in the table (the time alone today), the full date and time on hover.
  const when = (iso: string | null) =>
    iso ? (
      <time dateTime={iso} title={formats.dateTime(iso)} suppressHydrationWarning>
        {formats.callTime(iso)}
      </time>
    ) : (
      '—'
    );
  const found = highlight !== null && alerts?.some((a) => a.id === highlight);
  const openCount = alerts?.filter((a) => a.open).length ?? 0;

  return (
    <main className="admin alert-history">
      <header className="board-head">
        <h1>Alert history</h1>
        <Link className="button" href="/" prefetch={false}>
          Back to the board
        </Link>
        <UserMenu viewer={viewer} />
      </header>

      <form
        className="panel alert-history-filters"
        role="search"
        aria-label="Alert filters"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          <span>From</span>
          <input
            type="date"
            name="from"
            value={filter.from}
            max={filter.to || undefined}
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
        </label>
        <label>
          <span>To (included)</span>
          <input
            type="date"
            name="to"
            value={filter.to}
            min={filter.from || undefined}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
        </label>
        <label>
          <span>Rule</span>
          <select
            name="rule"
            value={filter.rule}
            onChange={(e) => setFilter({ ...filter, rule: e.target.value })}
          >
            <option value="">All rules</option>
            {ruleOptions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        {filter.from || filter.to || filter.rule ? (
          <button
            type="button"
            className="button alert-history-plain"
            onClick={() => setFilter({ from: '', to: '', rule: '' })}
          >
            Clear
          </button>
        ) : null}
        <span className="auth-hint alert-history-zone" suppressHydrationWarning>
          Days and times in {zone}
        </span>
        <a
          className="button alert-history-export"
          href={`/api/alerts/export${query ? `?${query}` : ''}`}
          download
          data-testid="alerts-export"
        >
          Export CSV
        </a>
      </form>

      {error ? (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      ) : null}
      {highlight && alerts && !found ? (
        <div className="notice notice-warning" role="status">
          The linked alert is not in this list: clear the filters, or it may be older than the newest{' '}
          {LIST_LIMIT}.
        </div>
      ) : null}

      <section className="panel admin-section" aria-label="Alerts">
        <p className="auth-hint" data-testid="alerts-count" aria-live="polite">
          {alerts === null
            ? 'Loading…'
            : alerts.length === 0
              ? 'No alerts for these filters.'
              : `${formats.count(alerts.length)} alert${alerts.length === 1 ? '' : 's'}, newest first` +
                (openCount > 0 ? `; ${formats.count(openCount)} open` : '') +
                (alerts.length >= LIST_LIMIT
                  ? `. Only the newest ${LIST_LIMIT} are listed: narrow the dates, or export CSV (up to 10,000).`
                  : '.')}
        </p>
        {alerts && alerts.length > 0 ? (
          <table className="admin-table alert-history-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Rule</th>
                <th>Line</th>
                <th>Summary</th>
                <th>Fired</th>
                <th>Acknowledged</th>
                <th>Resolved</th>
                <th>Notifications</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => {
                const target = a.id === highlight;
                const sent = a.notifications.filter((n) => n.ok === true).length;
                const failed = a.notifications.filter((n) => n.ok === false);
                const pending = a.notifications.filter((n) => n.ok === null).length;
                const errors = [...new Set(failed.map((n) => `${n.channel}: ${n.error ?? 'failed'}`))];
                return (
                  <tr
                    key={a.id}
                    id={`alert-${a.id}`}
                    data-testid="alert-row"
                    className={[
                      a.open ? 'alert-history-open' : '',
                      a.open && !a.acknowledgedAt ? 'alert-history-firing' : '',
                      target ? 'alert-history-target' : '',
                    ].join(' ')}
                    aria-current={target ? 'true' : undefined}
                  >
                    <td>
                      {a.open ? (
                        <span
                          className={`alert-history-state ${a.acknowledgedAt ? 'alert-history-state-ack' : 'alert-history-state-open'}`}
                        >
                          {a.acknowledgedAt ? '◐ Open, acknowledged' : '● Open'}
                        </span>
                      ) : (
                        <span className="alert-history-state">
                          {a.resolvedAt ? '○ Resolved' : '○ Closed'}
                        </span>
                      )}
                    </td>
                    <td>{a.rule}</td>
                    <td>{a.line ? <bdi>{a.line}</bdi> : 'all lines'}</td>
                    <td className="alert-history-summary">{a.summary}</td>
                    <td className="alert-history-time">{when(a.firedAt)}</td>
                    <td>
                      {a.acknowledgedAt ? (
                        <>
                          {a.acknowledgedBy ?? '—'}
                          <br />
                          <small>{when(a.acknowledgedAt)}</small>
                        </>
                      ) : a.open ? (
                        <button
                          ref={target ? targetAck : undefined}
                          type="button"
                          className={`button ${target ? 'button-primary alert-history-ack-target' : 'alert-history-ack'}`}
                          disabled={acking === a.id}
                          onClick={() => void acknowledge(a.id)}
                        >
                          {acking === a.id ? 'Acknowledging…' : 'Acknowledge'}
                        </button>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="alert-history-time">{when(a.resolvedAt)}</td>
                    <td>
                      {a.notifications.length === 0 ? (
                        'none'
                      ) : (
                        <details
                          className="alert-history-notes"
                          title={errors.length > 0 ? errors.join('\n') : undefined}
                        >
                          <summary>
                            {sent} sent
                            {failed.length > 0 ? (
                              <span className="alert-history-failed"> · {failed.length} failed</span>
                            ) : null}
                            {pending > 0 ? ` · ${pending} pending` : ''}
                          </summary>
                          <ul>
                            {a.notifications.map((n, i) => (
                              <li key={i}>
                                <strong>{n.event}</strong> to {n.channel}:{' '}
                                {n.ok === null ? (
                                  'pending'
                                ) : n.ok ? (
                                  <span suppressHydrationWarning>
                                    sent {n.sentAt ? formats.clock(new Date(n.sentAt)) : ''}
                                  </span>
                                ) : (
                                  <span className="alert-history-failed">
                                    failed after {n.attempts} tr{n.attempts === 1 ? 'y' : 'ies'}
                                    {n.error ? `: ${n.error}` : ''}
                                  </span>
                                )}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </section>
    </main>
  );
}
