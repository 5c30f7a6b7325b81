import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { boardSettingsSchema } from '@/lib/common/settings';

export const dynamic = 'force-dynamic';

export const GET = withUser('admin', {}, () => getRuntime().queries.settings());

/** Replaces the board's settings; every open board reloads with them. */
export const PUT = withUser('admin', { body: boardSettingsSchema }, async ({ who, body: settings }) => {
  const { recounted } = await getRuntime().saveSettings(settings);
  getRuntime().log.info({ by: who.username, recounted }, 'board settings changed');
  return { settings, recounted };
});
