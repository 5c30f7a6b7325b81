'use client';
import { memo } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SeriesPoint, Tally } from '@/lib/common/types';
import { DURATION_BINS, MOS_BANDS, type MosLimits } from '@/lib/common/status';
import { useFormats } from './useTimeZone';
import { useRem } from './useRem';

const BAND_COLORS = ['#ef4444', '#f97316', '#eab308', '#84cc16', '#22c55e'];
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

function useAxes() {
  // SVG text and strokes do not follow CSS sizing: scale them with the board's unit.
  const rem = useRem();
  const axis = { stroke: '#94a3b8', tick: { fill: '#cbd5e1', fontSize: Math.round(rem * 0.85) } };
  return {
    axis,
    category: { ...axis, interval: 0, tick: { ...axis.tick, fontSize: Math.round(rem * 0.7) } },
    yWidth: Math.round(rem * 3),
    // Room at the right for the last category's label, centred on the last bar.
    margin: { top: 5, right: Math.round(rem * 1.2), bottom: 5, left: 0 },
    stroke: Math.max(2, Math.round(rem * 0.18)),
  };
}

const tooltip = { contentStyle: { background: '#0f172a', border: '1px solid #334155' } };

// Memoised, and fed by their own throttled copy of the board (see Dashboard): the board renders
// every animation frame, each group of charts at most once a second, the two half a second apart.
export const TimeCharts = memo(function TimeCharts({
  series,
  bucketMs,
  limits,
}: {
  series: SeriesPoint[];
  bucketMs: number;
  limits: MosLimits;
}) {
  const formats = useFormats();
  const { axis, yWidth, stroke } = useAxes();
  const daily = bucketMs >= 86_400_000;
  const tick = (t: number) => formats.axisTime(t, daily);
  const points = series.map((p) => ({
    t: p.t,
    mos: p.tally.mosCount ? Number((p.tally.mosSumCenti / p.tally.mosCount / 100).toFixed(2)) : null,
    duration: p.tally.durationCount ? Math.round(p.tally.durationSum / p.tally.durationCount) : null,
  }));
  // One line over time: its chart, axes, tooltip and line, and what is drawn under it.
  const timeLine = (
    title: string,
    id: string,
    line: { dataKey: 'mos' | 'duration'; name: string; color: string },
    yAxis: React.ReactElement,
    under: React.ReactNode = null,
  ) => (
    <ChartPanel title={title} id={id}>
      <LineChart data={points}>
        <CartesianGrid stroke="#1e293b" />
        <XAxis dataKey="t" tickFormatter={tick} {...axis} />
        {yAxis}
        <Tooltip labelFormatter={(t) => tick(Number(t))} {...tooltip} />
        {under}
        <Line
          dataKey={line.dataKey}
          name={line.name}
          stroke={line.color}
          strokeWidth={stroke}
          dot={false}
          connectNulls
          isAnimationActive={false}
        />
      </LineChart>
    </ChartPanel>
  );
  return (
    <>
      {timeLine(
        'MOS over time',
        'mos-time',
        { dataKey: 'mos', name: 'avg MOS', color: '#38bdf8' },
        <YAxis domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} {...axis} width={yWidth} />,
        // The lower bound of each band above bad, dashed, in that band's colour.
        limits.map((min, i) => (
          <ReferenceLine key={min} y={min} stroke={BAND_COLORS[i + 1]} strokeDasharray="6 4" />
        )),
      )}
      {timeLine(
        'Avg duration (s)',
        'duration-time',
        { dataKey: 'duration', name: 'avg duration (s)', color: '#a78bfa' },
        <YAxis allowDecimals={false} tickFormatter={formats.compact} {...axis} width={yWidth} />,
      )}
    </>
  );
});

export const DistributionCharts = memo(function DistributionCharts({ totals }: { totals: Tally }) {
  const formats = useFormats();
  const { category, axis, yWidth, margin } = useAxes();
  const bands = MOS_BANDS.map((b, i) => ({ name: `${b.shape} ${b.label}`, calls: totals.mosBands[i] ?? 0 }));
  const bins = DURATION_BINS.map((b, i) => ({ name: b.label, calls: totals.durationBins[i] ?? 0 }));
  return (
    <>
      <ChartPanel title="MOS distribution" id="mos-distribution">
        <BarChart data={bands} margin={margin}>
          <CartesianGrid stroke="#1e293b" />
          <XAxis dataKey="name" {...category} />
          <YAxis allowDecimals={false} tickFormatter={formats.compact} {...axis} width={yWidth} />
          <Tooltip {...tooltip} cursor={{ fill: '#1e293b' }} />
          <Bar dataKey="calls" isAnimationActive={false}>
            {bands.map((b, i) => (
              <Cell key={b.name} fill={BAND_COLORS[i]} />
            ))}
          </Bar>
        </BarChart>
      </ChartPanel>
      <ChartPanel title="Duration distribution" id="duration-distribution">
        <BarChart data={bins} margin={margin}>
          <CartesianGrid stroke="#1e293b" />
          <XAxis dataKey="name" {...category} />
          <YAxis allowDecimals={false} tickFormatter={formats.compact} {...axis} width={yWidth} />
          <Tooltip {...tooltip} cursor={{ fill: '#1e293b' }} />
          <Bar dataKey="calls" fill="#a78bfa" isAnimationActive={false} />
        </BarChart>
      </ChartPanel>
    </>
  );
});
