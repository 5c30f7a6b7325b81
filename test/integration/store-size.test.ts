// The admin page's store figures (lib/ops/store-size.ts) on a real store, calls stored through the
// real ingest: exact counts, bytes on disk, and calls per UTC day from the day rollup rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '@/lib/db/client';
import { sqlitePath } from '@/lib/db/adapters';
import { Ingestor } from '@/lib/calls/ingest/queue';
import { validateCallback } from '@/lib/callbacks/schema';
import { storeSize } from '@/lib/ops/store-size';
import { formatBytes } from '@/lib/common/admin';
import { FAILURE_STATUSES } from '@/lib/common/status';
import { openTestDatabase, TEST_PROVIDER } from '../helpers/db';

/** Noon on 15 January: the growth covers 8 to 14 January, whole UTC days. */
const NOW = Date.UTC(2026, 0, 15, 12);
const LINES = ['+18005550100', '+18005550111'];

interface Sent {
  sid: string;
  at: number;
  to: string;
  direction: string;
  statuses: string[];
  sipCode?: number;
  parent?: string;
}

/** Calls either side of the window's bounds, legs and outbound calls, several statuses, a retry. */
function calls(): Sent[] {
  const list: Sent[] = [
    {
      sid: 'before',
      at: Date.UTC(2026, 0, 7, 23, 59, 59),
      to: LINES[0]!,
      direction: 'inbound',
      statuses: ['completed'],
    },
    { sid: 'first', at: Date.UTC(2026, 0, 8), to: LINES[0]!, direction: 'inbound', statuses: ['completed'] },
    {
      sid: 'answered',
      at: Date.UTC(2026, 0, 10, 9),
      to: LINES[1]!,
      direction: 'inbound',
      statuses: ['initiated', 'ringing', 'in-progress', 'completed'],
    },
    {
      sid: 'answered-leg',
      at: Date.UTC(2026, 0, 10, 9, 0, 5),
      to: '+15550001111',
      direction: 'outbound-dial',
      statuses: ['completed'],
      parent: 'answered',
    },
    {
      sid: 'busy',
      at: Date.UTC(2026, 0, 10, 9, 30),
      to: LINES[0]!,
      direction: 'inbound',
      statuses: ['busy'],
      sipCode: 486,
    },
    {
      sid: 'placed',
      at: Date.UTC(2026, 0, 10, 10),
      to: '+15550002222',
      direction: 'outbound-api',
      statuses: ['completed'],
    },
    {
      sid: 'unanswered',
      at: Date.UTC(2026, 0, 12, 18),
      to: '',
      direction: 'inbound',
      statuses: ['ringing', 'no-answer'],
    },
    {
      sid: 'last',
      at: Date.UTC(2026, 0, 14, 23, 59, 59, 999),
      to: LINES[1]!,
      direction: 'inbound',
      statuses: ['failed'],
      sipCode: 503,
    },
    { sid: 'today', at: Date.UTC(2026, 0, 15), to: LINES[0]!, direction: 'inbound', statuses: ['completed'] },
  ];
  for (let i = 0; i < 40; i++) {
    list.push({
      sid: `bulk-${i}`,
      at: Date.UTC(2026, 0, 8 + (i % 7), i % 24, i),
      to: LINES[i % 2]!,
      direction: 'inbound',
      statuses: i % 5 === 0 ? ['canceled'] : ['completed'],
    });
  }
  return list;
}

function callback(c: Sent, status: string) {
  const fields: Record<string, string> = {
    CallSid: c.sid,
    CallStatus: status,
    Timestamp: new Date(c.at).toISOString(),
  };
  if (c.to) fields.To = c.to;
  if (c.direction !== 'inbound') fields.Direction = c.direction;
  if (c.parent) fields.ParentCallSid = c.parent;
  if (c.sipCode) fields.SipResultCode = String(c.sipCode);
  const v = validateCallback(fields);
  if (!v.ok) throw new Error(v.message);
  return v.callback;
}

/** The rollup rows the calls make: one per resolution, bucket, line and direction, and per failure. */
function rollupRows(sent: Sent[]): number {
  const keys = new Set<string>();
  for (const c of sent) {
    const status = c.statuses.at(-1)!;
    for (const minutes of [1, 60, 1440, 10080]) {
      const bucket = Math.floor(c.at / (minutes * 60_000));
      // One row per final status: a call's earlier statuses leave no row behind.
      keys.add(`rollup ${minutes} ${bucket} ${c.to} ${c.direction} ${status}`);
      if ((FAILURE_STATUSES as readonly string[]).includes(status)) {
        keys.add(`failure ${minutes} ${bucket} ${c.to} ${c.direction} ${status} ${c.sipCode ?? 0}`);
      }
    }
  }
  return keys.size;
}

