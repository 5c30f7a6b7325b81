import { getRuntime } from '@/lib/runtime';
import { receiveCallback } from '@/lib/callbacks/webhook';

export const dynamic = 'force-dynamic';

export async function POST(req: Request) {
  const reply = await receiveCallback(req, getRuntime());
  return Response.json(reply.body, { status: reply.status, headers: reply.headers });
}
