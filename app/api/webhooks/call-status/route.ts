import { getRuntime } from '@/lib/runtime';
import { receiveCallback } from '@/lib/callbacks/webhook';

export const dynamic = 'force-dynamic';

async function callback(req: Request) {
  const reply = await receiveCallback(req, getRuntime());
  return Response.json(reply.body, { status: reply.status, headers: reply.headers });
}

/** Form or JSON bodies, as the providers send by default. */
export const POST = callback;

/** Status callbacks set to GET: the fields arrive in the query string, under the same signature. */
export const GET = callback;

/** Without this, Next.js would answer HEAD by running GET, which would store the callback. */
export function HEAD() {
  return new Response(null, { status: 405, headers: { Allow: 'GET, POST' } });
}
