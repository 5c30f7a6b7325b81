'use client';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { MASKED_SEARCH_DIGITS } from '@/lib/common/privacy';
import { useBrowserZone } from './useTimeZone';
import type { Snapshot } from '@/lib/common/types';
import { useLiveBoard } from './useLiveBoard';
import { KpiTiles } from './KpiTiles';
import { CallTable } from './CallTable';
import { DistributionCharts, TimeCharts } from './Charts';
import { ConnectionBadge } from './ConnectionBadge';
import { useThrottled } from './useThrottled';
import { UserMenu } from './UserMenu';
import type { Viewer } from './viewer';
import { useAsOf } from './useAsOf';
import { Controls } from './Controls';
import { FailurePanel } from './FailurePanel';
import { DIRECTION_LABELS } from '@/lib/common/status';
import { LineTable } from './LineTable';
import { HealthPanel } from './HealthPanel';
import { useAlertSound, useOpenAlertSound } from './useAlertSound';
import { useOpenAlerts } from './useOpenAlerts';
import { AlertsPanel } from './AlertsPanel';
import { LocaleContext, ZoneContext } from './zone';
import { formatsFor } from '@/lib/common/format';
import { filterParams } from '@/lib/common/filter';
import { METRICS, type Metric } from '@/lib/common/settings';
import { breached } from '@/lib/common/thresholds';
import {
  DEFAULT_VIEW,
  filterOfView,
  rangeOf,
  viewParams,
  ZONE_COOKIE,
  zoneOf,
  type View,
} from '@/lib/common/view';

interface Notice {
  level: 'error' | 'warning';
  text: string;
}

const MUTE_KEY = 'wallboard.muted';
const MUTE_EVENT = 'wallboard-muted';

/** This screen's mute switch, kept in the browser so a reload keeps it. */
function useMuted(): boolean {
  return useSyncExternalStore(
    (changed) => {
      window.addEventListener(MUTE_EVENT, changed);
      window.addEventListener('storage', changed);
      return () => {
        window.removeEventListener(MUTE_EVENT, changed);
        window.removeEventListener('storage', changed);
      };
    },
    () => localStorage.getItem(MUTE_KEY) === '1',
    () => false,
  );
}
function setMuted(muted: boolean) {
  localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
  window.dispatchEvent(new Event(MUTE_EVENT));
}

/**
 * Now, moving on each minute: what rolling ranges and "time since" follow. It starts at the
 * moment the server rendered the page, so the page hydrates as rendered, then takes the
 * browser's clock.
 */
function useMinute(renderedAt: number): number {
  const [now, setNow] = useState(renderedAt);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    // Each screen turns its minute up to 5 s late, so a wall of TVs on a rolling range does not
    // ask for snapshots all at the same instant.
    const jitter = 50 + Math.random() * 5000;
    const tick = () => {
      setNow(Date.now());
      timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + jitter);
    };
    timer = setTimeout(tick, 0);
    return () => clearTimeout(timer);
  }, []);
  return now;
}

