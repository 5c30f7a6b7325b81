'use client';
import type { Snapshot } from '@/lib/calls/types';
import { useLiveBoard } from './useLiveBoard';
import { KpiTiles } from './KpiTiles';
import { CallTable } from './CallTable';
import { Charts } from './Charts';
import { ConnectionBadge } from './ConnectionBadge';

interface Notice {
  level: 'error' | 'warning';
  text: string;
}

export function Dashboard({
  initial,
  maxRows,
  notice,
}: {
  initial: Snapshot;
  maxRows: number;
  notice: Notice | null;
}) {
  const { board, connection } = useLiveBoard(initial, maxRows);
  return (
    <main className={`board ${connection === 'live' || connection === 'connecting' ? '' : 'board-stale'}`}>
      <header className="board-head">
        <h1>Call wallboard</h1>
        <ConnectionBadge state={connection} />
        <a className="button" href="/api/calls/export" download data-testid="export-csv">
          Export CSV
        </a>
      </header>
      {notice ? (
        <div className={`notice notice-${notice.level}`} role="alert" data-testid="notice">
          {notice.text}
        </div>
      ) : null}
      <KpiTiles totals={board.totals} />
      <div className="board-body">
        <CallTable calls={board.calls} />
        <Charts series={board.series} totals={board.totals} bucketMs={board.bucketMs} />
      </div>
    </main>
  );
}
