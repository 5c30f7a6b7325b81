import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

/** The ingest health panel: webhook traffic over the last hour and when each line was last heard. */
export const GET = withUser('viewer', {}, () => getRuntime().queries.ingestHealth());
