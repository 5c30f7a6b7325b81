import type { Connection } from '@/lib/common/board-sync';

const LABEL: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export function ConnectionBadge({ state }: { state: Connection }) {
  return (
    <div
      className={`connection connection-${state}`}
      data-testid="connection"
      data-state={state}
      role="status"
    >
      <span className="connection-dot" aria-hidden />
      {LABEL[state]}
    </div>
  );
}
