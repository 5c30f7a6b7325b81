'use client';
import { kpis } from '@/lib/common/tally';
import type { LineRow } from '@/lib/common/types';
import type { MosLimits, QualityLimits } from '@/lib/common/status';
import { bandOf, formatAgo, qualityOf } from '@/lib/common/format';
import { useFormats } from './useTimeZone';

/**
 * The center's numbers side by side. `onPick`: a click filters the whole board to that line, a
 * second click on it clears the filter; null on a TV, which has no pointer.
 */
export function LineTable({
  lines,
  selected,
  limits,
  lossLimits,
  jitterLimits,
  now,
  onPick,
}: {
  lines: LineRow[];
  selected: string | null;
  limits: MosLimits;
  lossLimits: QualityLimits;
  jitterLimits: QualityLimits;
  now: number;
  onPick: ((line: string | null) => void) | null;
}) {
  const formats = useFormats();
  return (
    <section className="panel lines" aria-label="Lines" data-testid="lines">
      <table className="line-table" data-testid="line-table">
        <thead>
          <tr>
            <th>Line</th>
            <th className="num">Calls</th>
            <th className="num">Success</th>
            <th className="num">Talk time</th>
            <th className="num">Avg MOS</th>
            <th className="num">Below poor</th>
            <th className="num">Loss</th>
            <th className="num">Jitter ms</th>
            <th className="num">Last call</th>
          </tr>
        </thead>
        <tbody>
          {lines.length === 0 ? (
            <tr>
              <td colSpan={9} className="empty">
                No calls in this range.
              </td>
            </tr>
          ) : null}
          {lines.map((l) => {
            const k = kpis(l.tally);
            const talk = formats.talk(k.talkMinutes);
            const band = bandOf(k.averageMos, limits);
            const loss = qualityOf(k.packetLoss, lossLimits);
            const jitter = qualityOf(k.averageJitter, jitterLimits);
            const isSelected = selected === l.line;
            return (
              <tr
                key={l.line}
                data-testid="line-row"
                data-line={l.line}
                className={isSelected ? 'selected' : undefined}
                aria-selected={isSelected}
                {...(onPick
                  ? {
                      tabIndex: 0,
                      title: isSelected ? 'Show every line' : 'Show only this line',
                      onClick: () => onPick(isSelected ? null : l.line),
                      onKeyDown: (e: React.KeyboardEvent) => {
                        if (e.key === 'Enter') onPick(isSelected ? null : l.line);
                      },
                    }
                  : {})}
              >
                <td>{l.line ? <bdi>{l.line}</bdi> : '(no number)'}</td>
                <td className="num" data-testid="line-calls">
                  {formats.count(k.totalCalls)}
                </td>
                <td className="num">{formats.percent(k.successRate)}</td>
                <td className="num">
                  {talk.value} {talk.unit}
                </td>
                <td className={`num ${band ? `tone-${band.key}` : ''}`}>
                  {band ? <span aria-hidden>{band.shape} </span> : null}
                  {formats.mos(k.averageMos)}
                </td>
                <td className={`num ${k.belowPoorShare ? 'tone-bad' : ''}`}>
                  {formats.percent(k.belowPoorShare)}
                </td>
                <td className={`num ${loss ? `tone-${loss.tone}` : ''}`} data-testid="line-loss">
                  {loss ? <span aria-hidden>{loss.shape} </span> : null}
                  {formats.loss(k.packetLoss)}
                </td>
                <td className={`num ${jitter ? `tone-${jitter.tone}` : ''}`} data-testid="line-jitter">
                  {jitter ? <span aria-hidden>{jitter.shape} </span> : null}
                  {k.averageJitter === null ? 'n/a' : formats.tenths(k.averageJitter)}
                </td>
                <td className="num" suppressHydrationWarning>
                  {formatAgo(l.lastCallAt, now)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
