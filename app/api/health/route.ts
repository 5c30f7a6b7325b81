import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

/** For balancers and monitors: ok, or 503 when the store cannot be reached. Says nothing else. */
export const GET = withUser('anyone', {}, async () => {
  try {
    await getRuntime().queries.ping();
    return { status: 'ok' };
  } catch {
    return json(503, { status: 'error', error: 'database unreachable' });
  }
});
