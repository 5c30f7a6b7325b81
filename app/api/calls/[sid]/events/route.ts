import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { historyFor, mayOpen } from '@/lib/auth/scope';

export const dynamic = 'force-dynamic';

const Params = z.object({ sid: z.string().min(1, '1 to 128 characters').max(128, '1 to 128 characters') });

/**
 * Every callback received for one call, raw fields included, in arrival order. People only; a
 * line-scoped person opens their lines' calls (and those calls' legs) only, and raw fields carry
 * callers' numbers masked unless they may see them.
 */
export const GET = withUser('user', { params: Params }, async ({ who, params: { sid } }) => {
  const { queries } = getRuntime();
  const history = await queries.history(sid);
  if (!history.call && history.events.length === 0) return json(404, { error: 'no such call' });
  if (!(await mayOpen(history.call, who, async (s) => (await queries.history(s)).call))) {
    return json(404, { error: 'no such call' });
  }
  return historyFor(history, who);
});
