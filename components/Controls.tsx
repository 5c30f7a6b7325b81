'use client';
import { useEffect, useState } from 'react';
import { PRESETS, type Preset } from '@/lib/common/range';
import { CALL_STATUSES, DIRECTIONS, DIRECTION_LABELS, type Direction } from '@/lib/common/status';
import { MAX_CALLER_LENGTH, normalizeCaller } from '@/lib/common/filter';
import { useZoneList } from './useTimeZone';
import type { View } from '@/lib/common/view';

const STATUS_LABEL: Record<string, string> = { 'no-answer': 'no answer', 'in-progress': 'in progress' };

/**
 * Range, zone and filters. Changes apply at once (the caller search after a pause in typing) and
 * are kept in the page's URL, so a link or a reload shows the same board.
 */
export function Controls({
  view,
  zone,
  defaultZone,
  onChange,
  inboundOnly = false,
  minSearchDigits = 1,
}: {
  view: View;
  zone: string;
  /** What the zone is when the screen does not choose one. */
  defaultZone: string;
  onChange: (v: View) => void;
  /** A line-scoped viewer sees inbound calls to their lines only: no direction to choose. */
  inboundOnly?: boolean;
  /** The fewest digits a search takes (more where numbers are masked). */
  minSearchDigits?: number;
}) {
  const [caller, setCaller] = useState(view.caller ?? '');
  const [from, setFrom] = useState(view.from ?? '');
  const [to, setTo] = useState(view.to ?? '');
  const zoneList = useZoneList();

  // The search applies 300 ms after the last key.
  useEffect(() => {
    const typed = normalizeCaller(caller).slice(0, MAX_CALLER_LENGTH);
    const wanted = typed.replace(/\D/g, '').length >= minSearchDigits ? typed : null;
    if (wanted === view.caller) return;
    const timer = setTimeout(() => onChange({ ...view, caller: wanted }), 300);
    return () => clearTimeout(timer);
  }, [caller, view, onChange, minSearchDigits]);

  const applyCustom = (e: React.FormEvent) => {
    e.preventDefault();
    if (from && to) onChange({ ...view, preset: 'custom', from, to });
  };

  return (
    <div className="controls" role="group" aria-label="Range and filters">
      <label>
        <span>Range</span>
        <select
          data-testid="range"
          value={view.preset}
          onChange={(e) => {
            const preset = e.target.value as Preset;
            if (preset !== 'custom') onChange({ ...view, preset, from: null, to: null });
            else onChange({ ...view, preset, from: from || null, to: to || null });
          }}
        >
          {PRESETS.map((p) => (
            <option key={p.key} value={p.key}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {view.preset === 'custom' ? (
        <form className="custom-range" onSubmit={applyCustom}>
          <label>
            <span>From</span>
            <input
              type="datetime-local"
              data-testid="range-from"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              required
            />
          </label>
          <label>
            <span>To</span>
            <input
              type="datetime-local"
              data-testid="range-to"
              value={to}
              min={from || undefined}
              onChange={(e) => setTo(e.target.value)}
              required
            />
          </label>
          <button className="button" type="submit" data-testid="range-apply">
            Apply
          </button>
        </form>
      ) : null}
      <label>
        <span>Time zone</span>
        <select
          data-testid="zone"
          value={view.tz ?? ''}
          onChange={(e) => onChange({ ...view, tz: e.target.value || null })}
        >
          <option value="">Default ({defaultZone})</option>
          {(zoneList.includes(zone) ? zoneList : [zone, ...zoneList]).map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Status</span>
        <select
          data-testid="status-filter"
          value={view.status ?? ''}
          onChange={(e) => onChange({ ...view, status: e.target.value || null })}
        >
          <option value="">All</option>
          {CALL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s] ?? s}
            </option>
          ))}
        </select>
      </label>
      {inboundOnly ? null : (
        <label>
          <span>Calls</span>
          <select
            data-testid="direction-filter"
            value={view.direction}
            onChange={(e) => onChange({ ...view, direction: e.target.value as Direction })}
          >
            {DIRECTIONS.map((d) => (
              <option key={d} value={d}>
                {DIRECTION_LABELS[d]}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        <span>Caller</span>
        <input
          type="search"
          data-testid="caller-search"
          inputMode="tel"
          placeholder={minSearchDigits > 1 ? `${minSearchDigits}+ digits of the number…` : 'number contains…'}
          value={caller}
          onChange={(e) => setCaller(e.target.value)}
        />
      </label>
      {view.line !== null ? (
        <button
          type="button"
          className="chip"
          data-testid="line-filter"
          title="Show every line"
          onClick={() => onChange({ ...view, line: null })}
        >
          Line {view.line || '(no number)'} <span aria-hidden>✕</span>
        </button>
      ) : null}
    </div>
  );
}
