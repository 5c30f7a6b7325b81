import { getRuntime } from '@/lib/runtime';
import { Dashboard } from '@/components/Dashboard';
import { signingNotice } from '@/lib/config';

export const dynamic = 'force-dynamic';

export default async function Page() {
  const { queries, config } = getRuntime();
  const snapshot = await queries.snapshot();
  return <Dashboard initial={snapshot} maxRows={config.DASHBOARD_ROWS} notice={signingNotice(config)} />;
}
