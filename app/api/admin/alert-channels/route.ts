import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { channelInputSchema } from '@/lib/alerts/service';
import { entryOf } from '@/lib/ops/audit';

export const dynamic = 'force-dynamic';

/** The alert channels, their secrets left out. */
export const GET = withUser('admin', {}, async () => ({
  channels: await getRuntime().alerts.listChannels(),
}));

export const POST = withUser('admin', { body: channelInputSchema }, async ({ request, who, body }) => {
  const channel = await getRuntime().alerts.createChannel(body.name, body.config);
  // As the list shows it, never its config: a webhook's secret, a Slack or Teams URL's token.
  const { id, name, kind, describe } = channel;
  const detail = { name, kind, describe };
  await getRuntime().audit.record(entryOf(who, request, 'alert-channel.create', id, detail));
  return json(201, channel);
});
