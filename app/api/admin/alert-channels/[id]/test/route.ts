import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** Sends a test notification now: `{ ok }`, or the receiver's error in `error`. */
export const POST = withUser('admin', { params: Params }, async ({ params: { id } }) => {
  const rt = getRuntime();
  const result = await rt.testChannel(await rt.alerts.channelConfig(id));
  return { ok: result.ok, status: result.status ?? null, error: result.error ?? null };
});
