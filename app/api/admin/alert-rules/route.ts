import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { ruleInputSchema } from '@/lib/common/alert-rules';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

export const GET = withUser('admin', {}, async () => ({ rules: await getRuntime().alerts.listRules() }));

export const POST = withUser('admin', { body: ruleInputSchema }, async ({ request, who, body }) => {
  const rule = await getRuntime().alerts.createRule(body);
  await getRuntime().audit.record(entryOf(who, request, 'alert-rule.create', rule.id, body));
  return json(201, rule);
});
