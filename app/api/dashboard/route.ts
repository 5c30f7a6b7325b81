import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { principalFromHeaders } from '@/lib/auth/access';
import { TV_ROWS, tvFilter, tvQuerySchema } from '@/lib/auth/board-access';
import { scopeFilter, snapshotFor } from '@/lib/auth/scope';
import { filterOf, filterQuerySchema } from '@/lib/common/filter';

export const dynamic = 'force-dynamic';

const forPeople = withUser('user', { query: filterQuerySchema }, async ({ who, query }) =>
  snapshotFor(await getRuntime().queries.snapshot(scopeFilter(filterOf(query), who)), who),
);

const forTvs = withUser('viewer', { query: tvQuerySchema }, async ({ who, query }) => {
  const now = Date.now();
  const filter = scopeFilter(tvFilter(query, now), who);
  return snapshotFor(await getRuntime().queries.snapshot(filter, now, TV_ROWS), who);
});

/**
 * Everything the board shows for a filter (?from=&to=&line=&status=&caller=, times in epoch ms),
 * as of one event id: first load, a change of range or filter, and catching up after a reconnect.
 * A paired TV asks by preset instead (?range=&tz=&line=&status=). Each viewer gets their lines
 * only, and callers' numbers masked unless they may see them (lib/auth/scope.ts).
 */
export async function GET(request: Request) {
  const tv = principalFromHeaders(request.headers)?.kind === 'tv';
  return (tv ? forTvs : forPeople)(request);
}
