import { kpis } from '@/lib/common/tally';
import type { Tally } from '@/lib/common/types';
import { bandOf, qualityOf, type Formats } from '@/lib/common/format';
import { JITTER_BOUNDS, LOSS_BOUNDS, QUALITY_BANDS, qualityBands } from '@/lib/common/status';
import { useFormats } from './useTimeZone';
import { METRICS, type BoardSettings, type Metric } from '@/lib/common/settings';
import { breaches, metricValues } from '@/lib/common/thresholds';

interface TileProps {
  id: string;
  label: string;
  value: string;
  /** Said after the value, smaller: "min", "h". */
  unit?: string;
  tone?: string;
  note?: string;
  /** Leading mark that says what the colour says, for colour-blind viewers. */
  shape?: string;
  metric?: Metric;
}

/** A threshold as people say it: "target ≥ 3.60", "limit ≤ 10.0%". */
function formatThreshold(metric: Metric, value: number, formats: Formats): string {
  const text =
    metric === 'averageMos'
      ? formats.mos(value)
      : metric === 'badAudioMinutes'
        ? `${formats.minutes(value)} min`
        : metric === 'packetLoss'
          ? formats.loss(value)
          : formats.percent(value);
  return METRICS[metric].better === 'higher' ? `target ≥ ${text}` : `limit ≤ ${text}`;
}

function Tile({
  id,
  label,
  value,
  unit,
  tone,
  note,
  shape,
  metric,
  asOf,
  settings,
  values,
}: TileProps & { asOf: string | null; settings: BoardSettings; values: Record<Metric, number | null> }) {
  const formats = useFormats();
  const threshold = metric ? settings.thresholds[metric] : null;
  const crossed = metric ? breaches(metric, values[metric], threshold) : false;
  return (
    <div
      className={`tile ${tone ? `tone-${tone}` : ''} ${crossed ? 'tile-breached' : ''}`}
      data-testid={`kpi-${id}`}
      data-state={crossed ? 'breached' : threshold !== null && metric ? 'ok' : 'none'}
    >
      <div className="tile-label">
        {label}
        {asOf ? (
          <span className="tile-asof" data-testid={`kpi-${id}-asof`}>
            as of {asOf}
          </span>
        ) : null}
      </div>
      {/* Sized to the tile by its length (globals.css), so no value is ever cut off. */}
      <div
        className="tile-value"
        style={
          {
            '--chars': value.length + (unit ? unit.length + 1 : 0) + (shape ? 1.5 : 0),
          } as React.CSSProperties
        }
      >
        {shape ? (
          <span className="tile-shape" aria-hidden>
            {shape}
          </span>
        ) : null}
        <span data-testid={`kpi-${id}-value`}>{value}</span>
        {unit ? <span className="tile-unit"> {unit}</span> : null}
      </div>
      {crossed && metric && threshold !== null ? (
        <div className="tile-alert" role="status" data-testid={`kpi-${id}-alert`}>
          <span aria-hidden>⚠</span> {METRICS[metric].better === 'higher' ? 'Below' : 'Above'}{' '}
          {formatThreshold(metric, threshold, formats)}
        </div>
      ) : note || (metric && threshold !== null) ? (
        <div className="tile-note">
          {note}
          {metric && threshold !== null ? (
            <>
              {/* The break before it, outside it: a long note wraps rather than being cut off. */}{' '}
              <span className="tile-target">· {formatThreshold(metric, threshold, formats)}</span>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** `asOf`: hh:mm:ss at which the figures were last known current, shown on every tile. */
export function KpiTiles({
  totals,
  asOf,
  settings,
}: {
  totals: Tally;
  asOf: string | null;
  settings: BoardSettings;
}) {
  const formats = useFormats();
  const k = kpis(totals);
  const values = metricValues(totals);
  const band = k.averageMos === null ? null : bandOf(k.averageMos, settings.mosLimits);
  const common = { asOf, settings, values };
  const loss = qualityOf(k.packetLoss, settings.lossLimits);
  const jitter = qualityOf(k.averageJitter, settings.jitterLimits);
  /** "✖ 3 · ◆ 12 calls": the calls in the bad and degraded bands, or why there is no figure. */
  const bandNote = (
    bins: number[],
    bounds: readonly number[],
    limits: typeof settings.lossLimits,
    n: number,
  ) => {
    if (n === 0) return 'no audio counters reported';
    const [bad, degraded] = qualityBands(bins, bounds, limits);
    return `${QUALITY_BANDS[0].shape} ${formats.count(bad!)} · ${QUALITY_BANDS[1].shape} ${formats.count(degraded!)} of ${formats.count(n)} calls`;
  };
  return (
    <section className="tiles" aria-label="Totals">
      <Tile {...common} id="total-calls" label="Calls" value={formats.count(k.totalCalls)} />
      <Tile {...common} id="talk-minutes" label="Talk time" {...formats.talk(k.talkMinutes)} />
      <Tile
        {...common}
        id="average-mos"
        label="Average MOS"
        metric="averageMos"
        value={formats.mos(k.averageMos)}
        tone={band?.key}
        shape={band?.shape}
        note={band ? band.label : `${formats.count(totals.mosCount)} calls with MOS`}
      />
      <Tile
        {...common}
        id="success-rate"
        label="Success rate"
        metric="successRate"
        value={formats.percent(k.successRate)}
        note={`${formats.count(totals.completed)} of ${formats.count(totals.finished)} finished`}
      />
      <Tile
        {...common}
        id="failed-calls"
        label="Failed"
        metric="failureRate"
        value={formats.count(k.failedCalls)}
        note={`${formats.percent(values.failureRate)} · busy, no answer, canceled, failed`}
      />
      <Tile
        {...common}
        id="bad-audio"
        label="Bad-audio time"
        metric="badAudioMinutes"
        {...formats.talk(k.badAudioMinutes)}
        tone={k.badAudioMinutes > 0 ? 'bad' : undefined}
        shape={k.badAudioMinutes > 0 ? '✖' : undefined}
        note={`talk on calls below ${formats.mos(settings.mosLimits[0])} MOS`}
      />
      <Tile
        {...common}
        id="packet-loss"
        label="Packet loss"
        metric="packetLoss"
        value={formats.loss(k.packetLoss)}
        tone={loss?.tone}
        shape={loss?.shape}
        note={bandNote(totals.lossBins, LOSS_BOUNDS, settings.lossLimits, totals.lossCount)}
      />
      <Tile
        {...common}
        id="jitter"
        label="Jitter"
        value={formats.ms(k.averageJitter)}
        tone={jitter?.tone}
        shape={jitter?.shape}
        note={bandNote(totals.jitterBins, JITTER_BOUNDS, settings.jitterLimits, totals.jitterCount)}
      />
    </section>
  );
}
