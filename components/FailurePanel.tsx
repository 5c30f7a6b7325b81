'use client';
import { memo, useLayoutEffect, useRef, useState } from 'react';
import type { Tally } from '@/lib/common/types';
import { FAILURE_STATUSES, parseFailureKey, sipLabel } from '@/lib/common/status';
import { useFormats } from './useTimeZone';

const STATUS_WORDS: Record<string, string> = {
  failed: 'failed',
  busy: 'busy',
  'no-answer': 'no answer',
  canceled: 'canceled',
};

interface Row {
  code: number;
  counts: Record<string, number>;
  total: number;
}

/** How many of the list's rows are wholly inside it (its box clips the rest). */
function rowsInside(list: HTMLElement): number {
  const bottom = list.getBoundingClientRect().bottom + 1;
  let n = 0;
  for (const row of list.querySelectorAll('[data-testid=failure-row]')) {
    if (row.getBoundingClientRect().bottom > bottom) break;
    n++;
  }
  return n;
}

/**
 * Why calls fail: the unsuccessful calls the board counts (failed, busy, no-answer, canceled), by
 * the SIP response the provider reported, its meaning in words and the statuses it ended in. As
 * many codes as the panel holds, most frequent first; a last line sums the ones it cannot show.
 */
export const FailurePanel = memo(function FailurePanel({ totals }: { totals: Tally }) {
  const formats = useFormats();
  const list = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState<number | null>(null);

  const byCode = new Map<number, Record<string, number>>();
  for (const [key, n] of Object.entries(totals.failures)) {
    if (n <= 0) continue;
    const { status, sipCode } = parseFailureKey(key);
    const row = byCode.get(sipCode) ?? byCode.set(sipCode, {}).get(sipCode)!;
    row[status] = (row[status] ?? 0) + n;
  }
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const rows: Row[] = [...byCode]
    .map(([code, counts]) => ({ code, counts, total: sum(counts) }))
    .sort((a, b) => b.total - a.total || a.code - b.code);

  // After every render and resize: count the rows that fit, so the hidden ones are summed below.
  useLayoutEffect(() => {
    const el = list.current;
    if (!el) return;
    const measure = () => {
      const n = rowsInside(el);
      setShown((old) => (old === n ? old : n));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  });

  const visible = shown === null ? rows.length : Math.min(shown, rows.length);
  const hidden = rows.slice(visible);
  const statuses = (counts: Record<string, number>) =>
    FAILURE_STATUSES.filter((s) => counts[s])
      .map((s) =>
        Object.keys(counts).length > 1 ? `${STATUS_WORDS[s]} ${formats.count(counts[s]!)}` : STATUS_WORDS[s],
      )
      .join(' · ');
  return (
    <section className="panel failures" aria-label="Why calls fail" data-testid="failures">
      <h2 className="failures-title">Why calls fail</h2>
      {rows.length === 0 ? (
        <p className="failures-empty">No unsuccessful calls in this range.</p>
      ) : (
        <div className="failure-list" ref={list}>
          <table className="failure-table" data-testid="failure-table">
            <tbody>
              {rows.map((r, i) => (
                <tr
                  key={r.code}
                  data-testid="failure-row"
                  data-code={r.code}
                  // Past the panel's edge: kept in place to be measured, not shown in part.
                  className={i >= visible ? 'failure-hidden' : undefined}
                  aria-hidden={i >= visible || undefined}
                >
                  <td className="failure-code">{r.code ? r.code : '–'}</td>
                  <td className="failure-label">
                    {sipLabel(r.code)} <small data-testid="failure-statuses">{statuses(r.counts)}</small>
                  </td>
                  <td className="num failure-count" data-testid="failure-count">
                    {formats.count(r.total)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hidden.length > 0 ? (
        <p className="failure-rest" data-testid="failure-rest">
          + {hidden.length} more code{hidden.length === 1 ? '' : 's'}:{' '}
          {formats.count(hidden.reduce((a, r) => a + r.total, 0))} calls
        </p>
      ) : null}
    </section>
  );
});
