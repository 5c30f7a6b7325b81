import { getRuntime } from '@/lib/runtime';
import { json, withUser } from '@/lib/auth/route';
import { channelInputSchema } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

/** The alert channels, their secrets left out. */
export const GET = withUser('admin', {}, async () => ({
  channels: await getRuntime().alerts.listChannels(),
}));

export const POST = withUser('admin', { body: channelInputSchema }, async ({ body }) =>
  json(201, await getRuntime().alerts.createChannel(body.name, body.config)),
);
