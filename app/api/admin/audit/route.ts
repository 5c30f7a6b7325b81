import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { auditQuerySchema } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

/**
 * The audit log, newest first, a page at a time: `from`/`to` (epoch ms), `action`, `user` (a
 * username), `page` and `limit`; with the number of entries matching in all.
 */
export const GET = withUser('admin', { query: auditQuerySchema }, ({ query }) =>
  getRuntime().audit.list(query),
);
