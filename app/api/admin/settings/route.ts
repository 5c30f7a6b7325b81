import { getRuntime } from '@/lib/runtime';
import { body, json, userOf } from '@/lib/auth/route';
import { boardSettingsSchema } from '@/lib/calls/settings';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  return json(200, await getRuntime().queries.settings());
}

/** Replaces the board's settings; every open board reloads with them. */
export async function PUT(request: Request) {
  const admin = userOf(request, 'admin');
  if (admin instanceof Response) return admin;
  const settings = await body(request, boardSettingsSchema);
  if (settings instanceof Response) return settings;
  const { recounted } = await getRuntime().saveSettings(settings);
  getRuntime().log.info({ by: admin.username, recounted }, 'board settings changed');
  return json(200, { settings, recounted });
}
