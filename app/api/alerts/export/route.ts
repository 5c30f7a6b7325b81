import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { alertQuerySchema, alertsCsv } from '@/lib/alerts/service';
import { entryOf, rangeDetail } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

/** The alert history as CSV, for the same filter as GET /api/alerts. */
export const GET = withUser('user', { query: alertQuerySchema }, async ({ request, who, query }) => {
  const rows = await getRuntime().alerts.listAlerts({
    from: query.from,
    to: query.to,
    rule: query.rule,
    limit: 10_000,
    lines: who.lines,
  });
  const detail = { ...rangeDetail(query), rule: query.rule ?? null, rows: rows.length };
  await getRuntime().audit.record(entryOf(who, request, 'alerts.export', null, detail));
  return new Response(alertsCsv(rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': 'attachment; filename="alerts.csv"',
      'Cache-Control': 'no-store',
    },
  });
});
