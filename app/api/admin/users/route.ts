import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { accountError, body, json, userOf } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const NewUser = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_.-]{2,64}$/, '2-64 letters, digits, dots, dashes or underscores'),
  name: z.string().trim().min(1, 'required').max(100),
  role: z.enum(['admin', 'supervisor']),
});

export async function GET(request: Request) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  return json(200, { users: await getRuntime().accounts.list() });
}

export async function POST(request: Request) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  const input = await body(request, NewUser);
  if (input instanceof Response) return input;
  try {
    const { id, password } = await getRuntime().accounts.create(input);
    return json(201, { id, username: input.username, oneTimePassword: password });
  } catch (e) {
    return accountError(e);
  }
}
