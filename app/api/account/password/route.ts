import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/auth';
import { tooMany, withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Change = z.object({
  currentPassword: z.string().min(1, 'required'),
  newPassword: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(256),
});

export const POST = withUser('user', { body: Change }, async ({ request, who, body }) => {
  const { accounts, limits } = getRuntime();
  // Whoever holds a stolen session cookie must not learn the password behind it by guessing.
  const verdict = await limits.passwordChangeStarted(who.userId);
  if (!verdict.ok) return tooMany(verdict.retryAfterSeconds, 'too many wrong current passwords');
  let setCookie: string[];
  try {
    ({ setCookie } = await accounts.changeOwnPassword(
      who.userId,
      body.currentPassword,
      body.newPassword,
      request.headers,
    ));
  } catch (e) {
    const wrongCurrent =
      e instanceof Error && e.name === 'AccountError' && 'field' in e && e.field === 'currentPassword';
    if (!wrongCurrent) await limits.passwordChangeUnchecked(who.userId);
    throw e;
  }
  await limits.passwordChangeSucceeded(who.userId);
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  for (const c of setCookie) headers.append('Set-Cookie', c);
  return Response.json({ ok: true }, { headers });
});
