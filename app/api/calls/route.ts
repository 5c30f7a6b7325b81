import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { userOf } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const query = z.object({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});

/** Newest calls, or with ?after=<event id> the calls changed since that id, oldest change first. */
export async function GET(req: Request) {
  // People only (TVs view the board, they do not page through the calls), checked here as well as
  // by the gate: a request that reaches this handler some other way gets nothing.
  const user = userOf(req);
  if (user instanceof Response) return user;
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = query.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]);
    return Response.json({ error: `${field} ${issue.message}`, field }, { status: 400 });
  }
  const { after, limit } = parsed.data;
  const { queries } = getRuntime();
  const calls =
    after === undefined ? await queries.recentCalls(limit) : await queries.callsAfter(after, limit);
  return Response.json({ calls }, { headers: { 'Cache-Control': 'no-store' } });
}
