import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { getRuntime } from '@/lib/runtime';
import { principalFromHeaders } from '@/lib/auth/access';
import { pickLocale } from '@/lib/common/format';
import { AlertHistory } from '@/components/AlertHistory';

export const dynamic = 'force-dynamic';

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The alert history; `?alert=<id>` (the link in notifications) picks out one alert. */
export default async function AlertsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const requestHeaders = await headers();
  const principal = principalFromHeaders(requestHeaders);
  // The gate already keeps visitors and TVs out; this page does not rely on it alone.
  if (principal?.kind !== 'user') notFound();
  const params = await searchParams;
  const filter = {
    from: DAY.test(one(params.from)) ? one(params.from) : '',
    to: DAY.test(one(params.to)) ? one(params.to) : '',
    rule: one(params.rule).slice(0, 100),
  };
  const { alerts, queries } = getRuntime();
  const [settings, allRules] = await Promise.all([queries.settings(), alerts.listRules()]);
  // A line-scoped person sees the rules and alerts of their lines only.
  const lines = principal.lines;
  const rules = lines ? allRules.filter((r) => r.line !== null && lines.includes(r.line)) : allRules;
  // Dates are days in the board's zone, else the browser's, which only the browser knows: with
  // dates in the link the page fetches its rows once it has loaded.
  const dated = filter.from !== '' || filter.to !== '';
  const rows = dated
    ? null
    : await alerts.listAlerts({ ...(filter.rule ? { rule: filter.rule } : {}), lines });
  return (
    <AlertHistory
      viewer={{
        kind: 'user',
        name: principal.name,
        admin: principal.role === 'admin',
        lines: principal.lines,
        numbers: principal.numbers,
      }}
      locale={pickLocale(requestHeaders.get('accept-language'))}
      zone={settings.timeZone}
      rules={rules.map((r) => ({ id: r.id, name: r.name }))}
      initialFilter={filter}
      initialAlerts={rows}
      highlight={one(params.alert) || null}
    />
  );
}
