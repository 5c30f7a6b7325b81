import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

/**
 * The ingest health panel: webhook traffic over the last hour and when each line was last heard
 * (a line-scoped viewer's lines only; the traffic counts are the webhook's, no call in them).
 */
export const GET = withUser('viewer', {}, async ({ who }) => {
  const health = await getRuntime().queries.ingestHealth();
  const lines = who.lines;
  return lines ? { ...health, lines: health.lines.filter((l) => lines.includes(l.line)) } : health;
});
