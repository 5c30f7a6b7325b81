import { getRuntime } from '@/lib/runtime';
import { Dashboard } from '@/components/Dashboard';
import { signingNotice } from '@/lib/config';
import { headers } from 'next/headers';
import { principalFromHeaders } from '@/lib/auth/access';

export const dynamic = 'force-dynamic';

export default async function Page() {
  const { queries, config } = getRuntime();
  const principal = principalFromHeaders(await headers());
  const snapshot = await queries.snapshot();
  const viewer =
    principal?.kind === 'user'
      ? { kind: 'user' as const, name: principal.name, admin: principal.role === 'admin' }
      : { kind: 'tv' as const, name: principal?.name ?? '', admin: false };
  return (
    <Dashboard
      initial={snapshot}
      maxRows={config.DASHBOARD_ROWS}
      // The webhook's configuration is for the people who run the board, not for the TV.
      notice={viewer.kind === 'user' ? signingNotice(config) : null}
      viewer={viewer}
    />
  );
}
