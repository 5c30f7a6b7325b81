// The store itself: a real SQLite file, the real migrations, the real ingest queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Database } from '@/lib/db/client';
import { Ingestor } from '@/lib/calls/ingest/queue';
import { commitBatch } from '@/lib/calls/ingest/store';
import { LOCK_INGEST } from '@/lib/calls/rollup';
import { createQueries } from '@/lib/calls/queries';
import { validateCallback, type Callback } from '@/lib/callbacks/schema';
import { CALL_STATUSES } from '@/lib/common/status';
import { addTally, contribution, emptyTally } from '@/lib/common/tally';
import type { CallUpdate } from '@/lib/common/types';
import { openTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/wait';

let db: Database;
let ingest: Ingestor;
const published: CallUpdate[] = [];

function cb(fields: Record<string, string>): Callback {
  const v = validateCallback(fields);
  if (!v.ok) throw new Error(v.message);
  return v.callback;
}

beforeAll(async () => {
  db = await openTestDatabase();
  ingest = new Ingestor(db, { queueLimit: 10_000, batchSize: 64, publish: (u) => published.push(...u) });
});
afterAll(() => db.close());

describe('ingest', () => {
  it('stores a callback once however often it is delivered, even concurrently', async () => {
    const sid = randomUUID();
    const fields = { CallSid: sid, CallStatus: 'completed', CallDuration: '60', AudioInMos: '4.1' };
    const outcomes = await Promise.all([1, 2, 3].map(() => ingest.submit(cb(fields))));
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['duplicate', 'duplicate', 'stored']);
    expect(await db.read.call.count({ where: { callSid: sid } })).toBe(1);
    const event = await db.read.callEvent.findUniqueOrThrow({
      where: { callSid_status: { callSid: sid, status: 'completed' } },
    });
    expect(event.deliveries).toBe(3);
  });

  it('never lets an earlier status arriving late overwrite a terminal one', async () => {
    const sid = randomUUID();
    await ingest.submit(cb({ CallSid: sid, CallStatus: 'completed', CallDuration: '30' }));
    const late = await ingest.submit(cb({ CallSid: sid, CallStatus: 'ringing' }));
    expect(late.kind).toBe('late');
    const call = await db.read.call.findUniqueOrThrow({ where: { callSid: sid } });
    expect(call.status).toBe('completed');
    expect(call.duration).toBe(30);
  });

  it('keeps every raw field, known or not', async () => {
    const sid = randomUUID();
    await ingest.submit(cb({ CallSid: sid, CallStatus: 'failed', HangupBy: '+15550001111' }));
    const event = await db.read.callEvent.findFirstOrThrow({ where: { callSid: sid } });
    expect(JSON.parse(event.raw)).toEqual({ CallSid: sid, CallStatus: 'failed', HangupBy: '+15550001111' });
  });

  it('publishes each change after commit with an increasing id', async () => {
    published.length = 0;
    const sids = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all(sids.map((s) => ingest.submit(cb({ CallSid: s, CallStatus: 'completed' }))));
    expect(published.map((u) => u.call.callSid).sort()).toEqual([...sids].sort());
    const ids = published.map((u) => u.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    for (const u of published) {
      const stored = await db.read.call.findUniqueOrThrow({ where: { callSid: u.call.callSid } });
      expect(stored.eventId).toBe(u.id);
    }
  });

  // On PostgreSQL a batch's event ids are taken from the sequence before its events are written:
  // each must be the id of the very callback it is given for, in the store and in what is published.
  it('gives each callback of a batch the id its stored event has, and each call its last event', async () => {
    const calls = Array.from({ length: 5 }, () => randomUUID());
    const statuses = ['ringing', 'in-progress', 'completed'];
    const batch = calls.flatMap((sid, c) =>
      statuses.slice(0, 1 + (c % 3)).map((status, i) => ({
        callback: cb({ CallSid: sid, CallStatus: status, SequenceNumber: String(i) }),
        receivedAt: new Date(Date.UTC(2026, 2, 4, 8, c, i)),
      })),
    );
    // A retry of the first callback in the same batch: no new event, so one id fewer used.
    batch.push({ ...batch[0]! });
    const outcomes = await commitBatch(db, batch);
    expect(outcomes.map((o) => o.kind)).toEqual([...batch.slice(0, -1).map(() => 'stored'), 'duplicate']);
    const events = await db.read.callEvent.findMany({ where: { callSid: { in: calls } } });
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(events).toHaveLength(batch.length - 1);
    for (const [i, o] of outcomes.entries()) {
      if (o.kind === 'duplicate') continue;
      const { callSid, status } = batch[i]!.callback;
      expect(byId.get(o.eventId), `${callSid} ${status}`).toMatchObject({ callSid, status });
      if (o.update) expect(o.update.id).toBe(o.eventId);
    }
    for (const call of await db.read.call.findMany({ where: { callSid: { in: calls } } })) {
      expect(byId.get(call.eventId)).toMatchObject({ callSid: call.callSid, status: call.status });
    }
  });

  it('keeps rollups equal to a full recomputation over random deliveries', async () => {
    const queries = createQueries(db, 50);
    const event = fc.record({
      call: fc.integer({ min: 0, max: 7 }),
      status: fc.constantFrom(...CALL_STATUSES),
      duration: fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }),
      mos: fc.option(fc.integer({ min: 100, max: 450 }), { nil: undefined }),
      to: fc.constantFrom('+18005550100', '+18005550111', ''),
      minute: fc.integer({ min: 0, max: 300 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 40 }), async (events) => {
        const prefix = randomUUID();
        await Promise.all(
          events.map((e) =>
            ingest.submit(
              cb({
                CallSid: `${prefix}-${e.call}`,
                CallStatus: e.status,
                To: e.to,
                Timestamp: new Date(Date.UTC(2026, 0, 1) + e.minute * 60_000).toISOString(),
                ...(e.duration !== undefined ? { CallDuration: String(e.duration) } : {}),
                ...(e.mos !== undefined ? { AudioInMos: (e.mos / 100).toFixed(2) } : {}),
              }),
            ),
          ),
        );
        const calls = await db.read.call.findMany();
        const expected = emptyTally();
        for (const c of calls) addTally(expected, contribution(c));
        const { totals } = await queries.snapshot();
        expect(totals).toEqual(expected);
        // Minute, hour, day and week rows hold the same calls.
        const sums = await Promise.all(
          [1, 60, 1440, 10080].map((resolution) =>
            db.read.rollup.aggregate({ where: { resolution }, _sum: { calls: true, mosSumCenti: true } }),
          ),
        );
        for (const s of sums.slice(1)) expect(s._sum).toEqual(sums[0]!._sum);
        expect(sums[0]!._sum.calls).toBe(calls.length);
      }),
      { numRuns: 25 },
    );
  });

  it('fails only the callback the store refuses, and keeps nothing of the first attempt at its batch', async () => {
    // The store refuses one CallSid's call row, after the batch's events were written.
    const poison = `poison-${randomUUID()}`;
    const ddl =
      db.provider === 'sqlite'
        ? [
            `CREATE TRIGGER "test_poison" BEFORE INSERT ON "Call" WHEN NEW."callSid" = '${poison}'
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
          ]
        : [
            `CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
            `CREATE TRIGGER "test_poison" BEFORE INSERT ON "Call" FOR EACH ROW
             WHEN (NEW."callSid" = '${poison}') EXECUTE FUNCTION test_poison()`,
          ];
    for (const statement of ddl) await db.write.$executeRawUnsafe(statement);
    try {
      const good = [randomUUID(), randomUUID()];
      const at = Date.UTC(2026, 1, 1, 9, 30);
      const results = await Promise.allSettled(
        [good[0]!, poison, good[1]!].map((sid) =>
          ingest.submit(
            cb({
              CallSid: sid,
              CallStatus: 'completed',
              CallDuration: '42',
              Timestamp: new Date(at).toISOString(),
            }),
          ),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // The first attempt held all three: had its writes not been rolled back, the retry of each
      // good callback would have found its event and counted a second delivery.
      const events = await db.read.callEvent.findMany({ where: { callSid: { in: [...good, poison] } } });
      expect(events.map((e) => [e.callSid, e.deliveries]).sort()).toEqual(good.map((sid) => [sid, 1]).sort());
      expect(await db.read.call.count({ where: { callSid: { in: [...good, poison] } } })).toBe(2);
      // That hour's rollup counts the two stored calls, once each.
      const row = await db.read.rollup.aggregate({
        where: { resolution: 60, bucket: new Date(Date.UTC(2026, 1, 1, 9)) },
        _sum: { calls: true, durationSum: true },
      });
      expect(row._sum).toEqual({ calls: 2, durationSum: 84 });
    } finally {
      await db.write.$executeRawUnsafe(
        'DROP TRIGGER "test_poison"' + (db.provider === 'sqlite' ? '' : ' ON "Call"'),
      );
      if (db.provider !== 'sqlite') await db.write.$executeRawUnsafe('DROP FUNCTION test_poison()');
    }
  });

  // SQLite: a batch commits synchronously on the writer's connection, unless another task's Prisma
  // transaction is open on it; then it must wait for that one, not join it. (On PostgreSQL each
  // transaction has a connection of its own.)
  it.runIf(process.env.TEST_DB !== 'postgresql')(
    "waits for another task's transaction on the writer instead of writing into it",
    async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let opened!: () => void;
      const open = new Promise<void>((r) => (opened = r));
      const other = db.write.$transaction(async (tx) => {
        await tx.setting.findMany();
        opened();
        await held;
      });
      await open;
      const sid = randomUUID();
      let committed = false;
      const outcome = ingest.submit(cb({ CallSid: sid, CallStatus: 'completed' })).then((o) => {
        committed = true;
        return o;
      });
      // The batch has left the queue for its commit; a few more turns of the event loop, in which a
      // batch written into the open transaction would have been answered.
      await waitFor(() => ingest.backlog === 0, 'the batch to leave the queue');
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(committed).toBe(false);
      expect(await db.read.call.count({ where: { callSid: sid } })).toBe(0);
      release();
      await other;
      expect((await outcome).kind).not.toBe('duplicate');
      expect(await db.read.call.count({ where: { callSid: sid } })).toBe(1);
    },
  );

  // On PostgreSQL a small batch's writes travel written into one statement's text, a big batch's
  // (over 64 KB of rows) as bound parameters: numbers with quotes, backslashes and the like must
  // come back as sent either way, as the caller, the line, its rollup rows and the raw callback.
  it('keeps every character of callers and lines, in a small batch and in a big one', async () => {
    const awkward = [
      "O'Brien's line",
      'back\\slash \\',
      'say "hi", {braces}',
      'NULL',
      ' spaced ',
      "E'x' $1 $$",
      '📞 +1 (555) 010-9999',
    ];
    const at = Date.UTC(2026, 2, 3, 10, 15);
    // 700 callers of 200 characters: more than 64 KB of them in the call rows' statement.
    const big = Array.from({ length: 700 }, (_, i) => awkward[i % awkward.length]!.padEnd(200, `'\\"`));
    for (const [name, froms] of [
      ['small', awkward],
      ['big', big],
    ] as const) {
      const batch = froms.map((from, i) => ({
        callback: cb({
          CallSid: `${name}-${randomUUID()}`,
          CallStatus: 'completed',
          CallDuration: '7',
          From: from,
          To: awkward[i % awkward.length]!,
          Timestamp: new Date(at).toISOString(),
        }),
        receivedAt: new Date(at),
      }));
      const outcomes = await commitBatch(db, batch);
      expect(outcomes.map((o) => o.kind)).toEqual(batch.map(() => 'stored'));
      const sids = batch.map((b) => b.callback.callSid);
      const calls = await db.read.call.findMany({ where: { callSid: { in: sids } } });
      const byId = new Map(calls.map((c) => [c.callSid, c]));
      expect(
        batch.map((b) => [byId.get(b.callback.callSid)?.from, byId.get(b.callback.callSid)?.to]),
      ).toEqual(batch.map((b) => [b.callback.from, b.callback.to]));
      const events = await db.read.callEvent.findMany({ where: { callSid: { in: sids } } });
      expect(new Set(events.map((e) => e.raw))).toEqual(
        new Set(batch.map((b) => JSON.stringify(b.callback.raw))),
      );
    }
    // Each awkward line has its row, and its rollup rows count its calls of both batches.
    const lines = await db.read.line.findMany({ where: { line: { in: awkward } } });
    expect(new Set(lines.map((l) => l.line))).toEqual(new Set(awkward));
    const hour = await db.read.rollup.groupBy({
      by: ['line'],
      where: { resolution: 60, bucket: new Date(Date.UTC(2026, 2, 3, 10)), line: { in: awkward } },
      _sum: { calls: true },
    });
    expect(Object.fromEntries(hour.map((h) => [h.line, h._sum.calls]))).toEqual(
      Object.fromEntries(awkward.map((l) => [l, 1 + big.length / awkward.length])),
    );
  });

  // A call's stored times are read back into the next batch's plan (PostgreSQL reads them on ingest's
  // own connection, where a timestamp without time zone would be read in the process's zone): in a
  // process far from UTC, the call must still move between its own rollup rows, not leave a row
  // behind and take from another hours away.
  it('moves a call between its own rollup rows in a process whose time zone is not UTC', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const sid = randomUUID();
      const line = `+1555${Date.now() % 10_000_000}`;
      const at = Date.UTC(2026, 3, 5, 14, 7);
      const fields = { CallSid: sid, To: line, Timestamp: new Date(at).toISOString() };
      const first = new Date(at);
      await commitBatch(db, [{ callback: cb({ ...fields, CallStatus: 'ringing' }), receivedAt: first }]);
      await commitBatch(db, [
        {
          callback: cb({ ...fields, CallStatus: 'completed', CallDuration: '30' }),
          receivedAt: new Date(at + 45_000),
        },
      ]);
      const call = await db.read.call.findUniqueOrThrow({ where: { callSid: sid } });
      expect([call.startedAt, call.firstSeenAt]).toEqual([first, first]);
      const rows = await db.read.rollup.findMany({ where: { line }, orderBy: { resolution: 'asc' } });
      expect(rows.map((r) => [r.resolution, r.bucket.getTime(), r.status, r.calls])).toEqual(
        [1, 60, 1440, 10080].map((minutes) => {
          const ms = minutes * 60_000;
          return [minutes, Math.floor(at / ms) * ms, 'completed', 1];
        }),
      );
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  // On PostgreSQL a batch waits for the ingest lock that another instance holds: no longer than its
  // timeout, and the next batch commits.
  it.runIf(process.env.TEST_DB === 'postgresql')(
    'gives up a batch that waits past its timeout for the ingest lock, then commits the next',
    async () => {
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      const waited = randomUUID();
      try {
        await other.query('BEGIN');
        await other.query(LOCK_INGEST);
        const batch = [
          { callback: cb({ CallSid: waited, CallStatus: 'completed' }), receivedAt: new Date() },
        ];
        await expect(commitBatch(db, batch, { timeoutMs: 300 })).rejects.toThrow(/statement timeout/);
      } finally {
        await other.query('ROLLBACK');
        await other.end();
      }
      expect(await db.read.call.count({ where: { callSid: waited } })).toBe(0);
      const next = randomUUID();
      const outcomes = await commitBatch(db, [
        { callback: cb({ CallSid: next, CallStatus: 'completed' }), receivedAt: new Date() },
      ]);
      expect(outcomes.map((o) => o.kind)).toEqual(['stored']);
      expect(await db.read.call.count({ where: { callSid: next } })).toBe(1);
    },
  );

  it('refuses work beyond its queue limit instead of queueing without bound', async () => {
    const tiny = new Ingestor(db, { queueLimit: 2, batchSize: 1, publish: () => {} });
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map(() => tiny.submit(cb({ CallSid: randomUUID(), CallStatus: 'completed' }))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(2);
    await tiny.drain();
  });
});
