import { headers } from 'next/headers';
import { getRuntime } from '@/lib/runtime';
import { principalFromHeaders } from '@/lib/auth/access';
import { AdminPanel } from '@/components/AdminPanel';

export default async function AdminPage() {
  const principal = principalFromHeaders(await headers());
  const { accounts } = getRuntime();
  const [users, wallboards] = await Promise.all([accounts.list(), accounts.wallboards.list()]);
  return (
    <AdminPanel
      me={principal?.kind === 'user' ? principal.userId : ''}
      initialUsers={users}
      initialWallboards={wallboards}
    />
  );
}
