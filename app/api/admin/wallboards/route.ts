import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { pairing } from '@/lib/auth/pairing';
import { body, json, userOf } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

const NewWallboard = z.object({ name: z.string().trim().min(1, 'required').max(80) });

export async function GET(request: Request) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  return json(200, { wallboards: await getRuntime().accounts.wallboards.list() });
}

export async function POST(request: Request) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  const input = await body(request, NewWallboard);
  if (input instanceof Response) return input;
  const { id, code, expiresAt } = await getRuntime().accounts.wallboards.create(input.name, admin.userId);
  return json(201, {
    id,
    name: input.name,
    ...(await pairing(request, getRuntime().config, code, expiresAt)),
  });
}
