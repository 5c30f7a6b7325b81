import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

/** Everything the board shows, as of one event id: first load and catching up after a reconnect. */
export async function GET() {
  const snapshot = await getRuntime().queries.snapshot();
  return Response.json(snapshot, { headers: { 'Cache-Control': 'no-store' } });
}
