// Ingest's SQLite writer thread: a real worker thread on a real SQLite file, beside the server's own
// writer connection (Prisma's), as the server runs them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Database } from '@/lib/db/client';
import { sqlitePath } from '@/lib/db/adapters';
import { commitBatch } from '@/lib/calls/ingest/store';
import type { Submission } from '@/lib/calls/ingest/plan';
import { SqliteWriterThread } from '@/lib/calls/ingest/writer-thread';
import { validateCallback } from '@/lib/callbacks/schema';
import { openTestDatabase, tempDatabaseUrl, TEST_PROVIDER } from '../helpers/db';

const submission = (fields: Record<string, string>, at = new Date()): Submission => {
  const v = validateCallback(fields);
  if (!v.ok) throw new Error(v.message);
  return { callback: v.callback, receivedAt: at };
};

/** Two calls, one of them in two statuses, and a retry. */
function batch(): Submission[] {
  const [a, b] = [randomUUID(), randomUUID()];
  const at = new Date('2026-11-30T10:00:00Z');
  return [
    submission({ CallSid: a, CallStatus: 'ringing', From: '+14155550100', To: '+18005550100' }, at),
    submission({ CallSid: b, CallStatus: 'completed', CallDuration: '42', AudioInMos: '4.2' }, at),
    submission({ CallSid: a, CallStatus: 'completed', CallDuration: '61', AudioInMos: '3.4' }, at),
    submission({ CallSid: b, CallStatus: 'completed', CallDuration: '42', AudioInMos: '4.2' }, at),
  ];
}

describe.runIf(TEST_PROVIDER === 'sqlite')('the SQLite writer thread', () => {
  let db: Database;
  let thread: SqliteWriterThread;

  beforeEach(async () => {
    db = await openTestDatabase();
    thread = new SqliteWriterThread({
      file: sqlitePath(db.url),
      synchronous: 'NORMAL',
      busyTimeoutMs: 10_000,
    });
  });
  afterEach(async () => {
    await thread.close();
    await db.close();
  });

  it('commits a batch as the event loop would: the same outcomes and rows as commitBatch on a store of its own', async () => {
    const sent = batch();
    const outcomes = await thread.commit(sent);
    const twin = await openTestDatabase(await tempDatabaseUrl('sqlite'));
    try {
      // The same callbacks, in a fresh store of their own, through the event loop's path.
      expect(outcomes).toEqual(await commitBatch(twin, sent));
      const rows = async (d: Database) =>
        (await d.read.call.findMany({ orderBy: { eventId: 'asc' } })).map(({ id: _, ...call }) => call);
      expect(await rows(db)).toEqual(await rows(twin));
      expect(await db.read.rollup.count()).toBe(await twin.read.rollup.count());
    } finally {
      await twin.close();
    }
    expect(outcomes.map((o) => o.kind)).toEqual(['stored', 'stored', 'stored', 'duplicate']);
    const [a, b] = [sent[0]!.callback.callSid, sent[1]!.callback.callSid];
    const call = (sid: string) => db.read.call.findUniqueOrThrow({ where: { callSid: sid } });
    expect(await call(a)).toMatchObject({ status: 'completed', duration: 61, mos: 3.4 });
    expect(await call(b)).toMatchObject({ status: 'completed', duration: 42, mos: 4.2 });
  });

  it('takes turns with a transaction of the server that reads, then writes: both commit, the batch after it', async () => {
    let committed: Promise<unknown> | undefined;
    const key = `test-${randomUUID()}`;
    await db.write.$transaction(async (tx) => {
      const before = await tx.call.count();
      // A batch sent while this transaction is open waits for SQLite's write lock: in half a second
      // it has not committed. Had it committed, this transaction's write would fail (a stale read).
      committed = thread.commit(batch());
      const early = await Promise.race([
        committed.then(() => 'committed'),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 500)),
      ]);
      expect(early).toBe('waiting');
      await tx.setting.create({ data: { key, value: String(before) } });
    });
    await committed;
    expect(await db.read.setting.findUniqueOrThrow({ where: { key } })).toMatchObject({ value: '0' });
    expect(await db.read.call.count()).toBe(2);
  });

  it('gives up on a batch that waits for the write lock longer than its busy timeout, storing none of it', async () => {
    const impatient = new SqliteWriterThread({
      file: sqlitePath(db.url),
      synchronous: 'NORMAL',
      busyTimeoutMs: 200,
    });
    const sent = batch();
    try {
      await db.write.$transaction(async (tx) => {
        await tx.setting.create({ data: { key: `test-${randomUUID()}`, value: 'holding the lock' } });
        await expect(impatient.commit(sent)).rejects.toThrow(/database is locked/);
      });
    } finally {
      await impatient.close();
    }
    expect(await db.read.call.count()).toBe(0);
    // The thread is still there for the next batch.
    await thread.commit(sent);
    expect(await db.read.call.count()).toBe(2);
  });

  it('answers the batches sent before it closes, then closes', async () => {
    const outcomes = thread.commit(batch());
    await thread.close();
    expect((await outcomes).map((o) => o.kind)).toEqual(['stored', 'stored', 'stored', 'duplicate']);
    expect(await db.read.call.count()).toBe(2);
  });

  it('fails the batch of a thread that dies, storing all of it or none, and starts a new thread for the next', async () => {
    await thread.start();
    const first = batch();
    const held = thread.commit(first);
    await thread.kill();
    const settled = await held.then(
      () => 'committed',
      (e: Error) => e.message,
    );
    const stored = await db.read.call.count({
      where: { callSid: { in: first.map((s) => s.callback.callSid) } },
    });
    // A batch whose answer was lost may have committed (its callbacks' retries are then duplicates).
    if (settled === 'committed') expect(stored).toBe(2);
    else {
      expect(settled).toMatch(/SQLite writer thread exited/);
      expect(stored).toBe(0);
    }
    const next = await thread.commit(batch());
    expect(next.map((o) => o.kind)).toEqual(['stored', 'stored', 'stored', 'duplicate']);
    expect(await db.read.call.count()).toBe(stored + 2);
  });
});
