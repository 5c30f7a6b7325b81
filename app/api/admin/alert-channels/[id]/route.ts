import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** Deletes a channel no rule uses (409 naming the rules otherwise). */
export const DELETE = withUser('admin', { params: Params }, async ({ request, who, params: { id } }) => {
  const channel = (await getRuntime().alerts.listChannels()).find((c) => c.id === id);
  await getRuntime().alerts.deleteChannel(id);
  const detail = { name: channel?.name, kind: channel?.kind };
  await getRuntime().audit.record(entryOf(who, request, 'alert-channel.delete', id, detail));
  return { ok: true };
});
