import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/auth';
import { accountError, body, userOf } from '@/lib/auth/route';

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
  let setCookie: string[];
  try {
    ({ setCookie } = await getRuntime().accounts.changeOwnPassword(
      user.userId,
      input.currentPassword,
      input.newPassword,
      request.headers,
    ));
  } catch (e) {
    return accountError(e);
  }
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  for (const c of setCookie) headers.append('Set-Cookie', c);
  return Response.json({ ok: true }, { headers });
}
