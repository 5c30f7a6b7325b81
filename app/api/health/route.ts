import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    await getRuntime().queries.ping();
    return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
  } catch {
    return Response.json({ status: 'error', error: 'database unreachable' }, { status: 503 });
  }
}
