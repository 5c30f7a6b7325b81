import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** Acknowledges an open alert as the signed-in person: re-notification stops, boards go quiet. */
export const POST = withUser('user', { params: Params }, async ({ request, who, params: { id } }) => {
  const rt = getRuntime();
  const acknowledged = await rt.alerts.acknowledge(id, who.name || who.username, who.lines);
  if (acknowledged) rt.alertsChanged();
  if (acknowledged) await rt.audit.record(entryOf(who, request, 'alert.ack', id));
  return { ok: true, acknowledged };
});
