import { getRuntime } from '@/lib/runtime';
import { userOf } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  // TVs view the board but never take the numbers away in bulk.
  const user = userOf(request);
  if (user instanceof Response) return user;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(getRuntime().exportCsv(), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="calls-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
