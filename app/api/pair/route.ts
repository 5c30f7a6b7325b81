import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { tvCookie } from '@/lib/auth/access';
import { json, withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Pair = z.object({ code: z.string().trim().min(4, 'enter the code shown to the admin').max(32) });

/** A TV trades a one-time pairing code for its long-lived cookie. */
export const POST = withUser('anyone', { body: Pair }, async ({ body }) => {
  const { accounts, config } = getRuntime();
  const tv = await accounts.wallboards.pair(body.code);
  if (!tv)
    return json(400, { error: 'code: unknown, used or expired; ask an admin for a new one', field: 'code' });
  const cookie = tvCookie(tv.secret, config.PUBLIC_URL?.startsWith('https://') ?? false);
  return json(200, { name: tv.name }, { 'Set-Cookie': cookie });
});
