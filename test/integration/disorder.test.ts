// Retries and disorder change nothing: a store fed shuffled, repeated, concurrent deliveries ends
// exactly where a store fed each event once, in order, does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import type { Database } from '@/lib/db/client';
import { Ingestor } from '@/lib/calls/ingest/queue';
import { createQueries } from '@/lib/calls/queries';
import { validateCallback } from '@/lib/callbacks/schema';
import { openTestDatabase } from '../helpers/db';
import { ROLLUP_ORDER } from '../helpers/rows';

type Fields = Record<string, string>;
interface Store {
  db: Database;
  ingest: Ingestor;
}
let inOrder: Store;
let disordered: Store;

async function store(): Promise<Store> {
  const db = await openTestDatabase();
  return { db, ingest: new Ingestor(db, { queueLimit: 100_000, batchSize: 16, publish: () => {} }) };
}
beforeAll(async () => {
  inOrder = await store();
  disordered = await store();
});
afterAll(async () => {
  await inOrder.db.close();
  await disordered.db.close();
});

function submit(s: Store, fields: Fields) {
  const v = validateCallback(fields);
  if (!v.ok) throw new Error(v.message);
  return s.ingest.submit(v.callback);
}

// One call's life as a provider reports it: every event carries the same parties, a later time,
// and (for some calls) a SequenceNumber; only the final event carries duration and MOS.
const callHistory = fc
  .record({
    steps: fc.subarray(['initiated', 'ringing', 'in-progress'], { minLength: 0 }),
    end: fc.constantFrom('completed', 'failed', 'busy', 'no-answer', 'canceled'),
    to: fc.constantFrom('+18005550100', '+18005550111', '+18005550122'),
    from: fc.constantFrom('+14155550100', '+16175550100'),
    startMinute: fc.integer({ min: 0, max: 600 }),
    duration: fc.integer({ min: 0, max: 3600 }),
    mos: fc.option(fc.integer({ min: 100, max: 450 }), { nil: null }),
    sequenced: fc.boolean(),
  })
  .map((c) => {
    const callSid = randomUUID();
    const statuses = [...c.steps, c.end];
    return statuses.map((status, i): Fields => ({
      CallSid: callSid,
      CallStatus: status,
      From: c.from,
      To: c.to,
      Timestamp: new Date(Date.UTC(2026, 2, 1) + c.startMinute * 60_000 + i * 5_000).toISOString(),
      ...(c.sequenced ? { SequenceNumber: String(i) } : {}),
      ...(i === statuses.length - 1
        ? {
            CallDuration: String(c.duration),
            ...(c.mos !== null ? { AudioInMos: (c.mos / 100).toFixed(2) } : {}),
          }
        : {}),
    }));
  });

async function state(s: Store) {
  const calls = await s.db.read.call.findMany({
    orderBy: { callSid: 'asc' },
    select: { callSid: true, status: true, from: true, to: true, startedAt: true, duration: true, mos: true },
  });
  const rollups = await s.db.read.rollup.findMany({ orderBy: [...ROLLUP_ORDER] });
  const { totals } = await createQueries(s.db, 1).snapshot();
  return { calls, rollups, totals };
}

describe('exact counts under retries and disorder', () => {
  it('matches a single in-order delivery, whatever the order, repetition and concurrency', async () => {
    let delivered = 0;
    let distinct = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(callHistory, { minLength: 1, maxLength: 12 }),
        fc.infiniteStream(fc.integer({ min: 1, max: 3 })),
        fc.func(fc.integer()),
        async (histories, copies, order) => {
          for (const events of histories) for (const e of events) await submit(inOrder, e);
          // Every event 1-3 times, all of them shuffled and in flight at once.
          const deliveries = histories
            .flat()
            .flatMap((e) => Array.from({ length: copies.next().value }, () => e));
          const shuffled = deliveries
            .map((e, i) => ({ e, k: order(i) }))
            .sort((a, b) => a.k - b.k)
            .map(({ e }) => e);
          await Promise.all(shuffled.map((e) => submit(disordered, e)));
          delivered += shuffled.length;
          distinct += histories.flat().length;
          expect(await state(disordered)).toEqual(await state(inOrder));
        },
      ),
      { numRuns: 40 },
    );
    const events = await disordered.db.read.callEvent.aggregate({ _count: true, _sum: { deliveries: true } });
    console.log(
      `disorder: ${delivered} deliveries of ${distinct} distinct events; stored ${events._count}, deliveries counted ${events._sum.deliveries}`,
    );
    expect(events._count).toBe(distinct);
    expect(events._sum.deliveries).toBe(delivered);
  });
});
