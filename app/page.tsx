import { getRuntime } from '@/lib/runtime';
import { Dashboard } from '@/components/Dashboard';
import { signingNotice } from '@/lib/config';
import { cookies, headers } from 'next/headers';
import { principalFromHeaders } from '@/lib/auth/access';
import { filterOfView, parseView, rangeOf, ZONE_COOKIE, zoneOf } from '@/lib/calls/view';
import { isValidTimeZone } from '@/lib/calls/settings';

export const dynamic = 'force-dynamic';

/** The moment this page is rendered: the range is resolved at it. */
const renderedAt = () => Date.now();

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { queries, config, release } = getRuntime();
  const principal = principalFromHeaders(await headers());
  const viewer =
    principal?.kind === 'user'
      ? { kind: 'user' as const, name: principal.name, admin: principal.role === 'admin' }
      : { kind: 'tv' as const, name: principal?.name ?? '', admin: false };
  const view = parseView(await searchParams);
  // A paired TV shows the full-screen layout whatever its link says.
  if (viewer.kind === 'tv') view.tv = true;
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
  const snapshot = await queries.snapshot(filterOfView(view, rangeOf(view, zone, now)), now);
  return (
    <Dashboard
      initial={snapshot}
      initialView={view}
      initialZone={zone}
      renderedAt={now}
      maxRows={config.DASHBOARD_ROWS}
      release={release}
      // The webhook's configuration is for the people who run the board, not for the TV.
      notice={viewer.kind === 'user' ? signingNotice(config) : null}
      viewer={viewer}
    />
  );
}
