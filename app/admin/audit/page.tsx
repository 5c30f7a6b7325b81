import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { getRuntime } from '@/lib/runtime';
import { principalFromHeaders } from '@/lib/auth/access';
import { pickLocale } from '@/lib/common/format';
import { AUDIT_PAGE_SIZE } from '@/lib/common/audit';
import { AuditLog } from '@/components/AuditLog';

export const dynamic = 'force-dynamic';

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The audit log: who signed in, exported or changed what, from where; filters, pages and CSV. */
export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const requestHeaders = await headers();
  const principal = principalFromHeaders(requestHeaders);
  // The gate already requires an admin; this page does not rely on it alone.
  if (principal?.kind !== 'user' || principal.role !== 'admin') notFound();
  const params = await searchParams;
  const page = Number(one(params.page));
  const filter = {
    from: DAY.test(one(params.from)) ? one(params.from) : '',
    to: DAY.test(one(params.to)) ? one(params.to) : '',
    action: one(params.action).slice(0, 64),
    user: one(params.user).trim().slice(0, 100),
    page: Number.isInteger(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
  // Dates are days in the viewer's zone, which only the browser knows: with dates in the link the
  // page fetches its entries once it has loaded.
  const dated = filter.from !== '' || filter.to !== '';
  const entries = dated
    ? null
    : await getRuntime().audit.list({
        action: filter.action || undefined,
        user: filter.user || undefined,
        page: filter.page,
        limit: AUDIT_PAGE_SIZE,
      });
  return (
    <AuditLog
      viewer={{ kind: 'user', name: principal.name, admin: true, lines: null, numbers: 'full' }}
      locale={pickLocale(requestHeaders.get('accept-language'))}
      initialFilter={filter}
      initialPage={entries}
    />
  );
}
