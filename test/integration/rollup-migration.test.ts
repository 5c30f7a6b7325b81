// A store from before week rollup rows, upgraded: the migration that adds them sums them from the
// store's day rows, on either store (TEST_DB), exactly as ingest would have written them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '@/lib/db/client';
import { Ingestor } from '@/lib/calls/ingest/queue';
import { createQueries } from '@/lib/calls/queries';
import { validateCallback } from '@/lib/callbacks/schema';
import { ALL_TIME } from '@/lib/common/filter';
import { openTestDatabase } from '../helpers/db';

const MIGRATION = '20261130210000_week_rollups';
const LINES = ['+18005550100', '+18005550111'];
const FINAL = ['completed', 'completed', 'busy', 'no-answer', 'failed'];
const SIP: Record<string, string> = { busy: '486', 'no-answer': '480', failed: '503' };
// Wednesday 31 December 2025, 22:00 UTC: the calls cross days and the weeks that start on Thursdays.
const T0 = Date.UTC(2025, 11, 31, 22);

describe('the migration that adds week rollup rows', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('sums them from the day rows as ingest writes them', async () => {
    const ingest = new Ingestor(db, { queueLimit: 1_000, batchSize: 64, publish: () => {} });
    // 120 calls, one every 7 hours: five weeks of days, lines, statuses and SIP codes.
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => {
        const status = FINAL[i % FINAL.length]!;
        const v = validateCallback({
          CallSid: `CA-week-${i}`,
          CallStatus: status,
          From: `+1415555${String(1000 + i).padStart(4, '0')}`,
          To: LINES[i % LINES.length]!,
          Timestamp: new Date(T0 + i * 7 * 3_600_000).toISOString(),
          ...(status === 'completed'
            ? { CallDuration: String(30 + i), AudioInMos: (3 + (i % 15) / 10).toFixed(2) }
            : { SipResultCode: SIP[status]! }),
        });
        if (!v.ok) throw new Error(v.message);
        return ingest.submit(v.callback);
      }),
    );
    const weekRows = async () => ({
      rollups: await db.read.rollup.findMany({
        where: { resolution: 10080 },
        orderBy: [{ bucket: 'asc' }, { line: 'asc' }, { status: 'asc' }],
      }),
      failures: await db.read.failureRollup.findMany({
        where: { resolution: 10080 },
        orderBy: [{ bucket: 'asc' }, { line: 'asc' }, { status: 'asc' }, { sipCode: 'asc' }],
      }),
    });
    const written = await weekRows();
    expect(new Set(written.rollups.map((r) => r.bucket.toISOString()))).toEqual(
      new Set([
        '2025-12-25T00:00:00.000Z',
        '2026-01-01T00:00:00.000Z',
        '2026-01-08T00:00:00.000Z',
        '2026-01-15T00:00:00.000Z',
        '2026-01-22T00:00:00.000Z',
        '2026-01-29T00:00:00.000Z',
      ]),
    );
    expect(written.failures.length).toBeGreaterThan(0);
    const board = await createQueries(db, 10).snapshot(ALL_TIME, T0 + 60 * 86_400_000);

    // The store as it was before: no week rows.
    await db.write.rollup.deleteMany({ where: { resolution: 10080 } });
    await db.write.failureRollup.deleteMany({ where: { resolution: 10080 } });
    const sql = readFileSync(
      join(import.meta.dirname, '..', '..', 'prisma', db.provider, 'migrations', MIGRATION, 'migration.sql'),
      'utf8',
    );
    const statements = sql
      .replace(/--.*$/gm, '')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    expect(statements).toHaveLength(4);
    for (const s of statements) await db.write.$executeRawUnsafe(s);

    expect(await weekRows()).toEqual(written);
    expect((await createQueries(db, 10).snapshot(ALL_TIME, T0 + 60 * 86_400_000)).totals).toEqual(
      board.totals,
    );
  });
});
