import { getRuntime } from '@/lib/runtime';
import { json, query } from '@/lib/auth/route';
import { principalFromHeaders } from '@/lib/auth/access';
import { TV_ROWS, tvFilter, tvQuerySchema } from '@/lib/auth/board-access';
import { maskSnapshot } from '@/lib/auth/mask';
import { filterOf, filterQuerySchema } from '@/lib/calls/filter';

export const dynamic = 'force-dynamic';

/**
 * Everything the board shows for a filter (?from=&to=&line=&status=&caller=, times in epoch ms),
 * as of one event id: first load, a change of range or filter, and catching up after a reconnect.
 * A paired TV asks by preset instead (?range=&tz=&line=&status=) and gets its rows masked.
 */
export async function GET(request: Request) {
  const { queries } = getRuntime();
  if (principalFromHeaders(request.headers)?.kind === 'tv') {
    const q = query(request, tvQuerySchema);
    if (q instanceof Response) return q;
    const now = Date.now();
    return json(200, maskSnapshot(await queries.snapshot(tvFilter(q, now), now, TV_ROWS)));
  }
  const q = query(request, filterQuerySchema);
  if (q instanceof Response) return q;
  return json(200, await queries.snapshot(filterOf(q)));
}
