import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });
const Change = z.union([
  z.object({ role: z.enum(['admin', 'supervisor']) }).strict(),
  z.object({ resetPassword: z.literal(true) }).strict(),
]);

export const PATCH = withUser(
  'admin',
  { params: Params, body: Change },
  async ({ request, who, params, body }) => {
    const { accounts } = getRuntime();
    if ('role' in body) {
      await accounts.setRole(params.id, body.role, who.userId, request.headers);
      return { ok: true };
    }
    const { password } = await accounts.resetPassword(params.id, request.headers);
    return { oneTimePassword: password };
  },
);

export const DELETE = withUser('admin', { params: Params }, async ({ request, who, params }) => {
  await getRuntime().accounts.remove(params.id, who.userId, request.headers);
  return { ok: true };
});
