import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

/** What the store holds, its bytes on disk and its growth over the last 7 days (a StoreSize). */
export const GET = withUser('admin', {}, () => getRuntime().storeSize());
