import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { pairing } from '@/lib/auth/pairing';
import { json, withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

const NewWallboard = z.object({ name: z.string().trim().min(1, 'required').max(80) });

export const GET = withUser('admin', {}, async () => ({
  wallboards: await getRuntime().accounts.wallboards.list(),
}));

export const POST = withUser('admin', { body: NewWallboard }, async ({ request, who, body }) => {
  const { id, code, expiresAt } = await getRuntime().accounts.wallboards.create(body.name, who.userId);
  // Never the pairing code: it signs a TV in.
  await getRuntime().audit.record(entryOf(who, request, 'wallboard.create', id, body));
  return json(201, {
    id,
    name: body.name,
    ...(await pairing(request, getRuntime().config, code, expiresAt)),
  });
});
