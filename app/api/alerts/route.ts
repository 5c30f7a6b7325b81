import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { alertQuerySchema } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

/**
 * Alerts, newest first: the open ones (?open=1), or the history (?from=&to= epoch ms, ?rule=). A
 * paired TV gets the open ones only, whatever it asks.
 */
export const GET = withUser('viewer', { query: alertQuerySchema }, async ({ who, query }) => {
  const alerts = getRuntime().alerts;
  if (who.kind === 'tv') {
    // What its screen shows, no more: not where notifications went or how their delivery failed.
    const open = await alerts.listAlerts({ open: true, lines: who.lines });
    return { alerts: open.map((a) => ({ ...a, notifications: [] })) };
  }
  if (query.open) return { alerts: await alerts.listAlerts({ open: true, lines: who.lines }) };
  return {
    alerts: await alerts.listAlerts({ from: query.from, to: query.to, rule: query.rule, lines: who.lines }),
  };
});
