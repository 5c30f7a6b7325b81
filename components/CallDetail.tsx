'use client';
import { useEffect, useRef, useState } from 'react';
import type { CallHistory } from '@/lib/common/types';
import { send } from './api';
import { showControls } from '@/lib/common/format';
import { useFormats } from './useTimeZone';

/** Every callback received for one call, in arrival order, with retries and late ones marked. */
export function CallDetail({ callSid, onClose }: { callSid: string; onClose(): void }) {
  const formats = useFormats();
  const dialog = useRef<HTMLDialogElement>(null);
  const [history, setHistory] = useState<CallHistory | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    dialog.current?.showModal();
    send<CallHistory>('GET', `/api/calls/${encodeURIComponent(callSid)}/events`).then(
      setHistory,
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [callSid]);

  return (
    <dialog
      ref={dialog}
      className="call-detail"
      onClose={onClose}
      aria-label="Call detail"
      data-testid="call-detail"
    >
      <header className="call-detail-head">
        <h2>
          Call <code>{callSid}</code>
        </h2>
        <button className="button" type="button" onClick={() => dialog.current?.close()} autoFocus>
          Close
        </button>
      </header>
      {error ? <p className="auth-error">{error}</p> : null}
      {history ? (
        <ol className="call-events">
          {history.events.map((e, i) => (
            <li key={e.id} data-testid="call-event" data-status={e.status}>
              <div className="call-event-head">
                <span className="call-event-n">#{i + 1}</span>
                <strong className={`status status-${e.status}`}>{e.status}</strong>
                <span>received {formats.dateTime(e.receivedAt)}</span>
                <span>provider time {e.timestamp ? formats.dateTime(e.timestamp) : '–'}</span>
                {e.sequence !== null ? <span>sequence {e.sequence}</span> : null}
                {e.deliveries > 1 ? (
                  <span className="call-event-flag" data-testid="event-duplicates">
                    delivered {e.deliveries}× ({e.deliveries - 1} duplicate{e.deliveries > 2 ? 's' : ''}{' '}
                    absorbed)
                  </span>
                ) : null}
                {!e.applied ? (
                  <span className="call-event-flag" data-testid="event-late">
                    late: arrived after a later status, changed nothing
                  </span>
                ) : e.outOfOrder ? (
                  <span className="call-event-flag" data-testid="event-out-of-order">
                    out of order: earlier than a callback received before it
                  </span>
                ) : null}
              </div>
              <dl className="call-event-raw">
                {Object.entries(e.raw).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>
                      <bdi>{showControls(String(v))}</bdi>
                    </dd>
                  </div>
                ))}
              </dl>
            </li>
          ))}
        </ol>
      ) : error ? null : (
        <p className="auth-hint">Loading…</p>
      )}
    </dialog>
  );
}
