// The seed (npm run seed, and the benchmarks' stores) writes through the storage layer in batches
// far bigger than ingest's and makes no outcomes, since it publishes nothing. What it stores must
// be exactly what ingest stores for the same callbacks, on either store (TEST_DB).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/lib/db/client';
import { commitBatch } from '@/lib/calls/ingest/store';
import { validateCallback } from '@/lib/callbacks/schema';
import { seed } from '@/scripts/seed';
import { openTestDatabase, tempDatabaseUrl } from '../helpers/db';
import { FAILURE_ORDER, ROLLUP_ORDER } from '../helpers/rows';

const CALLS = 3_000;

/** Every row ingest writes, in an order that does not depend on how it was batched. */
async function contents(db: Database) {
  return {
    events: await db.read.callEvent.findMany({ orderBy: { id: 'asc' } }),
    calls: await db.read.call.findMany({ orderBy: { callSid: 'asc' } }),
    rollups: await db.read.rollup.findMany({ orderBy: [...ROLLUP_ORDER] }),
    failures: await db.read.failureRollup.findMany({ orderBy: [...FAILURE_ORDER] }),
    lines: await db.read.line.findMany({ orderBy: [{ line: 'asc' }, { direction: 'asc' }] }),
  };
}

describe('the seed', () => {
  let seeded: Database;
  let replayed: Database;
  beforeAll(async () => {
    const url = await tempDatabaseUrl();
    // Two days in batches of 1,000: calls of every status and line, spread over days and weeks.
    await seed(url, CALLS, 2, 1_000);
    seeded = await openTestDatabase(url);
    replayed = await openTestDatabase();
  }, 120_000);
  afterAll(async () => {
    await seeded?.close();
    await replayed?.close();
  });

  it('stores what ingest stores for the same callbacks', async () => {
    const before = await contents(seeded);
    expect(before.events).toHaveLength(CALLS);
    expect(before.calls).toHaveLength(CALLS);
    // The same callbacks, as received, through ingest's path in its batches, outcomes and all.
    for (let i = 0; i < before.events.length; i += 64) {
      const batch = before.events.slice(i, i + 64).map((e) => {
        const v = validateCallback(JSON.parse(e.raw) as Record<string, string>);
        if (!v.ok) throw new Error(`${v.field}: ${v.message}`);
        return { callback: v.callback, receivedAt: e.receivedAt };
      });
      const outcomes = await commitBatch(replayed, batch);
      expect(outcomes.map((o) => o.kind)).toEqual(batch.map(() => 'stored'));
    }
    const after = await contents(replayed);
    // Checked one table at a time, so a failure names the table.
    expect(after.events).toEqual(before.events);
    expect(after.calls).toEqual(before.calls);
    expect(after.rollups).toEqual(before.rollups);
    expect(after.failures).toEqual(before.failures);
    expect(after.lines).toEqual(before.lines);
    // Every resolution is there, each counting every call once.
    const counted = new Map<number, number>();
    for (const r of after.rollups) counted.set(r.resolution, (counted.get(r.resolution) ?? 0) + r.calls);
    expect(Object.fromEntries(counted)).toEqual({ 1: CALLS, 60: CALLS, 1440: CALLS, 10080: CALLS });
  });
});
