import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

/**
 * The benchmark's reference: a route handler that reads the body and does nothing else, so
 * `npm run bench` can set the webhook beside the framework's own ceiling. 404 unless BENCH_ROUTES=on.
 */
export async function POST(req: Request) {
  if (getRuntime().config.BENCH_ROUTES !== 'on')
    return Response.json({ error: 'not found' }, { status: 404 });
  await req.arrayBuffer();
  return Response.json({ ok: true });
}
