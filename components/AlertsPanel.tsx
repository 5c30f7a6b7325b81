'use client';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatAgo } from '@/lib/common/format';
import { send } from './api';
import { useFormats } from './useTimeZone';
import type { BoardAlert } from './useOpenAlerts';

/** How often "fired … ago" moves on: it counts seconds in its first minute. */
const TICK_MS = 10_000;

/** Now, moving on every TICK_MS while `active`; 0 until the page has hydrated. */
function useTicking(active: boolean): number {
  const [now, setNow] = useState(0);
  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      setNow(Date.now());
      timer = setTimeout(tick, TICK_MS);
    };
    timer = setTimeout(tick, 0);
    return () => clearTimeout(timer);
  }, [active]);
  return now;
}

interface Fit {
  /** Rows wholly inside the list's greatest height (at least one: the first always shows). */
  rows: number;
  /** The bottom of the last of them, from the list's top, px. */
  height: number;
}

/**
 * How many of the list's rows fit in its max-height, as FailurePanel counts its rows. The rows
 * past them stay in place, unseen, to be measured next time; the list ends below the last one
 * shown rather than at its max-height, so no blank part of a row is left.
 */
function rowsInside(list: HTMLElement): Fit {
  const top = list.getBoundingClientRect().top;
  const limit = parseFloat(getComputedStyle(list).maxHeight) || Infinity;
  const fit: Fit = { rows: 0, height: 0 };
  for (const row of list.querySelectorAll('[data-testid=alert]')) {
    const bottom = row.getBoundingClientRect().bottom - top;
    if (bottom > limit + 1 && fit.rows > 0) break;
    fit.rows++;
    fit.height = Math.min(bottom, limit);
  }
  return fit;
}

/**
 * The open alerts the server keeps: unacknowledged ones first, in red, each with an Acknowledge
 * button for people (a paired TV may not acknowledge); acknowledged ones muted, saying by whom.
 * As many as the panel holds; a last line counts the rest. With none open it takes no room.
 */
export function AlertsPanel({
  alerts,
  skew,
  sounding,
  canAcknowledge,
  onAcknowledged,
}: {
  alerts: BoardAlert[];
  /** The server's clock minus this browser's, in ms. */
  skew: number;
  /** Whether this screen beeps until they are acknowledged (useOpenAlertSound). */
  sounding: boolean;
  canAcknowledge: boolean;
  /** Loads the alerts again once one is acknowledged here. */
  onAcknowledged: () => Promise<void>;
}) {
  const formats = useFormats();
  const open = alerts.filter((a) => a.open);
  const ticked = useTicking(open.length > 0);
  const now = ticked + skew;
  const list = useRef<HTMLUListElement>(null);
  const [fit, setFit] = useState<Fit | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [failed, setFailed] = useState<{ id: string; message: string } | null>(null);

  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const measure = () => {
      const next = rowsInside(el);
      setFit((old) => (old?.rows === next.rows && old.height === next.height ? old : next));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  });

  // Unacknowledged first: those are what the room must act on. Newest first within each.
  const rows = [...open].sort(
    (a, b) => Number(a.acknowledgedAt !== null) - Number(b.acknowledgedAt !== null),
  );
  const waiting = rows.filter((a) => a.acknowledgedAt === null).length;
  const visible = fit === null ? rows.length : Math.min(fit.rows, rows.length);
  const hidden = rows.slice(visible);
  const hiddenWaiting = hidden.filter((a) => a.acknowledgedAt === null).length;

  const acknowledge = async (id: string) => {
    setBusy(id);
    setFailed(null);
    try {
      await send('POST', `/api/alerts/${encodeURIComponent(id)}/ack`);
      await onAcknowledged();
    } catch (e) {
      setFailed({ id, message: (e as Error).message });
    } finally {
      setBusy(null);
    }
  };

  const title =
    rows.length === 0
      ? 'No open alerts'
      : `${rows.length} open alert${rows.length === 1 ? '' : 's'}${
          waiting > 0 ? ` · ${waiting === rows.length ? 'unacknowledged' : `${waiting} unacknowledged`}` : ''
        }`;
  return (
    <section
      className={`panel open-alerts ${waiting > 0 ? 'open-alerts-firing' : ''}`}
      aria-label="Open alerts"
      data-testid="alerts"
      data-sounding={sounding ? 'true' : 'false'}
      data-open={rows.length}
      hidden={rows.length === 0}
    >
      <div className="open-alerts-head">
        <h2 className="open-alerts-title" aria-live="polite" data-testid="alerts-title">
          {waiting > 0 ? <span aria-hidden>⚠ </span> : null}
          {title}
        </h2>
        {sounding ? (
          <span className="open-alerts-sounding" data-testid="alerts-sounding">
            Sounding until acknowledged
          </span>
        ) : null}
      </div>
      {rows.length > 0 ? (
        <ul
          className="open-alerts-list"
          ref={list}
          style={fit && visible < rows.length ? { height: fit.height } : undefined}
        >
          {rows.map((a, i) => {
            const acknowledged = a.acknowledgedAt !== null;
            const fired = Date.parse(a.firedAt);
            return (
              <li
                key={a.id}
                className={`open-alerts-row ${acknowledged ? 'open-alerts-row-acked' : 'open-alerts-row-waiting'}`}
                data-testid="alert"
                data-alert-id={a.id}
                data-acknowledged={acknowledged ? 'true' : 'false'}
                // Past the panel's edge: kept in place to be measured, not shown in part.
                aria-hidden={i >= visible || undefined}
                style={i >= visible ? { visibility: 'hidden' } : undefined}
              >
                <div className="open-alerts-what">
                  <strong className="open-alerts-rule" data-testid="alert-rule">
                    {acknowledged ? null : <span aria-hidden>⚠ </span>}
                    {a.rule}
                  </strong>
                  <span className="open-alerts-line" data-testid="alert-line">
                    {a.line ? <bdi>{a.line}</bdi> : 'all lines'}
                  </span>
                </div>
                <p className="open-alerts-summary" data-testid="alert-summary">
                  {a.summary}
                </p>
                <span className="open-alerts-ago" title={formats.dateTime(fired)} data-testid="alert-fired">
                  {ticked === 0
                    ? `fired at ${formats.callTime(a.firedAt)}`
                    : `fired ${formatAgo(fired, now)}`}
                </span>
                <div className="open-alerts-ack">
                  {acknowledged ? (
                    <span data-testid="alert-acknowledged">
                      Acknowledged by {a.acknowledgedBy ?? 'someone'} at {formats.callTime(a.acknowledgedAt!)}
                    </span>
                  ) : canAcknowledge ? (
                    <button
                      type="button"
                      className="button open-alerts-button"
                      data-testid="alert-ack"
                      disabled={busy === a.id}
                      onClick={() => void acknowledge(a.id)}
                    >
                      {busy === a.id ? 'Acknowledging…' : 'Acknowledge'}
                    </button>
                  ) : (
                    <span className="open-alerts-waiting">Unacknowledged</span>
                  )}
                  {failed?.id === a.id ? (
                    <span className="open-alerts-error" role="alert" data-testid="alert-ack-error">
                      {failed.message}
                    </span>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      {hidden.length > 0 ? (
        <p className="open-alerts-rest" data-testid="alerts-rest">
          + {hidden.length} more open alert{hidden.length === 1 ? '' : 's'}
          {hiddenWaiting > 0 ? `, ${hiddenWaiting} unacknowledged` : ''}
        </p>
      ) : null}
    </section>
  );
}
