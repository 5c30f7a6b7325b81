import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

const NewUser = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_.-]{2,64}$/, '2-64 letters, digits, dots, dashes or underscores'),
  name: z.string().trim().min(1, 'required').max(100),
  role: z.enum(['admin', 'supervisor']),
});

export const GET = withUser('admin', {}, async () => ({ users: await getRuntime().accounts.list() }));

export const POST = withUser('admin', { body: NewUser }, async ({ request, who, body }) => {
  const { id, password } = await getRuntime().accounts.create(body);
  await getRuntime().audit.record(entryOf(who, request, 'user.create', id, body));
  return json(201, { id, username: body.username, oneTimePassword: password });
});
