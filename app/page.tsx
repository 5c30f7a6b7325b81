import { getRuntime } from '@/lib/runtime';
import { Dashboard } from '@/components/Dashboard';
import { signingNotice } from '@/lib/config';
import { cookies, headers } from 'next/headers';
import { pickLocale } from '@/lib/common/format';
import { principalFromHeaders } from '@/lib/auth/access';
import { filterOfView, parseView, rangeOf, ZONE_COOKIE, zoneOf } from '@/lib/common/view';
import { isValidTimeZone } from '@/lib/common/settings';
import { TV_ROWS, tvView } from '@/lib/auth/board-access';
import { maskSnapshot } from '@/lib/auth/mask';
import { masksNumbers, scopeFilter, snapshotFor } from '@/lib/auth/scope';
import { MASKED_SEARCH_DIGITS } from '@/lib/common/privacy';

export const dynamic = 'force-dynamic';

/** The moment this page is rendered: the range is resolved at it. */
const renderedAt = () => Date.now();

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { queries, config, release } = getRuntime();
  const requestHeaders = await headers();
  const principal = principalFromHeaders(requestHeaders);
  const scope = { lines: principal?.lines ?? null, numbers: principal?.numbers ?? 'masked' };
  const viewer =
    principal?.kind === 'user'
      ? { kind: 'user' as const, name: principal.name, admin: principal.role === 'admin', ...scope }
      : { kind: 'tv' as const, name: principal?.name ?? '', admin: false, ...scope };
  const tv = viewer.kind === 'tv';
  // A paired TV shows the full-screen layout, on one of the board's ranges, whatever its link says.
  const asked = parseView(await searchParams);
  const shown = tv ? tvView(asked) : asked;
  // A line-scoped viewer's link naming another line or direction shows their own lines instead.
  const scopedView =
    principal?.lines &&
    ((shown.line !== null && !principal.lines.includes(shown.line)) || shown.direction !== 'inbound')
      ? { ...shown, line: null, direction: 'inbound' as const }
      : shown;
  // Where numbers are masked: no search shorter than MASKED_SEARCH_DIGITS, no person's number as line.
  const masked = !principal || masksNumbers(principal);
  const view = masked
    ? {
        ...scopedView,
        caller:
          (scopedView.caller ?? '').replace(/\D/g, '').length >= MASKED_SEARCH_DIGITS
            ? scopedView.caller
            : null,
        line: scopedView.direction === 'inbound' ? scopedView.line : null,
      }
    : scopedView;
  // The browser's zone is not known here: the page remembers it in a cookie after the first visit
  // (until then, UTC, and the board fetches its own range once it knows).
  const remembered = (await cookies()).get(ZONE_COOKIE)?.value;
  const settings = await queries.settings();
  const zone = zoneOf(
    view,
    settings.timeZone,
    remembered && isValidTimeZone(remembered) ? remembered : 'UTC',
  );
  const now = renderedAt();
  const filter = filterOfView(view, rangeOf(view, zone, now));
  const scoped = principal ? scopeFilter(filter, principal) : filter;
  const rows = tv ? TV_ROWS : config.DASHBOARD_ROWS;
  const snapshot = await queries.snapshot(scoped, now, rows);
  return (
    <Dashboard
      initial={principal ? snapshotFor(snapshot, principal) : maskSnapshot(snapshot)}
      initialView={view}
      initialZone={zone}
      renderedAt={now}
      maxRows={rows}
      release={release}
      // The webhook's configuration is for the people who run the board, not for the TV.
      notice={tv ? null : signingNotice(config)}
      viewer={viewer}
      locale={pickLocale(requestHeaders.get('accept-language'))}
    />
  );
}