describe('store size', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('is zero calls and some bytes on an empty store, with no estimate per day', async () => {
    const size = await storeSize(db, NOW);
    expect(size.provider).toBe(TEST_PROVIDER);
    expect(size.counts).toEqual({ calls: 0, callbacks: 0, rollups: 0, auditEntries: 0 });
    expect(size.bytes).toBeGreaterThan(0);
    expect(size.days.map((d) => d.calls)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(size.days.every((d) => d.bytes === null)).toBe(true);
    expect(size.average).toEqual({ calls: 0, bytes: null });
  });

  it('counts calls, callbacks, rollup rows and audit entries, and the calls of the last 7 whole days', async () => {
    const sent = calls();
    const ingest = new Ingestor(db, { queueLimit: 10_000, batchSize: 16, publish: () => {} });
    for (const c of sent) for (const status of c.statuses) await ingest.submit(callback(c, status));
    // A provider's retry: acknowledged, not a second callback.
    expect((await ingest.submit(callback(sent[2]!, 'completed'))).kind).toBe('duplicate');
    await ingest.drain();
    for (const action of ['sign-in', 'settings.save']) {
      await db.write.auditEntry.create({ data: { at: new Date(NOW), action, detail: '{}' } });
    }

    const size = await storeSize(db, NOW);
    const callbacks = sent.reduce((n, c) => n + c.statuses.length, 0);
    expect(size.counts).toEqual({
      calls: sent.length,
      callbacks,
      rollups: rollupRows(sent),
      auditEntries: 2,
    });
    expect(size.at).toBe(new Date(NOW).toISOString());

    // The 7 whole UTC days before today, each with the calls (legs and outbound ones included)
    // that started on it: on its first millisecond and its last, not the evening before or today.
    const days = [
      '2026-01-08',
      '2026-01-09',
      '2026-01-10',
      '2026-01-11',
      '2026-01-12',
      '2026-01-13',
      '2026-01-14',
    ];
    expect(size.days.map((d) => d.day)).toEqual(days);
    const expected = days.map(
      (day) => sent.filter((c) => new Date(c.at).toISOString().startsWith(day)).length,
    );
    expect(size.days.map((d) => d.calls)).toEqual(expected);
    expect(expected).toEqual([7, 6, 10, 6, 7, 5, 6]);
    // The day rows add up to the calls stored with a start in the window.
    const inWindow = await db.read.call.count({
      where: { startedAt: { gte: new Date(Date.UTC(2026, 0, 8)), lt: new Date(Date.UTC(2026, 0, 15)) } },
    });
    const total = size.days.reduce((n, d) => n + d.calls, 0);
    expect(total).toBe(inWindow);
    expect(total).toBe(sent.length - 2);
    expect(size.average.calls).toBeCloseTo(total / 7, 10);

    // Bytes on disk, and the estimate per day: the store's bytes per stored call times its calls.
    expect(size.bytes).toBeGreaterThan(0);
    if (TEST_PROVIDER === 'sqlite') {
      const path = resolve(sqlitePath(db.url));
      expect(size.files.map((f) => [f.kind, f.path])).toEqual([
        ['database', path],
        ['wal', `${path}-wal`],
      ]);
      expect(size.files[0]!.bytes).toBe(statSync(path).size);
      expect(size.files[1]!.bytes).toBe(statSync(`${path}-wal`).size);
      expect(size.bytes).toBe(size.files[0]!.bytes + size.files[1]!.bytes);
    } else {
      expect(size.files).toEqual([]);
    }
    const perCall = size.bytes / sent.length;
    for (const d of size.days) expect(d.bytes).toBe(Math.round(perCall * d.calls));
    expect(size.average.bytes).toBe(Math.round((perCall * total) / 7));
    expect(
      Math.abs(size.days.reduce((n, d) => n + d.bytes!, 0) - size.average.bytes! * 7),
    ).toBeLessThanOrEqual(7);
  });

  it('reads bytes the way the admin page shows them', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1_234)).toBe('1.2 kB');
    expect(formatBytes(999_600)).toBe('1 MB');
    expect(formatBytes(1_234_567_890)).toBe('1.2 GB');
    expect(formatBytes(228_286_464)).toBe('228 MB');
    expect(formatBytes(1_234_567_890, 'de-DE')).toBe('1,2 GB');
  });
});
