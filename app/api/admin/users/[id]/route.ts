import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { accountError, body, json, userOf } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Change = z.union([
  z.object({ role: z.enum(['admin', 'supervisor']) }).strict(),
  z.object({ resetPassword: z.literal(true) }).strict(),
]);

export async function PATCH(request: Request, ctx: { params: Promise<{ id: string }> }) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  const input = await body(request, Change);
  if (input instanceof Response) return input;
  const { id } = await ctx.params;
  const { accounts } = getRuntime();
  try {
    if ('role' in input) {
      await accounts.setRole(id, input.role, admin.userId, request.headers);
      return json(200, { ok: true });
    }
    const { password } = await accounts.resetPassword(id, request.headers);
    return json(200, { oneTimePassword: password });
  } catch (e) {
    return accountError(e);
  }
}

export async function DELETE(request: Request, ctx: { params: Promise<{ id: string }> }) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  const { id } = await ctx.params;
  try {
    await getRuntime().accounts.remove(id, admin.userId, request.headers);
    return json(200, { ok: true });
  } catch (e) {
    return accountError(e);
  }
}
