'use client';
import { memo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SeriesPoint, Tally } from '@/lib/calls/types';
import { DURATION_BINS, MOS_BANDS } from '@/lib/calls/status';
import { useTimeZone } from './useTimeZone';
import { useRem } from './useRem';

export const BAND_COLORS = ['#ef4444', '#f97316', '#eab308', '#84cc16', '#22c55e'];
const INITIAL = { width: 520, height: 260 };

function ChartPanel({ title, id, children }: { title: string; id: string; children: React.ReactElement }) {
  return (
    <figure className="panel chart" data-testid={`chart-${id}`}>
      <figcaption>{title}</figcaption>
      <div className="chart-body">
        <ResponsiveContainer width="100%" height="100%" initialDimension={INITIAL}>
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

// Memoised: the board re-renders every animation frame, the charts only when their data changes.
export const Charts = memo(function Charts({
  series,
  totals,
  bucketMs,
}: {
  series: SeriesPoint[];
  totals: Tally;
  bucketMs: number;
}) {
  const timeZone = useTimeZone();
  // SVG text and strokes do not follow CSS sizing: scale them with the board's unit.
  const rem = useRem();
  const AXIS = { stroke: '#94a3b8', tick: { fill: '#cbd5e1', fontSize: Math.round(rem * 0.85) } };
  const CATEGORY = { ...AXIS, interval: 0, tick: { ...AXIS.tick, fontSize: Math.round(rem * 0.7) } };
  const yWidth = Math.round(rem * 3);
  const stroke = Math.max(2, Math.round(rem * 0.18));
  const daily = bucketMs >= 86_400_000;
  const tick = (t: number) =>
    new Date(t).toLocaleString('en-GB', {
      timeZone,
      ...(daily ? { day: '2-digit', month: 'short' } : { hour: '2-digit', minute: '2-digit' }),
    });
  const points = series.map((p) => ({
    t: p.t,
    mos: p.tally.mosCount ? Number((p.tally.mosSumCenti / p.tally.mosCount / 100).toFixed(2)) : null,
    duration: p.tally.durationCount ? Math.round(p.tally.durationSum / p.tally.durationCount) : null,
  }));
  const bands = MOS_BANDS.map((b, i) => ({ name: b.label, calls: totals.mosBands[i] ?? 0 }));
  const bins = DURATION_BINS.map((b, i) => ({ name: b.label, calls: totals.durationBins[i] ?? 0 }));
  const tooltip = { contentStyle: { background: '#0f172a', border: '1px solid #334155' } };

  return (
    <section className="charts" aria-label="Charts">
      <ChartPanel title="MOS over time" id="mos-time">
        <LineChart data={points}>
          <CartesianGrid stroke="#1e293b" />
          <XAxis dataKey="t" tickFormatter={tick} {...AXIS} />
          <YAxis domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} {...AXIS} width={yWidth} />
          <Tooltip labelFormatter={(t) => tick(Number(t))} {...tooltip} />
          <Line
            dataKey="mos"
            name="avg MOS"
            stroke="#38bdf8"
            strokeWidth={stroke}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ChartPanel>
      <ChartPanel title="MOS distribution" id="mos-distribution">
        <BarChart data={bands}>
          <CartesianGrid stroke="#1e293b" />
          <XAxis dataKey="name" {...CATEGORY} />
          <YAxis allowDecimals={false} {...AXIS} width={yWidth} />
          <Tooltip {...tooltip} cursor={{ fill: '#1e293b' }} />
          <Bar dataKey="calls" isAnimationActive={false}>
            {bands.map((b, i) => (
              <Cell key={b.name} fill={BAND_COLORS[i]} />
            ))}
          </Bar>
        </BarChart>
      </ChartPanel>
      <ChartPanel title="Avg duration (s) over time" id="duration-time">
        <LineChart data={points}>
          <CartesianGrid stroke="#1e293b" />
          <XAxis dataKey="t" tickFormatter={tick} {...AXIS} />
          <YAxis allowDecimals={false} {...AXIS} width={yWidth} />
          <Tooltip labelFormatter={(t) => tick(Number(t))} {...tooltip} />
          <Line
            dataKey="duration"
            name="avg duration (s)"
            stroke="#a78bfa"
            strokeWidth={stroke}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ChartPanel>
      <ChartPanel title="Duration distribution" id="duration-distribution">
        <BarChart data={bins}>
          <CartesianGrid stroke="#1e293b" />
          <XAxis dataKey="name" {...CATEGORY} />
          <YAxis allowDecimals={false} {...AXIS} width={yWidth} />
          <Tooltip {...tooltip} cursor={{ fill: '#1e293b' }} />
          <Bar dataKey="calls" fill="#a78bfa" isAnimationActive={false} />
        </BarChart>
      </ChartPanel>
    </section>
  );
});
