// A stored setting that cannot be read (a hand edit, a bad restore) never keeps the server from
// starting: it says which row in the log and runs on the defaults.
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { tempDatabaseUrl, withStore } from '../helpers/db';
import { DEFAULT_SETTINGS } from '@/lib/common/settings';

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('a corrupt settings row', () => {
  it('is named in the log, and the server starts on the defaults', async () => {
    const databaseUrl = await tempDatabaseUrl();
    server = await startServer({ databaseUrl, signIn: false });
    expect(await server.stop()).toBe(0);
    await withStore(databaseUrl, async (db) => {
      for (const [key, value] of [
        ['board', '{"timeZone": "Europe/London", '],
        ['rollup.mosLimits', '"four bounds"'],
      ]) {
        await db.write.setting.upsert({
          where: { key: key! },
          create: { key: key!, value: value! },
          update: { value },
        });
      }
    });
    server = await startServer({ databaseUrl });
    const warnings = server.logs.filter((l) => l.includes('a stored setting is unreadable'));
    expect(warnings.join('\n')).toContain('Setting \\"board\\": not a JSON object');
    expect(warnings.join('\n')).toContain('Setting \\"rollup.mosLimits\\"');
    expect(await (await server.get('/api/admin/settings')).json()).toEqual(DEFAULT_SETTINGS);
    expect((await server.get('/api/dashboard')).status).toBe(200);
  });
});
