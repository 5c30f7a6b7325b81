import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { getRuntime } from '@/lib/runtime';
import { principalFromHeaders } from '@/lib/auth/access';
import { AdminPanel } from '@/components/AdminPanel';
import { SettingsForm } from '@/components/SettingsForm';
import { PrivacyForm } from '@/components/PrivacyForm';
import { pickLocale } from '@/lib/common/format';

export default async function AdminPage() {
  const requestHeaders = await headers();
  const principal = principalFromHeaders(requestHeaders);
  // The gate already requires an admin; this page does not rely on it alone.
  if (principal?.kind !== 'user' || principal.role !== 'admin') notFound();
  const { accounts, queries, privacy, retentionStatus } = getRuntime();
  const [users, wallboards, settings, privacySettings, retention] = await Promise.all([
    accounts.list(),
    accounts.wallboards.list(),
    queries.settings(),
    privacy(),
    retentionStatus(),
  ]);
  return (
    <AdminPanel
      me={principal.userId}
      locale={pickLocale(requestHeaders.get('accept-language'))}
      zone={settings.timeZone}
      initialUsers={users}
      initialWallboards={wallboards}
      settings={<SettingsForm initial={settings} />}
      privacy={<PrivacyForm initial={privacySettings} status={retention} />}
    />
  );
}
