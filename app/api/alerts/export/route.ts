import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { alertQuerySchema, alertsCsv } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

/** The alert history as CSV, for the same filter as GET /api/alerts. */
export const GET = withUser('user', { query: alertQuerySchema }, async ({ query }) => {
  const rows = await getRuntime().alerts.listAlerts({
    from: query.from,
    to: query.to,
    rule: query.rule,
    limit: 10_000,
  });
  return new Response(alertsCsv(rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="alerts.csv"',
      'Cache-Control': 'no-store',
    },
  });
});
