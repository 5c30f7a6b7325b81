import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** Sends a test notification now: `{ ok }`, or the receiver's error in `error`. */
export const POST = withUser('admin', { params: Params }, async ({ request, who, params: { id } }) => {
  const rt = getRuntime();
  const result = await rt.testChannel(await rt.alerts.channelConfig(id));
  const { name, kind } = (await rt.alerts.listChannels()).find((c) => c.id === id) ?? {};
  const detail = { name, kind, ok: result.ok, status: result.status ?? null, error: result.error ?? null };
  await rt.audit.record(entryOf(who, request, 'alert-channel.test', id, detail));
  return { ok: result.ok, status: result.status ?? null, error: result.error ?? null };
});
