'use client';
import type { Snapshot } from '@/lib/calls/types';
import { useLiveBoard } from './useLiveBoard';
import { KpiTiles } from './KpiTiles';
import { CallTable } from './CallTable';
import { DistributionCharts, TimeCharts } from './Charts';
import { ConnectionBadge } from './ConnectionBadge';
import { useThrottled } from './useThrottled';
import { UserMenu } from './UserMenu';
import { useAsOf } from './useAsOf';
import { useTimeZone } from './useTimeZone';
import { formatClock } from '@/lib/calls/format';

export interface Viewer {
  kind: 'user' | 'tv';
  name: string;
  admin: boolean;
}

interface Notice {
  level: 'error' | 'warning';
  text: string;
}

export function Dashboard({
  initial,
  maxRows,
  notice,
  viewer,
}: {
  initial: Snapshot;
  maxRows: number;
  notice: Notice | null;
  viewer: Viewer;
}) {
  const { board, connection } = useLiveBoard(initial, maxRows);
  const timeZone = useTimeZone();
  const asOfAt = useAsOf(connection);
  const asOf = asOfAt === null ? null : formatClock(asOfAt, timeZone);
  const stale = connection === 'reconnecting' || connection === 'offline';
  // Tiles and rows follow every frame; four SVG charts redrawn at that rate would hold up the
  // main thread under a burst, and a chart a second is plenty to read from across the room.
  const timeCharts = useThrottled(board, 1000, 0);
  const distributionCharts = useThrottled(board, 1000, 500);
  return (
    <main className={`board ${stale ? 'board-stale' : ''}`}>
      {stale ? (
        // Read from across the room: the figures are old, by how much, and that it is being fixed.
        <div className="stale-banner" role="alert" data-testid="stale-banner">
          <strong>{connection === 'offline' ? 'Offline' : 'Connection lost'}</strong>
          <span>
            {asOf ? `Figures as of ${asOf}. ` : ''}
            {connection === 'offline' ? 'Still trying to reconnect…' : 'Reconnecting…'}
          </span>
        </div>
      ) : null}
      <header className="board-head">
        <h1>Call wallboard</h1>
        <ConnectionBadge state={connection} />
        {viewer.kind === 'user' ? (
          <>
            <a className="button" href="/api/calls/export" download data-testid="export-csv">
              Export CSV
            </a>
            <UserMenu viewer={viewer} />
          </>
        ) : null}
      </header>
      {notice ? (
        <div className={`notice notice-${notice.level}`} role="alert" data-testid="notice">
          {notice.text}
        </div>
      ) : null}
      <KpiTiles totals={board.totals} asOf={asOf} />
      <div className="board-body">
        <CallTable calls={board.calls} details={viewer.kind === 'user'} />
        <section className="charts" aria-label="Charts">
          <TimeCharts series={timeCharts.series} bucketMs={timeCharts.bucketMs} />
          <DistributionCharts totals={distributionCharts.totals} />
        </section>
      </div>
    </main>
  );
}
