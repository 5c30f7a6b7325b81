import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { auditQuerySchema, entryOf, rangeDetail } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

/** The audit log as CSV, for the same filters as GET /api/admin/audit (every page, newest first). */
export const GET = withUser('admin', { query: auditQuerySchema }, async ({ request, who, query }) => {
  const rt = getRuntime();
  const { text, rows } = await rt.audit.csv(query);
  const filter = { ...rangeDetail(query), action: query.action ?? null, user: query.user ?? null };
  await rt.audit.record(entryOf(who, request, 'audit.export', null, { ...filter, rows }));
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return new Response(text, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit_${stamp}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
});
