import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/auth';
import { accountError, body, tooMany, userOf } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const Change = z.object({
  currentPassword: z.string().min(1, 'required'),
  newPassword: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(256),
});

export async function POST(request: Request) {
  const user = userOf(request);
  if (user instanceof Response) return user;
  const input = await body(request, Change);
  if (input instanceof Response) return input;
  const { accounts, limits } = getRuntime();
  // Whoever holds a stolen session cookie must not learn the password behind it by guessing.
  const verdict = await limits.passwordChangeStarted(user.userId);
  if (!verdict.ok) return tooMany(verdict.retryAfterSeconds, 'too many wrong current passwords');
  let setCookie: string[];
  try {
    ({ setCookie } = await accounts.changeOwnPassword(
      user.userId,
      input.currentPassword,
      input.newPassword,
      request.headers,
    ));
  } catch (e) {
    const wrongCurrent =
      e instanceof Error && e.name === 'AccountError' && 'field' in e && e.field === 'currentPassword';
    if (!wrongCurrent) await limits.passwordChangeUnchecked(user.userId);
    return accountError(e);
  }
  await limits.passwordChangeSucceeded(user.userId);
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  for (const c of setCookie) headers.append('Set-Cookie', c);
  return Response.json({ ok: true }, { headers });
}
