'use client';
import { useState } from 'react';
import {
  JITTER_BOUNDS,
  LOSS_BOUNDS,
  MOS_BANDS,
  QUALITY_BANDS,
  type QualityLimits,
} from '@/lib/common/status';
import { METRICS, type BoardSettings, type Metric } from '@/lib/common/settings';
import { send } from './api';
import { useZoneList } from './useTimeZone';

// Rates are edited as percentages, stored as fractions.
const PERCENT: Partial<Record<Metric, true>> = { successRate: true, failureRate: true };

const toField = (m: Metric, v: number | null) =>
  v === null ? '' : String(PERCENT[m] ? +(v * 100).toFixed(4) : v);
const fromField = (m: Metric, text: string) =>
  text.trim() === '' ? null : Number(text) / (PERCENT[m] ? 100 : 1);
/** Units a threshold is typed in, where the label does not say. */
const UNIT: Partial<Record<Metric, string>> = { successRate: '%', failureRate: '%', packetLoss: '%' };

/** Degraded-above and bad-above limits, each picked from the bins the store counts by. */
function BandLimits({
  name,
  legend,
  unit,
  bounds,
  value,
  onChange,
}: {
  name: string;
  legend: string;
  unit: string;
  bounds: readonly number[];
  value: QualityLimits;
  onChange: (v: QualityLimits) => void;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {([1, 0] as const).map((i) => (
        <label key={i}>
          <span>
            {QUALITY_BANDS[i]!.shape} {QUALITY_BANDS[i]!.label} above ({unit})
          </span>
          <select
            name={`${name}-${QUALITY_BANDS[i]!.key}`}
            value={String(value[i === 1 ? 0 : 1])}
            onChange={(e) =>
              onChange(i === 1 ? [Number(e.target.value), value[1]] : [value[0], Number(e.target.value)])
            }
          >
            {bounds.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
      ))}
    </fieldset>
  );
}

/** The board's settings, which every screen follows as soon as they are saved. */
export function SettingsForm({ initial }: { initial: BoardSettings }) {
  const [timeZone, setTimeZone] = useState(initial.timeZone);
  const [limits, setLimits] = useState(initial.mosLimits.map(String));
  const [lossLimits, setLossLimits] = useState<QualityLimits>(initial.lossLimits);
  const [jitterLimits, setJitterLimits] = useState<QualityLimits>(initial.jitterLimits);
  const [thresholds, setThresholds] = useState(
    Object.fromEntries(
      Object.entries(initial.thresholds).map(([m, v]) => [m, toField(m as Metric, v)]),
    ) as Record<Metric, string>,
  );
  const [silence, setSilence] = useState(String(initial.silenceMinutes));
  const [sound, setSound] = useState(initial.soundAlerts);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const zones = useZoneList();

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    try {
      const settings = {
        timeZone: timeZone.trim(),
        mosLimits: limits.map(Number),
        lossLimits,
        jitterLimits,
        thresholds: Object.fromEntries(
          (Object.keys(METRICS) as Metric[]).map((m) => [m, fromField(m, thresholds[m])]),
        ),
        silenceMinutes: Number(silence),
        soundAlerts: sound,
      };
      const r = await send<{ recounted: boolean }>('PUT', '/api/admin/settings', settings);
      setStatus({
        ok: true,
        text: r.recounted
          ? 'Saved. The MOS bands moved, so every stored call was recounted; the boards have reloaded.'
          : 'Saved. Every board has reloaded with the new settings.',
      });
    } catch (err) {
      setStatus({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel admin-section" aria-label="Board settings">
      <h2>Board settings</h2>
      <form className="settings-form" onSubmit={(e) => void save(e)} data-testid="settings-form">
        <fieldset>
          <legend>Time zone</legend>
          <label>
            <span>Zone for “today”, clocks and exports (empty: each screen’s own)</span>
            <input
              name="timeZone"
              list="zones"
              value={timeZone}
              placeholder="e.g. Europe/London"
              onChange={(e) => setTimeZone(e.target.value)}
            />
            <datalist id="zones">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
        </fieldset>
        <fieldset>
          <legend>MOS bands (lowest MOS of each; below poor is bad)</legend>
          {limits.map((v, i) => (
            <label key={MOS_BANDS[i + 1]!.key}>
              <span>
                {MOS_BANDS[i + 1]!.shape} {MOS_BANDS[i + 1]!.label}
              </span>
              <input
                name={`mos-${MOS_BANDS[i + 1]!.key}`}
                type="number"
                step="0.01"
                min="1"
                max="5"
                required
                value={v}
                onChange={(e) => setLimits(limits.map((x, j) => (j === i ? e.target.value : x)))}
              />
            </label>
          ))}
        </fieldset>
        <BandLimits
          name="loss"
          legend="Packet loss bands (lost per packet received)"
          unit="%"
          bounds={LOSS_BOUNDS}
          value={lossLimits}
          onChange={setLossLimits}
        />
        <BandLimits
          name="jitter"
          legend="Jitter bands (largest jitter of a call)"
          unit="ms"
          bounds={JITTER_BOUNDS}
          value={jitterLimits}
          onChange={setJitterLimits}
        />
        <fieldset>
          <legend>Thresholds (empty: none)</legend>
          {(Object.keys(METRICS) as Metric[]).map((m) => (
            <label key={m}>
              <span>
                {METRICS[m].label}: alert {METRICS[m].better === 'higher' ? 'below' : 'above'}
                {UNIT[m] ? ` (${UNIT[m]})` : ''}
              </span>
              <input
                name={`threshold-${m}`}
                type="number"
                step="any"
                min="0"
                value={thresholds[m]}
                onChange={(e) => setThresholds({ ...thresholds, [m]: e.target.value })}
              />
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Alerts</legend>
          <label>
            <span>Silent line after (minutes without a callback)</span>
            <input
              name="silenceMinutes"
              type="number"
              min="1"
              max="1440"
              required
              value={silence}
              onChange={(e) => setSilence(e.target.value)}
            />
          </label>
          <label className="checkbox">
            <input
              name="soundAlerts"
              type="checkbox"
              checked={sound}
              onChange={(e) => setSound(e.target.checked)}
            />
            <span>Sound when a tile crosses its threshold (each screen can mute)</span>
          </label>
        </fieldset>
        {status ? (
          <p
            className={status.ok ? 'settings-saved' : 'auth-error'}
            role={status.ok ? 'status' : 'alert'}
            data-testid="settings-status"
          >
            {status.text}
          </p>
        ) : null}
        <button className="button button-primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
      </form>
    </section>
  );
}
