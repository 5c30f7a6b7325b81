import { kpis } from '@/lib/calls/tally';
import type { Tally } from '@/lib/calls/types';
import { bandOf, formatCount, formatMinutes, formatMos, formatPercent } from '@/lib/calls/format';

interface TileProps {
  id: string;
  label: string;
  value: string;
  tone?: string;
  note?: string;
}

function Tile({ id, label, value, tone, note, asOf }: TileProps & { asOf: string | null }) {
  return (
    <div className={`tile ${tone ? `tone-${tone}` : ''}`} data-testid={`kpi-${id}`}>
      <div className="tile-label">
        {label}
        {asOf ? (
          <span className="tile-asof" data-testid={`kpi-${id}-asof`}>
            as of {asOf}
          </span>
        ) : null}
      </div>
      <div className="tile-value" data-testid={`kpi-${id}-value`}>
        {value}
      </div>
      {note ? <div className="tile-note">{note}</div> : null}
    </div>
  );
}

/** `asOf`: hh:mm:ss at which the figures were last known current, shown on every tile. */
export function KpiTiles({ totals, asOf }: { totals: Tally; asOf: string | null }) {
  const k = kpis(totals);
  const band = bandOf(k.averageMos);
  return (
    <section className="tiles" aria-label="Totals">
      <Tile id="total-calls" label="Calls" value={formatCount(k.totalCalls)} asOf={asOf} />
      <Tile id="talk-minutes" label="Talk minutes" value={formatMinutes(k.talkMinutes)} asOf={asOf} />
      <Tile
        asOf={asOf}
        id="average-mos"
        label="Average MOS"
        value={formatMos(k.averageMos)}
        tone={band?.key}
        note={band ? band.label : `${formatCount(totals.mosCount)} calls with MOS`}
      />
      <Tile
        asOf={asOf}
        id="success-rate"
        label="Success rate"
        value={formatPercent(k.successRate)}
        note={`${formatCount(totals.completed)} of ${formatCount(totals.finished)} finished`}
      />
      <Tile
        asOf={asOf}
        id="failed-calls"
        label="Failed"
        value={formatCount(k.failedCalls)}
        tone={k.failedCalls > 0 ? 'alert' : undefined}
        note="failed, busy, no answer, canceled"
      />
    </section>
  );
}
