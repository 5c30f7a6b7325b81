'use client';
import { useRef, useState } from 'react';
import { CallDetail } from './CallDetail';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CallRow } from '@/lib/common/types';
import { bandOf, formatDuration } from '@/lib/common/format';
import { useFormats } from './useTimeZone';
import { useNarrow, useRem } from './useRem';
import type { MosLimits } from '@/lib/common/status';

const STATUS_LABEL: Record<string, string> = { 'no-answer': 'no answer', 'in-progress': 'in progress' };

/** `details`: a row opens every callback of its call (people, not TVs: they have no pointer). */
export function CallTable({
  calls,
  details,
  reveal = false,
  limits,
}: {
  calls: CallRow[];
  details: boolean;
  /** Whether the detail offers to reveal a masked number (each reveal is audited). */
  reveal?: boolean;
  limits: MosLimits;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const formats = useFormats();
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
    // A table to assistive technology; laid out with grid rows, of which only those in view exist.
    <section className="panel calls" aria-label="Calls" role="table" aria-rowcount={calls.length + 1}>
      <div className="calls-head" role="row" aria-rowindex={1}>
        <span role="columnheader">Time</span>
        <span role="columnheader">From</span>
        <span role="columnheader">To</span>
        <span role="columnheader">Status</span>
        <span role="columnheader" className="num">
          Duration
        </span>
        <span role="columnheader" className="num">
          MOS
        </span>
      </div>
      <div className="calls-body" ref={scroller} data-testid="call-table" role="rowgroup">
        {calls.length === 0 ? (
          <div className="empty" role="row">
            <span role="cell">No calls here yet. They appear as they arrive.</span>
          </div>
        ) : null}
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }} role="presentation">
          {virtual.getVirtualItems().map((item) => {
            const c = calls[item.index]!;
            const band = bandOf(c.mos, limits);
            return (
              <div
                key={item.key}
                className="call-row"
                role="row"
                aria-rowindex={item.index + 2}
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
                <span role="cell" suppressHydrationWarning>
                  {formats.callTime(c.startedAt)}
                </span>
                <span role="cell">{c.from === null ? '–' : <bdi>{c.from}</bdi>}</span>
                <span role="cell">{c.to === null ? '–' : <bdi>{c.to}</bdi>}</span>
                <span role="cell" className={`status status-${c.status}`}>
                  {STATUS_LABEL[c.status] ?? c.status}
                </span>
                <span role="cell" className="num">
                  {formatDuration(c.duration)}
                </span>
                <span
                  role="cell"
                  className={`num mos ${band ? `tone-${band.key}` : 'mos-none'}`}
                  title={band?.label}
                >
                  {band ? (
                    <span className="mos-shape" aria-hidden>
                      {band.shape}
                    </span>
                  ) : null}
                  {formats.mos(c.mos)}
                  {band ? <small className="mos-band">{band.label}</small> : null}
                </span>
              </div>
            );
          })}
        </div>
      </div>
      {open && details ? <CallDetail callSid={open} reveal={reveal} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}
