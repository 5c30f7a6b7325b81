import { getRuntime } from '@/lib/runtime';
import { bearerMatches } from '@/lib/ops/metrics';

export const dynamic = 'force-dynamic';

/**
 * This instance's metrics in Prometheus' text format. Off (404) unless METRICS_TOKEN is set; then
 * only for `Authorization: Bearer <METRICS_TOKEN>`.
 */
export async function GET(request: Request) {
  const { metrics, config } = getRuntime();
  if (!metrics || !config.METRICS_TOKEN) return Response.json({ error: 'not found' }, { status: 404 });
  if (!bearerMatches(request.headers.get('authorization'), config.METRICS_TOKEN)) {
    return Response.json(
      { error: 'the metrics need Authorization: Bearer <METRICS_TOKEN>' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } },
    );
  }
  const { body, contentType } = await metrics.scrape();
  return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
}
