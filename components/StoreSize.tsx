'use client';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { formatBytes, type StoreSize as StoreSizeInfo } from '@/lib/common/admin';
import { send } from './api';
import { LocaleContext } from './zone';
import { useFormats } from './useTimeZone';

const NUM: React.CSSProperties = { textAlign: 'right', fontVariantNumeric: 'tabular-nums' };

const FILE_LABEL: Record<StoreSizeInfo['files'][number]['kind'], string> = {
  database: 'Database file',
  wal: 'Write-ahead log (-wal)',
};

/** The admin page's store panel: rows held, bytes on disk and growth per day (GET /api/admin/store). */
export function StoreSize() {
  const formats = useFormats();
  const locale = useContext(LocaleContext);
  const [size, setSize] = useState<StoreSizeInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(true);
  // Only the newest request's answer counts.
  const generation = useRef(0);

  const measure = useCallback(() => {
    const mine = ++generation.current;
    send<StoreSizeInfo>('GET', '/api/admin/store').then(
      (answer) => {
        if (mine !== generation.current) return;
        setSize(answer);
        setError(null);
        setBusy(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err instanceof Error ? err.message : String(err));
        setBusy(false);
      },
    );
  }, []);

  useEffect(measure, [measure]);

  // The days are UTC days: shown as such, whatever the board's zone.
  const dayLabel = useMemo(() => {
    const f = new Intl.DateTimeFormat(locale, {
      timeZone: 'UTC',
      weekday: 'short',
      day: 'numeric',
      month: 'short',
    });
    return (day: string) => f.format(new Date(`${day}T00:00:00Z`));
  }, [locale]);
  const bytes = (n: number | null) => (n === null ? '—' : formatBytes(n, locale));

  return (
    <section className="panel admin-section" aria-label="Store size" data-testid="store-size">
      <h2>Store</h2>
      {error ? (
        <div className="notice notice-error" role="alert">
          {error}
        </div>
      ) : null}
      {size === null ? (
        error ? null : (
          <p className="auth-hint">Measuring…</p>
        )
      ) : (
        <>
          <table className="admin-table" aria-label="What the store holds">
            <tbody>
              <tr>
                <th scope="row">Calls</th>
                <td style={NUM}>{formats.count(size.counts.calls)}</td>
              </tr>
              <tr>
                <th scope="row">Callbacks</th>
                <td style={NUM}>{formats.count(size.counts.callbacks)}</td>
              </tr>
              <tr>
                <th scope="row">Rollup rows</th>
                <td style={NUM}>{formats.count(size.counts.rollups)}</td>
              </tr>
              <tr>
                <th scope="row">Audit entries</th>
                <td style={NUM}>{formats.count(size.counts.auditEntries)}</td>
              </tr>
              {size.files.map((f) => (
                <tr key={f.kind}>
                  <th scope="row">
                    {FILE_LABEL[f.kind]} <code>{f.path}</code>
                  </th>
                  <td style={NUM}>{bytes(f.bytes)}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">
                  {size.provider === 'sqlite' ? 'On disk in all' : 'On disk (the PostgreSQL database)'}
                </th>
                <td style={NUM} data-testid="store-bytes">
                  {bytes(size.bytes)}
                </td>
              </tr>
            </tbody>
          </table>
          <table className="admin-table" aria-label="Growth per day">
            <thead>
              <tr>
                <th>Day (UTC)</th>
                <th style={NUM}>Calls started</th>
                <th style={NUM}>Added to the store (estimate)</th>
              </tr>
            </thead>
            <tbody>
              {size.days.map((d) => (
                <tr key={d.day}>
                  <td>{dayLabel(d.day)}</td>
                  <td style={NUM}>{formats.count(d.calls)}</td>
                  <td style={NUM}>{bytes(d.bytes)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Average per day</th>
                <td style={NUM}>{formats.tenths(size.average.calls)}</td>
                <td style={NUM}>{bytes(size.average.bytes)}</td>
              </tr>
            </tfoot>
          </table>
          <p className="auth-hint">
            Counts are exact. Calls per day come from the day totals, which keep counting calls that retention
            has since purged. Bytes per day are an estimate: the store&apos;s size divided by the calls it
            holds, times the day&apos;s calls. Measured {formats.dateTime(size.at)}.
          </p>
        </>
      )}
      <div className="admin-actions">
        <button
          className="button"
          type="button"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            measure();
          }}
        >
          {busy ? 'Measuring…' : 'Measure again'}
        </button>
      </div>
    </section>
  );
}
