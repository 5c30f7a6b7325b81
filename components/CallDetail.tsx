'use client';
import { useEffect, useRef, useState } from 'react';
import type { CallHistory, CallRow } from '@/lib/common/types';
import { send } from './api';
import { formatDuration, showControls } from '@/lib/common/format';
import { lossPercent, sipLabel } from '@/lib/common/status';
import { useFormats } from './useTimeZone';

/** Every callback received for one call, in arrival order, with retries and late ones marked. */
export function CallDetail({
  callSid: first,
  reveal = false,
  onClose,
}: {
  callSid: string;
  /** Offer to reveal a masked number: the server records every reveal in the audit log. */
  reveal?: boolean;
  onClose(): void;
}) {
  const formats = useFormats();
  const dialog = useRef<HTMLDialogElement>(null);
  // A leg's parent, or a parent's leg, opens in the same dialog.
  const [callSid, setCallSid] = useState(first);
  // What was loaded, and for which call: another call's answer is never shown as this one's.
  const [loaded, setLoaded] = useState<{ sid: string; history?: CallHistory; error?: string } | null>(null);
  const history = loaded?.sid === callSid ? (loaded.history ?? null) : null;
  const error = loaded?.sid === callSid ? (loaded.error ?? null) : null;
  const [revealed, setRevealed] = useState<{ sid: string; from: string | null; to: string | null } | null>(
    null,
  );
  const [revealError, setRevealError] = useState<string | null>(null);
  const shown = revealed?.sid === callSid ? revealed : null;

  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
    send<CallHistory>('GET', `/api/calls/${encodeURIComponent(callSid)}/events`).then(
      (history) => setLoaded({ sid: callSid, history }),
      (e: unknown) => setLoaded({ sid: callSid, error: e instanceof Error ? e.message : String(e) }),
    );
  }, [callSid]);

  const call = history?.call ?? null;
  const open = (sid: string) => (
    <button type="button" className="link-button" onClick={() => setCallSid(sid)}>
      <code>{sid}</code>
    </button>
  );
  /** What the provider reported of a call's audio and outcome; n/a where it reported nothing. */
  const quality = (c: CallRow) => [
    ['SIP response', c.sipCode === null ? 'n/a' : `${c.sipCode} ${sipLabel(c.sipCode)}`],
    ['Packet loss', formats.loss(lossPercent(c.packets, c.lost))],
    ['Largest jitter', formats.ms(c.jitter)],
    ['Jitter-buffer flushes', c.flushes === null ? 'n/a' : formats.count(c.flushes)],
  ];

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
      {call ? (
        <dl className="call-summary" data-testid="call-summary">
          <div>
            <dt>Caller</dt>
            <dd data-testid="call-from">
              <bdi>{shown ? (shown.from ?? '–') : (call.from ?? '–')}</bdi>
              {reveal && !shown && call.from ? (
                <button
                  type="button"
                  className="link-button"
                  data-testid="reveal-number"
                  onClick={() => {
                    setRevealError(null);
                    send<{ from: string | null; to: string | null }>(
                      'POST',
                      `/api/calls/${encodeURIComponent(callSid)}/reveal`,
                    ).then(
                      (r) => setRevealed({ sid: callSid, ...r }),
                      (e: unknown) => setRevealError(e instanceof Error ? e.message : String(e)),
                    );
                  }}
                >
                  {' '}
                  Reveal (recorded in the audit log)
                </button>
              ) : null}
              {revealError ? <span className="auth-error"> {revealError}</span> : null}
            </dd>
          </div>
          <div>
            <dt>Direction</dt>
            <dd data-testid="call-direction">{call.direction}</dd>
          </div>
          {call.parentSid ? (
            <div>
              <dt>Leg of</dt>
              <dd data-testid="call-parent">{open(call.parentSid)}</dd>
            </div>
          ) : null}
          {quality(call).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {history && history.legs.length > 0 ? (
        <section className="call-legs" aria-label="Legs" data-testid="call-legs">
          <h3>Legs ({history.legs.length}): dialled for this call, not counted as calls to the center</h3>
          <ul>
            {history.legs.map((l) => (
              <li key={l.callSid} data-testid="call-leg">
                {open(l.callSid)} to <bdi>{l.to ?? '–'}</bdi>:{' '}
                <strong className={`status status-${l.status}`}>{l.status}</strong>,{' '}
                {formatDuration(l.duration)}
                {l.sipCode !== null ? `, SIP ${l.sipCode}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
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
