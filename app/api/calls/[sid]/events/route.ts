import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ sid: z.string().min(1, '1 to 128 characters').max(128, '1 to 128 characters') });

/** Every callback received for one call, raw fields included, in arrival order. People only: raw
 * callbacks carry callers' numbers. */
export const GET = withUser('user', { params: Params }, async ({ params: { sid } }) => {
  const history = await getRuntime().queries.history(sid);
  if (!history.call && history.events.length === 0) return json(404, { error: 'no such call' });
  return history;
});
