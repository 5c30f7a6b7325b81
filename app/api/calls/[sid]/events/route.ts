import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { callInScope, historyFor } from '@/lib/auth/scope';

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
  if (who.lines !== null) {
    // A leg belongs to the line its parent call came in on.
    const parentSid = history.call?.parentSid;
    const owner = parentSid ? (await queries.history(parentSid)).call : history.call;
    if (!owner || !callInScope(owner, who)) return json(404, { error: 'no such call' });
  }
  return historyFor(history, who);
});
