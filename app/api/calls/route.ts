import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { callsFor } from '@/lib/auth/scope';

export const dynamic = 'force-dynamic';

const CallsQuery = z.object({
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});

/**
 * Newest calls, or with ?after=<event id> the calls changed since that id, oldest change first:
 * the asker's lines only, numbers as they may see them. People only: TVs view the board, they do
 * not page through the calls.
 */
export const GET = withUser('user', { query: CallsQuery }, async ({ who, query: { after, limit } }) => {
  const { queries } = getRuntime();
  const calls =
    after === undefined
      ? await queries.recentCalls(limit, who.lines)
      : await queries.callsAfter(after, limit, who.lines);
  return { calls: callsFor(calls, who) };
});
