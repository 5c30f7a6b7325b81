import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { TV_COOKIE } from '@/lib/auth/access';
import { body, json } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Pair = z.object({ code: z.string().trim().min(4, 'enter the code shown to the admin').max(32) });

/** A TV trades a one-time pairing code for its long-lived cookie. */
export async function POST(request: Request) {
  const input = await body(request, Pair);
  if (input instanceof Response) return input;
  const { accounts, config } = getRuntime();
  const tv = await accounts.wallboards.pair(input.code);
  if (!tv)
    return json(400, { error: 'code: unknown, used or expired; ask an admin for a new one', field: 'code' });
  const secure = config.PUBLIC_URL?.startsWith('https://') ? '; Secure' : '';
  // 400 days is the longest a browser keeps a cookie; every board load renews it (see the gate).
  const cookie = `${TV_COOKIE}=${tv.secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${400 * 86400}${secure}`;
  return json(200, { name: tv.name }, { 'Set-Cookie': cookie });
}
