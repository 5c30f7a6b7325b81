import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { ruleInputSchema } from '@/lib/common/alert-rules';

export const dynamic = 'force-dynamic';

export const GET = withUser('admin', {}, async () => ({ rules: await getRuntime().alerts.listRules() }));

export const POST = withUser('admin', { body: ruleInputSchema }, async ({ body }) =>
  json(201, await getRuntime().alerts.createRule(body)),
);
