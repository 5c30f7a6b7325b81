import { getRuntime } from '@/lib/runtime';
import { withUser } from '@/lib/auth/route';
import { changes, entryOf } from '@/lib/ops/audit';
import { privacySettingsSchema } from '@/lib/common/privacy';

export const dynamic = 'force-dynamic';

/** Who sees callers' numbers, how long calls are kept, how long the audit log is kept. */
export const GET = withUser('admin', {}, () => getRuntime().privacy());

/** Replaces the privacy settings; every open board is checked again and reloads with them. */
export const PUT = withUser('admin', { body: privacySettingsSchema }, async ({ who, request, body }) => {
  const rt = getRuntime();
  const before = await rt.privacy();
  await rt.savePrivacy(body);
  await rt.audit.record(entryOf(who, request, 'privacy.save', null, changes(before, body)));
  return body;
});
