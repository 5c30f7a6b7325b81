import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** Changes some of a rule's fields (snooze it with `snoozedUntil`, pause it with `enabled`). */
export const PATCH = withUser(
  'admin',
  { params: Params, body: z.record(z.string(), z.unknown()) },
  async ({ params: { id }, body }) => getRuntime().alerts.updateRule(id, body),
);

/** Deletes a rule; its open alerts close without a notification. */
export const DELETE = withUser('admin', { params: Params }, async ({ params: { id } }) => {
  await getRuntime().alerts.deleteRule(id);
  return { ok: true };
});
