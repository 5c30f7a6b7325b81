import { getRuntime } from '@/lib/runtime';
import { json } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

/** The ingest health panel: webhook traffic over the last hour and when each line was last heard. */
export async function GET() {
  return json(200, await getRuntime().queries.ingestHealth());
}
