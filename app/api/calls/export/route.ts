import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function GET() {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new Response(getRuntime().exportCsv(), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="calls-${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
