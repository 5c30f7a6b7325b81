import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { changes, entryOf } from '@/lib/ops/audit';
import { boardSettingsSchema } from '@/lib/common/settings';

export const dynamic = 'force-dynamic';

export const GET = withUser('admin', {}, () => getRuntime().queries.settings());

/** Replaces the board's settings; every open board reloads with them. */
export const PUT = withUser(
  'admin',
  { body: boardSettingsSchema },
  async ({ request, who, body: settings }) => {
    const before = await getRuntime().queries.settings();
    const { recounted } = await getRuntime().saveSettings(settings);
    const detail = { changes: changes(before, settings) };
    await getRuntime().audit.record(entryOf(who, request, 'settings.save', null, detail));
    getRuntime().log.info({ by: who.username, recounted }, 'board settings changed');
    return { settings, recounted };
  },
);
