import { getRuntime } from '@/lib/runtime';
import { json, userOf } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

/** Every callback received for one call, raw fields included, in arrival order. */
export async function GET(request: Request, ctx: { params: Promise<{ sid: string }> }) {
  // Raw callbacks carry callers' numbers: people only, checked here as well as by the gate.
  const user = userOf(request);
  if (user instanceof Response) return user;
  const { sid } = await ctx.params;
  if (sid.length === 0 || sid.length > 128)
    return json(400, { error: 'sid: 1 to 128 characters', field: 'sid' });
  const history = await getRuntime().queries.history(sid);
  if (!history.call && history.events.length === 0) return json(404, { error: 'no such call' });
  return json(200, history);
}
