'use client';
import { useRef, useState } from 'react';
import { CallDetail } from './CallDetail';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CallRow } from '@/lib/calls/types';
import { bandOf, formatCallTime, formatDuration, formatMos } from '@/lib/calls/format';
import { useTimeZone } from './useTimeZone';
import { useNarrow, useRem } from './useRem';
import type { MosLimits } from '@/lib/calls/status';

const STATUS_LABEL: Record<string, string> = { 'no-answer': 'no answer', 'in-progress': 'in progress' };

/** `details`: a row opens every callback of its call (people, not TVs: they have no pointer). */
export function CallTable({
  calls,
  details,
  limits,
}: {
  calls: CallRow[];
  details: boolean;
  limits: MosLimits;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const timeZone = useTimeZone();
  const [open, setOpen] = useState<string | null>(null);
  // Rows have one fixed height (2.6rem, on a phone 4.2rem: see globals.css), so none needs
  // measuring in the browser.
  const rowHeight = Math.round(useRem() * (useNarrow() ? 4.2 : 2.6));
  // Only the rows in view are in the DOM, however many the board keeps.
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual is built for this.
  const virtual = useVirtualizer({
    count: calls.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    getItemKey: (i) => calls[i]!.callSid,
    initialRect: { width: 1000, height: 900 },
  });

  return (
    <section className="panel calls" aria-label="Calls">
      <div className="calls-head" role="row">
        <span>Time</span>
        <span>From</span>
        <span>To</span>
        <span>Status</span>
        <span className="num">Duration</span>
        <span className="num">MOS</span>
      </div>
      <div className="calls-body" ref={scroller} data-testid="call-table">
        {calls.length === 0 ? (
          <div className="empty">No calls here yet. They appear as they arrive.</div>
        ) : null}
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const c = calls[item.index]!;
            const band = bandOf(c.mos, limits);
            return (
              <div
                key={item.key}
                className="call-row"
                role="row"
                data-testid="call-row"
                data-call-sid={c.callSid}
                data-index={item.index}
                style={{ transform: `translateY(${item.start}px)`, height: rowHeight }}
                {...(details
                  ? {
                      tabIndex: 0,
                      title: 'Every callback of this call',
                      onClick: () => setOpen(c.callSid),
                      onKeyDown: (e: React.KeyboardEvent) => {
                        if (e.key === 'Enter') setOpen(c.callSid);
                      },
                    }
                  : {})}
              >
                <span suppressHydrationWarning>{formatCallTime(c.startedAt, timeZone)}</span>
                <span>{c.from === null ? '–' : <bdi>{c.from}</bdi>}</span>
                <span>{c.to === null ? '–' : <bdi>{c.to}</bdi>}</span>
                <span className={`status status-${c.status}`}>{STATUS_LABEL[c.status] ?? c.status}</span>
                <span className="num">{formatDuration(c.duration)}</span>
                <span className={`num mos ${band ? `tone-${band.key}` : 'mos-none'}`} title={band?.label}>
                  {band ? (
                    <span className="mos-shape" aria-hidden>
                      {band.shape}
                    </span>
                  ) : null}
                  {formatMos(c.mos)}
                  {band ? <small className="mos-band">{band.label}</small> : null}
                </span>
              </div>
            );
          })}
        </div>
      </div>
      {open && details ? (
        <CallDetail callSid={open} timeZone={timeZone} onClose={() => setOpen(null)} />
      ) : null}
    </section>
  );
}
