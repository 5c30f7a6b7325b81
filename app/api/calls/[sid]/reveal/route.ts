import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';
import { mayOpen } from '@/lib/auth/scope';

export const dynamic = 'force-dynamic';

const Params = z.object({ sid: z.string().min(1, '1 to 128 characters').max(128, '1 to 128 characters') });

/**
 * One call's numbers in full, for a person whose role sees them masked with a reveal (the privacy
 * settings' "reveal"): every reveal is in the audit log. Refused (403) where numbers are masked
 * without one.
 */
export const POST = withUser('user', { params: Params }, async ({ who, request, params: { sid } }) => {
  if (who.numbers === 'masked') return json(403, { error: 'your role sees callers’ numbers masked' });
  const { queries, audit } = getRuntime();
  const { call } = await queries.history(sid);
  if (!call) return json(404, { error: 'no such call' });
  if (!(await mayOpen(call, who, async (s) => (await queries.history(s)).call))) {
    return json(404, { error: 'no such call' });
  }
  // Recorded first: a reveal the audit log cannot hold is refused, never answered.
  try {
    await audit.recordOrRefuse(entryOf(who, request, 'number.reveal', sid));
  } catch {
    return json(503, { error: 'the audit log cannot be written: try again shortly' });
  }
  return { callSid: sid, from: call.from, to: call.to };
});
