'use client';
import { useEffect, useState } from 'react';
import type { IngestHealth } from '@/lib/common/types';
import { isSilent } from '@/lib/common/settings';
import { formatAgo } from '@/lib/common/format';
import { useFormats } from './useTimeZone';

/** How often the panel asks again; its figures are per minute, kept by the server every 5 s. */
const POLL_MS = 10_000;

function useIngestHealth(): { health: IngestHealth | null; skew: number } {
  const [state, setState] = useState<{ health: IngestHealth | null; skew: number }>({
    health: null,
    skew: 0,
  });
  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const res = await fetch('/api/ingest', { cache: 'no-store' });
        if (!res.ok) return;
        const health = (await res.json()) as IngestHealth;
        // Judge silence on the server's clock: a TV's own clock may be off.
        if (!cancelled) setState({ health, skew: health.now - Date.now() });
      } catch {
        // The connection banner already says when the server is out of reach.
      }
    };
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);
  return state;
}

/**
 * Is the webhook itself healthy: callbacks per minute, retries absorbed, what was refused, and
 * per line how long since the provider last called back, with an alert for a line gone silent
 * when it usually is not (a broken webhook setting or a provider outage).
 */
export function HealthPanel({ now }: { now: number }) {
  const { health, skew } = useIngestHealth();
  const formats = useFormats();
  if (!health) {
    return (
      <section className="panel health" aria-label="Ingest health" data-testid="health">
        <h2>Ingest health</h2>
        <div className="empty">Loading…</div>
      </section>
    );
  }
  const serverNow = now + skew;
  const sum = (k: keyof IngestHealth['minutes'][number], since: number) =>
    health.minutes.filter((m) => m.t >= since).reduce((a, m) => a + m[k], 0);
  const hourAgo = serverNow - 3_600_000;
  const fiveAgo = serverNow - 5 * 60_000;
  const perMinute = (sum('accepted', fiveAgo) + sum('duplicates', fiveAgo)) / 5;
  const silent = health.lines.filter((l) => isSilent(l, serverNow, health.silenceMinutes));
  const figures: { id: string; label: string; value: number; bad?: boolean; text?: string }[] = [
    { id: 'rate', label: 'Callbacks / min', value: perMinute, text: formats.tenths(perMinute) },
    { id: 'duplicates', label: 'Retries absorbed', value: sum('duplicates', hourAgo) },
    { id: 'signature', label: 'Bad signatures', value: sum('signatureFailures', hourAgo), bad: true },
    { id: 'rejected', label: 'Rejected inputs', value: sum('rejected', hourAgo), bad: true },
    { id: 'deferred', label: 'Deferred (503)', value: sum('deferred', hourAgo), bad: true },
    {
      id: 'dropped',
      label: 'Fields dropped',
      value: health.dropped.reduce((a, d) => a + d.count, 0),
      bad: true,
    },
  ];
  return (
    <section className="panel health" aria-label="Ingest health" data-testid="health">
      <h2>
        Ingest health <small>last hour</small>
      </h2>
      {silent.length > 0 ? (
        <div className="silent-alert" role="alert" data-testid="silent-alert">
          <strong>
            <span aria-hidden>⚠ </span>
            {silent.length === 1 ? 'A line has gone silent' : `${silent.length} lines have gone silent`}
          </strong>
          {silent.slice(0, 3).map((l) => (
            <span key={l.line} data-testid="silent-line">
              {l.line ? <bdi>{l.line}</bdi> : '(no number)'}: no callback for{' '}
              {formatAgo(l.lastCallbackAt, serverNow).replace(' ago', '')}, usually{' '}
              {formats.tenths(l.usualPerHour)} calls/h now. Check the webhook setting and the provider.
            </span>
          ))}
        </div>
      ) : null}
      {/* One grid row: the figures and what was dropped stay together above the line table. */}
      <div className="health-summary">
        <dl className="health-figures">
          {figures.map((f) => (
            <div
              key={f.id}
              className={f.bad && f.value > 0 ? 'tone-bad' : undefined}
              data-testid={`health-${f.id}`}
            >
              <dt>{f.label}</dt>
              <dd>
                {f.bad && f.value > 0 ? <span aria-hidden>✖ </span> : null}
                {f.text ?? formats.count(f.value)}
              </dd>
            </div>
          ))}
        </dl>
        {health.dropped.length > 0 ? (
          <p className="health-dropped tone-bad" data-testid="health-dropped-fields">
            Malformed, stored without:{' '}
            {health.dropped.slice(0, 4).map((d, i) => (
              <span key={d.field} data-testid="health-dropped-field">
                {i > 0 ? ' · ' : null}
                <code>{d.field}</code> {formats.count(d.count)}
              </span>
            ))}
          </p>
        ) : null}
      </div>
      {
        <table className="health-lines" data-testid="health-lines">
          <thead>
            <tr>
              <th>Line</th>
              <th className="num">Last callback</th>
            </tr>
          </thead>
          <tbody>
            {[...silent, ...health.lines.filter((l) => !silent.includes(l))].slice(0, 8).map((l) => {
              const quiet = silent.includes(l);
              return (
                <tr key={l.line} className={quiet ? 'tone-bad' : undefined} data-testid="health-line">
                  <td>
                    {quiet ? <span aria-hidden>⚠ </span> : null}
                    {l.line ? <bdi>{l.line}</bdi> : '(no number)'}
                  </td>
                  <td className="num" suppressHydrationWarning>
                    {formatAgo(l.lastCallbackAt, serverNow)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      }
    </section>
  );
}
