import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { principalFromHeaders } from '@/lib/auth/access';
import { TV_ROWS, tvFilter, tvQuerySchema } from '@/lib/auth/board-access';
import { maskSnapshot } from '@/lib/auth/mask';
import { filterOf, filterQuerySchema } from '@/lib/common/filter';

export const dynamic = 'force-dynamic';

const forPeople = withUser('user', { query: filterQuerySchema }, ({ query }) =>
  getRuntime().queries.snapshot(filterOf(query)),
);

const forTvs = withUser('viewer', { query: tvQuerySchema }, async ({ query }) => {
  const now = Date.now();
  return maskSnapshot(await getRuntime().queries.snapshot(tvFilter(query, now), now, TV_ROWS));
});

/**
 * Everything the board shows for a filter (?from=&to=&line=&status=&caller=, times in epoch ms),
 * as of one event id: first load, a change of range or filter, and catching up after a reconnect.
 * A paired TV asks by preset instead (?range=&tz=&line=&status=) and gets its rows masked.
 */
export async function GET(request: Request) {
  const tv = principalFromHeaders(request.headers)?.kind === 'tv';
  return (tv ? forTvs : forPeople)(request);
}