export function Dashboard({
  initial,
  initialView,
  initialZone,
  renderedAt,
  maxRows,
  release,
  notice,
  viewer,
  locale,
}: {
  initial: Snapshot;
  initialView: View;
  initialZone: string;
  /** When the server rendered the page, epoch ms. */
  renderedAt: number;
  maxRows: number;
  release: string;
  notice: Notice | null;
  viewer: Viewer;
  /** The browser's locale, as its Accept-Language header named it. */
  locale: string;
}) {
  const [view, setView] = useState(initialView);
  // The server rendered in the zone it could know; the browser's own is known once hydrated.
  const browserZone = useBrowserZone(initialZone);
  useEffect(() => {
    document.cookie = `${ZONE_COOKIE}=${encodeURIComponent(browserZone)}; path=/; max-age=31536000; samesite=lax`;
  }, [browserZone]);
  // The board's zone setting arrives with each snapshot, but the zone decides the filter that
  // snapshot is fetched for: the zone is read from the last snapshot, kept here.
  const [settingsZone, setSettingsZone] = useState(initial.settings.timeZone);
  const changeView = useCallback((next: View) => {
    setView(next);
    const q = viewParams(next).toString();
    window.history.replaceState(null, '', q ? `?${q}` : window.location.pathname);
  }, []);
  const now = useMinute(renderedAt);
  const zone = zoneOf(view, settingsZone, browserZone);
  const range = useMemo(() => rangeOf(view, zone, now), [view, zone, now]);
  const filter = useMemo(() => filterOfView(view, range), [view, range]);

  // The range's preset and zone go along: a paired TV is answered by preset, not by from/to.
  const snapshotQuery = `${filterParams(filter)}&${new URLSearchParams({ range: view.preset, tz: zone })}`;
  const scope = JSON.stringify([
    view.preset,
    view.from,
    view.to,
    zone,
    view.line,
    view.status,
    view.caller,
    view.direction,
  ]);
  // The server's alerts come over the board's own socket: a board keeps a single connection.
  const openAlerts = useOpenAlerts();
  const {
    board,
    connection,
    scope: shownScope,
  } = useLiveBoard(
    initial,
    maxRows,
    snapshotQuery,
    scope,
    release,
    () => changeView({ ...DEFAULT_VIEW, tv: view.tv }),
    openAlerts.listen,
  );
  if (board.settings.timeZone !== settingsZone) setSettingsZone(board.settings.timeZone);

  const asOfAt = useAsOf(connection);
  const formats = formatsFor(locale, zone);
  const asOf = asOfAt === null ? null : formats.clock(asOfAt);
  const stale = connection === 'reconnecting' || connection === 'offline';
  // Tiles and rows follow every frame; four SVG charts redrawn at that rate would hold up the
  // main thread under a burst, and a chart a second is plenty to read from across the room.
  const timeCharts = useThrottled(board, 1000, 0);
  const distributionCharts = useThrottled(board, 1000, 500);

  // Threshold alerts: the tile shows the state; a sound (if the admin enabled them and this screen
  // has not muted) marks the moment of crossing.
  const muted = useMuted();
  const sound = board.settings.soundAlerts && !muted;
  const [lastAlert, setLastAlert] = useState<{ metrics: Metric[]; at: number } | null>(null);
  const over = breached(board.totals, board.settings);
  useAlertSound(
    over,
    sound,
    // What a crossing is judged within: the view the board shows (a rolling range's new minute is
    // the same view, so calls ageing out can cross) and the thresholds. Another view, or new
    // thresholds, starts afresh: what was already over then is not a crossing.
    `${shownScope}|${JSON.stringify([board.settings.thresholds, board.settings.mosLimits])}`,
    (metrics) => setLastAlert({ metrics, at: Date.now() }),
  );
  // The server's alerts: the room hears them until someone acknowledges them, on any screen.
  const sounding = useOpenAlertSound(openAlerts.alerts, sound);

  const exportHref = `/api/calls/export?${filterParams(filter)}&${new URLSearchParams({ range: range.label, zone })}`;
  const tv = view.tv;
  const people = viewer.kind === 'user';

  return (
    <LocaleContext.Provider value={locale}>
      <ZoneContext.Provider value={zone}>
        <main
          className={`board ${stale ? 'board-stale' : ''} ${tv ? 'board-tv' : ''}`}
          data-view={tv ? 'tv' : 'full'}
        >
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
            <div className="board-range" data-testid="range-label" suppressHydrationWarning>
              {range.label} <small>{zone}</small>
              {view.line !== null ? (
                <small> · line {view.line ? <bdi>{view.line}</bdi> : '(no number)'}</small>
              ) : null}
              {view.status ? <small> · {view.status}</small> : null}
              {view.direction !== 'inbound' ? (
                <small data-testid="direction-label"> · {DIRECTION_LABELS[view.direction]}</small>
              ) : null}
              {view.caller ? <small> · caller ~{view.caller}</small> : null}
            </div>
            <ConnectionBadge state={connection} />
            {board.settings.soundAlerts && !tv ? (
              <button
                type="button"
                className="button"
                data-testid="mute"
                aria-pressed={muted}
                onClick={() => setMuted(!muted)}
              >
                {muted ? 'Sound: muted' : 'Sound: on'}
              </button>
            ) : null}
            {people && !tv ? (
              <>
                <a className="button" href={`?${viewParams({ ...view, tv: true })}`} data-testid="tv-mode">
                  TV mode
                </a>
                <a className="button" href={exportHref} download data-testid="export-csv">
                  Export CSV
                </a>
                <UserMenu viewer={viewer} />
              </>
            ) : null}
            {people && tv ? (
              <a
                className="button tv-exit"
                href={`?${viewParams({ ...view, tv: false })}`}
                data-testid="tv-exit"
              >
                Exit TV mode
              </a>
            ) : null}
          </header>
          {!tv ? (
            // The controls' row has room at its end for the way to past alerts (the header has none).
            <div className="open-alerts-controls">
              <Controls
                view={view}
                zone={zone}
                defaultZone={settingsZone || browserZone}
                onChange={changeView}
                inboundOnly={viewer.lines !== null}
                minSearchDigits={viewer.numbers === 'full' ? 1 : MASKED_SEARCH_DIGITS}
              />
              {people ? (
                <a className="button" href="/alerts" data-testid="alerts-history">
                  Alert history
                </a>
              ) : null}
            </div>
          ) : null}
          {notice && !tv ? (
            <div className={`notice notice-${notice.level}`} role="alert" data-testid="notice">
              {notice.text}
            </div>
          ) : null}
          {board.purged && !tv ? (
            <div className="notice notice-info" role="status" data-testid="purged-notice">
              {board.purged.calls === null
                ? `Calls before ${formats.dateTime(board.purged.before)} were purged (retention): these figures count only the calls still stored.`
                : `Calls before ${formats.dateTime(board.purged.before)} were purged (retention): totals and charts still count them; the call list and the export leave out ${formats.count(board.purged.calls)} of them.`}
            </div>
          ) : null}
          {lastAlert && over.size > 0 ? (
            <div className="sr-only" role="alert" data-testid="threshold-alert">
              {lastAlert.metrics.map((m) => METRICS[m].label).join(', ')} crossed the threshold at{' '}
              {formats.clock(lastAlert.at)}
            </div>
          ) : null}
          {/* One row of the board's grid: alerts, when open, above the tiles; the body gives way. */}
          <div className="open-alerts-stack">
            <AlertsPanel
              alerts={openAlerts.alerts}
              skew={openAlerts.skew}
              sounding={sounding}
              canAcknowledge={people}
              onAcknowledged={openAlerts.reload}
            />
            <KpiTiles totals={board.totals} asOf={asOf} settings={board.settings} />
          </div>
          <div className="board-body">
            <CallTable
              calls={board.calls}
              details={people && !tv}
              reveal={viewer.numbers === 'reveal'}
              limits={board.settings.mosLimits}
            />
            <section className="charts" aria-label="Charts">
              <TimeCharts
                series={timeCharts.series}
                bucketMs={timeCharts.bucketMs}
                limits={timeCharts.settings.mosLimits}
              />
              <DistributionCharts totals={distributionCharts.totals} />
            </section>
            <LineTable
              lines={board.lines}
              selected={view.line}
              limits={board.settings.mosLimits}
              lossLimits={board.settings.lossLimits}
              jitterLimits={board.settings.jitterLimits}
              now={asOfAt ?? now}
              // Legs' and outbound calls' lines are people's numbers: masked, they filter nothing.
              onPick={
                tv || (viewer.numbers !== 'full' && view.direction !== 'inbound')
                  ? null
                  : (line) => changeView({ ...view, line })
              }
            />
            <FailurePanel totals={distributionCharts.totals} />
            <HealthPanel now={asOfAt ?? now} />
          </div>
        </main>
      </ZoneContext.Provider>
    </LocaleContext.Provider>
  );
}
