import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** Deletes a channel no rule uses (409 naming the rules otherwise). */
export const DELETE = withUser('admin', { params: Params }, async ({ params: { id } }) => {
  await getRuntime().alerts.deleteChannel(id);
  return { ok: true };
});
