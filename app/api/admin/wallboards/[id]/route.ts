import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { pairing } from '@/lib/auth/pairing';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1) });

/** A new pairing code for this wallboard (a replaced TV, an expired code). */
export const POST = withUser('admin', { params: Params }, async ({ request, who, params: { id } }) => {
  const renewed = await getRuntime().accounts.renewWallboard(id);
  const tv = (await getRuntime().accounts.wallboards.list()).find((w) => w.id === id);
  await getRuntime().audit.record(entryOf(who, request, 'wallboard.renew', id, { name: tv?.name }));
  return { id, ...(await pairing(request, getRuntime().config, renewed.code, renewed.expiresAt)) };
});

/** Revokes the wallboard: its TV is signed out and its live connection closed. */
export const DELETE = withUser('admin', { params: Params }, async ({ request, who, params: { id } }) => {
  await getRuntime().accounts.revokeWallboard(id);
  const tv = (await getRuntime().accounts.wallboards.list()).find((w) => w.id === id);
  await getRuntime().audit.record(entryOf(who, request, 'wallboard.revoke', id, { name: tv?.name }));
  return { ok: true };
});
