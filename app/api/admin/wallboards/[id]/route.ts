import { getRuntime } from '@/lib/runtime';
import { accountError, json, userOf } from '@/lib/auth/route';
import { pairing } from '@/lib/auth/pairing';

export const dynamic = 'force-dynamic';

/** A new pairing code for this wallboard (a replaced TV, an expired code). */
export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  const { id } = await ctx.params;
  try {
    const renewed = await getRuntime().accounts.renewWallboard(id);
    return json(200, {
      id,
      ...(await pairing(request, getRuntime().config, renewed.code, renewed.expiresAt)),
    });
  } catch (e) {
    return accountError(e);
  }
}

/** Revokes the wallboard: its TV is signed out and its live connection closed. */
export async function DELETE(request: Request, ctx: { params: Promise<{ id: string }> }) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  const { id } = await ctx.params;
  try {
    await getRuntime().accounts.revokeWallboard(id);
  } catch (e) {
    return accountError(e);
  }
  return json(200, { ok: true });
}
