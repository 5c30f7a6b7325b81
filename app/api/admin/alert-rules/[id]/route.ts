import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { changes, entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** Changes some of a rule's fields (snooze it with `snoozedUntil`, pause it with `enabled`). */
export const PATCH = withUser(
  'admin',
  { params: Params, body: z.record(z.string(), z.unknown()) },
  async ({ request, who, params: { id }, body }) => {
    const before = (await getRuntime().alerts.listRules()).find((r) => r.id === id);
    const rule = await getRuntime().alerts.updateRule(id, body);
    const detail = { name: rule.name, changes: changes(before ?? {}, rule) };
    await getRuntime().audit.record(entryOf(who, request, 'alert-rule.update', id, detail));
    return rule;
  },
);

/** Deletes a rule; its open alerts close without a notification. */
export const DELETE = withUser('admin', { params: Params }, async ({ request, who, params: { id } }) => {
  const rule = (await getRuntime().alerts.listRules()).find((r) => r.id === id);
  await getRuntime().alerts.deleteRule(id);
  const detail = { name: rule?.name, kind: rule?.kind };
  await getRuntime().audit.record(entryOf(who, request, 'alert-rule.delete', id, detail));
  return { ok: true };
});
