import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { entryOf } from '@/lib/ops/audit';

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
    const { accounts, audit } = getRuntime();
    const user = (await accounts.list()).find((u) => u.id === params.id);
    if ('role' in body) {
      await accounts.setRole(params.id, body.role, who.userId, request.headers);
      const role = { from: user?.role ?? null, to: body.role };
      await audit.record(entryOf(who, request, 'user.role', params.id, { username: user?.username, role }));
      return { ok: true };
    }
    const { password } = await accounts.resetPassword(params.id, request.headers);
    await audit.record(entryOf(who, request, 'user.password-reset', params.id, { username: user?.username }));
    return { oneTimePassword: password };
  },
);

export const DELETE = withUser('admin', { params: Params }, async ({ request, who, params }) => {
  const user = (await getRuntime().accounts.list()).find((u) => u.id === params.id);
  await getRuntime().accounts.remove(params.id, who.userId, request.headers);
  const detail = { username: user?.username, role: user?.role };
  await getRuntime().audit.record(entryOf(who, request, 'user.delete', params.id, detail));
  return { ok: true };
});
