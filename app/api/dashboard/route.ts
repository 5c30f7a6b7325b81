import { getRuntime } from '@/lib/runtime';
import { json, query } from '@/lib/auth/route';
import { filterOf, filterQuerySchema } from '@/lib/calls/filter';

export const dynamic = 'force-dynamic';

/**
 * Everything the board shows for a filter (?from=&to=&line=&status=&caller=, times in epoch ms),
 * as of one event id: first load, a change of range or filter, and catching up after a reconnect.
 */
export async function GET(request: Request) {
  const q = query(request, filterQuerySchema);
  if (q instanceof Response) return q;
  return json(200, await getRuntime().queries.snapshot(filterOf(q)));
}
