// Retention against the real store and ingest queue, on either store (TEST_DB): calls past the
// retention are deleted with their callbacks while every figure the board shows stays as it was
// (the rollups stay), ingest keeps answering during a purge, the mask alternative leaves no full
// number behind and changes nothing the second time, old audit entries go, and a recount after a
// change of MOS bands keeps the rollups of purged calls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Database } from '@/lib/db/client';
import { Ingestor } from '@/lib/calls/ingest/queue';
import type { IngestOutcome } from '@/lib/calls/ingest/plan';
import { createQueries, type Queries } from '@/lib/calls/queries';
import { saveSettings } from '@/lib/calls/stored-settings';
import { PURGE_CUTOFF_KEY } from '@/lib/calls/aggregate';
import { validateCallback, type Callback } from '@/lib/callbacks/schema';
import { ALL_TIME, type BoardFilter } from '@/lib/common/filter';
import { DEFAULT_PRIVACY, type PrivacySettings } from '@/lib/common/privacy';
import { DEFAULT_SETTINGS } from '@/lib/common/settings';
import { DEFAULT_MOS_LIMITS, type MosLimits } from '@/lib/common/status';
import { addTally, contribution, emptyTally } from '@/lib/common/tally';
import { DAY_MS } from '@/lib/common/time';
import { createLogger } from '@/lib/log';
import {
  Retention,
  purgedBefore,
  retentionCutoff,
  retentionStatus,
  type RetentionOptions,
} from '@/lib/ops/retention';
import { openTestDatabase } from '../helpers/db';

const LINES = ['+18005550100', '+18005550111', '+18005550122'];
const FINAL = ['completed', 'completed', 'completed', 'busy', 'no-answer', 'failed', 'canceled'];
const SIP: Record<string, string> = { busy: '486', 'no-answer': '480', failed: '503', canceled: '487' };
const NOW = Date.now();
const log = createLogger('silent');

function cb(fields: Record<string, string>): Callback {
  const v = validateCallback(fields);
  if (!v.ok) throw new Error(v.message);
  return v.callback;
}

const privacy = (over: Partial<PrivacySettings>): PrivacySettings => ({ ...DEFAULT_PRIVACY, ...over });

function retention(db: Database, settings: Partial<PrivacySettings>, over: Partial<RetentionOptions> = {}) {
  return new Retention(db, { log, defaults: privacy(settings), ...over });
}

/** What was posted of one call: the numbers that are a person's. */
interface Posted {
  sid: string;
  /** The caller's number, and on a leg the agent's it rang. */
  numbers: string[];
}

/**
 * `n` calls spread evenly over the `days` days before NOW, through the ingest queue: a ringing and
 * a final callback each (every kind of outcome, MOS, audio counters on a third), a SIP header
 * repeating the caller's number on some, and a leg to an agent on every fourth.
 */
async function sendHistory(ingest: Ingestor, n: number, days: number): Promise<Posted[]> {
  const prefix = randomUUID();
  const posted: Posted[] = [];
  const submitted: Promise<IngestOutcome>[] = [];
  for (let i = 0; i < n; i++) {
    const at = NOW - days * DAY_MS + Math.floor((i * days * DAY_MS) / n) + 17_000;
    const sid = `${prefix}-${i}`;
    const caller = `+1415555${String(1000 + i).padStart(4, '0')}`;
    const line = LINES[i % LINES.length]!;
    const status = FINAL[i % FINAL.length]!;
    const base = { CallSid: sid, From: caller, To: line };
    const final: Record<string, string> = {
      ...base,
      CallStatus: status,
      Timestamp: new Date(at + 60_000).toISOString(),
    };
    if (status === 'completed') {
      final.CallDuration = String((i * 37) % 900);
      final.AudioInMos = ((300 + ((i * 7) % 150)) / 100).toFixed(2);
      if (i % 3 === 0) {
        final.AudioInMediaPacketCount = String(5000 + i);
        final.AudioInSkipPacketCount = String(i % 40);
        final.AudioInJitterMaxVariance = ((i % 60) + 0.5).toFixed(1);
        final.AudioInFlushPacketCount = String(i % 3);
      }
    } else {
      final.SipResultCode = SIP[status]!;
    }
    if (i % 5 === 0) final.SipHeader_Diversion = `<sip:${caller}@carrier.example>;reason=unconditional`;
    submitted.push(
      ingest.submit(cb({ ...base, CallStatus: 'ringing', Timestamp: new Date(at).toISOString() })),
      ingest.submit(cb(final)),
    );
    posted.push({ sid, numbers: [caller] });
    if (i % 4 === 0) {
      const agent = `+1617555${String(2000 + i).padStart(4, '0')}`;
      const leg = {
        CallSid: `${sid}-leg`,
        ParentCallSid: sid,
        Direction: 'outbound-dial',
        From: line,
        To: agent,
      };
      submitted.push(
        ingest.submit(cb({ ...leg, CallStatus: 'ringing', Timestamp: new Date(at + 5_000).toISOString() })),
        ingest.submit(
          cb({
            ...leg,
            CallStatus: 'completed',
            Timestamp: new Date(at + 65_000).toISOString(),
            CallDuration: String(30 + (i % 200)),
            AudioInMos: '4.20',
          }),
        ),
      );
      posted.push({ sid: `${sid}-leg`, numbers: [agent] });
    }
  }
  const outcomes = await Promise.all(submitted);
  expect(outcomes.filter((o) => o.kind === 'duplicate')).toEqual([]);
  return posted;
}

/** What the board shows for a filter, without the calls it lists (purged calls leave that list). */
async function figures(queries: Queries, f: BoardFilter) {
  const s = await queries.snapshot(f, NOW);
  return { totals: s.totals, series: s.series, lines: s.lines, bucketMs: s.bucketMs };
}

const startsOf = async (db: Database) =>
  new Map(
    (await db.read.call.findMany({ select: { callSid: true, startedAt: true } })).map((c) => [
      c.callSid,
      c.startedAt.getTime(),
    ]),
  );

describe('deleting calls past the retention', () => {
  let db: Database;
  let ingest: Ingestor;
  let queries: Queries;
  let purger: Retention;
  const cutoff = retentionCutoff(NOW, 30);
  const filters: Record<string, BoardFilter> = {
    'all time': ALL_TIME,
    'all time, legs': { ...ALL_TIME, direction: 'outbound-dial' },
    'the purged range': { ...ALL_TIME, to: cutoff },
    'the purged range, legs': { ...ALL_TIME, to: cutoff, direction: 'outbound-dial' },
    'the last 41 days': { ...ALL_TIME, from: NOW - 41 * DAY_MS },
    'one line': { ...ALL_TIME, line: LINES[1]! },
    // Summed from the rollups, which keep each call's status: unchanged by the purge too.
    'completed calls': { ...ALL_TIME, status: 'completed' },
    'busy calls of the purged range': { ...ALL_TIME, to: cutoff, status: 'busy' },
  };
  const before: Record<string, Awaited<ReturnType<typeof figures>>> = {};

  beforeAll(async () => {
    db = await openTestDatabase();
    ingest = new Ingestor(db, { queueLimit: 10_000, batchSize: 256, publish: () => {} });
    queries = createQueries(db, 50);
    // 400 calls (and 100 legs) over 40 days: about a quarter of them past the retention.
    await sendHistory(ingest, 400, 40);
    for (const [name, f] of Object.entries(filters)) before[name] = await figures(queries, f);
    purger = retention(db, { retentionDays: 30 }, { batchSize: 64 });
  });
  afterAll(async () => {
    await purger.stop();
    await db.close();
  });

  it('deletes the old calls and their callbacks, keeps the rest, and every figure of the board', async () => {
    const starts = await startsOf(db);
    const old = [...starts].filter(([, t]) => t < cutoff).map(([sid]) => sid);
    const kept = [...starts].filter(([, t]) => t >= cutoff).map(([sid]) => sid);
    expect(old.length).toBeGreaterThan(100);
    expect(kept.length).toBeGreaterThan(300);
    const eventsOf = async (sids: string[]) => db.read.callEvent.count({ where: { callSid: { in: sids } } });
    const oldEvents = await eventsOf(old);
    const keptEvents = await eventsOf(kept);

    const result = await purger.pass(NOW);
    expect(result).toMatchObject({
      action: 'delete',
      cutoff,
      deleted: old.length,
      events: oldEvents,
      complete: true,
    });

    expect(await db.read.call.count({ where: { startedAt: { lt: new Date(cutoff) } } })).toBe(0);
    expect(await eventsOf(old)).toBe(0);
    expect((await db.read.call.findMany({ select: { callSid: true } })).map((c) => c.callSid).sort()).toEqual(
      [...kept].sort(),
    );
    expect(await eventsOf(kept)).toBe(keptEvents);
    for (const [name, f] of Object.entries(filters)) {
      expect({ name, ...(await figures(queries, f)) }).toEqual({ name, ...before[name] });
    }
    // A UTC midnight, 30 to 31 days back.
    expect(cutoff % DAY_MS).toBe(0);
    expect(NOW - cutoff).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(NOW - cutoff).toBeLessThan(31 * DAY_MS);
    expect(await purgedBefore(db)).toBe(cutoff);
    expect(await retentionStatus(db)).toMatchObject({
      purgedBefore: cutoff,
      maskedBefore: null,
      lastDeleted: old.length,
    });
    // The board says where its stored calls begin and how many its list and export leave out.
    const inbound = old.filter((sid) => !sid.endsWith('-leg')).length;
    expect((await queries.snapshot(ALL_TIME, NOW)).purged).toEqual({ before: cutoff, calls: inbound });
    expect((await queries.snapshot({ ...ALL_TIME, direction: 'outbound-dial' }, NOW)).purged).toEqual({
      before: cutoff,
      calls: old.length - inbound,
    });
    const completed = old.filter(
      (sid) => !sid.endsWith('-leg') && FINAL[Number(sid.split('-').pop()) % FINAL.length] === 'completed',
    ).length;
    expect(completed).toBeGreaterThan(0);
    expect((await queries.snapshot({ ...ALL_TIME, status: 'completed' }, NOW)).purged).toEqual({
      before: cutoff,
      calls: completed,
    });
    // A caller search reads the stored calls alone: it cannot say what the purge took.
    expect((await queries.snapshot({ ...ALL_TIME, caller: '4155551' }, NOW)).purged).toEqual({
      before: cutoff,
      calls: null,
    });
    expect((await queries.snapshot({ ...ALL_TIME, from: cutoff }, NOW)).purged).toBeNull();
  });

  it('changes nothing the second time, and never moves the purge marker back', async () => {
    const calls = await db.read.call.count();
    expect(await purger.pass(NOW)).toMatchObject({ deleted: 0, events: 0, complete: true });
    const longer = retention(db, { retentionDays: 35 });
    await purger.stop();
    expect(await longer.pass(NOW)).toMatchObject({ cutoff: retentionCutoff(NOW, 35), deleted: 0 });
    await longer.stop();
    expect(await db.read.call.count()).toBe(calls);
    expect(await purgedBefore(db)).toBe(cutoff);
  });

  it('keeps the purged calls in the rollups when a change of MOS bands recounts them', async () => {
    const bands: MosLimits = [2.9, 3.3, 3.9, 4.2];
    expect(await saveSettings(db, { ...DEFAULT_SETTINGS, mosLimits: bands })).toEqual({ recounted: true });
    // The purged range: as it was counted before the purge.
    for (const name of ['the purged range', 'the purged range, legs']) {
      expect(await figures(queries, filters[name]!)).toEqual(before[name]);
    }
    // The rest: every stored call recounted with the new bands.
    for (const direction of ['inbound', 'outbound-dial'] as const) {
      const recent = emptyTally();
      for (const c of await db.read.call.findMany({ where: { direction } }))
        addTally(recent, contribution(c, bands));
      const { totals } = await queries.snapshot({ ...ALL_TIME, from: cutoff, direction }, NOW);
      expect(totals).toEqual(recent);
      const all = await queries.snapshot({ ...ALL_TIME, direction }, NOW);
      const old = before[direction === 'inbound' ? 'the purged range' : 'the purged range, legs']!.totals;
      expect(all.totals.calls).toBe(old.calls + recent.calls);
      expect(all.totals.mosCount).toBe(old.mosCount + recent.mosCount);
    }
    // Minute, hour, day and week rows still hold the same calls.
    const sums = await Promise.all(
      [1, 60, 1440, 10080].map((resolution) =>
        db.read.rollup.aggregate({ where: { resolution }, _sum: { calls: true, mosGood: true } }),
      ),
    );
    for (const s of sums.slice(1)) expect(s._sum).toEqual(sums[0]!._sum);
  });

  it('keeps the rollups of a purge stopped part way through a recount', async () => {
    const cutoff20 = retentionCutoff(NOW, 20);
    const range = { ...ALL_TIME, to: cutoff20 };
    const was = await figures(queries, range);
    const stored = await db.read.call.count({ where: { startedAt: { lt: new Date(cutoff20) } } });
    // Stopped after its first batch: the marker of a finished purge stays where it was.
    const partial: Retention = retention(
      db,
      { retentionDays: 20 },
      { batchSize: 10, afterBatch: () => void partial.stop() },
    );
    expect(await partial.tick(NOW)).toMatchObject({ deleted: 10, complete: false });
    await partial.stop();
    expect(await db.read.call.count({ where: { startedAt: { lt: new Date(cutoff20) } } })).toBe(stored - 10);
    expect(await purgedBefore(db)).toBe(cutoff);
    expect(await db.read.setting.findUnique({ where: { key: PURGE_CUTOFF_KEY } })).toMatchObject({
      value: String(cutoff20),
    });
    // The recount leaves alone the rows of every day the purge had begun on.
    expect(await saveSettings(db, { ...DEFAULT_SETTINGS, mosLimits: DEFAULT_MOS_LIMITS })).toEqual({
      recounted: true,
    });
    expect(await figures(queries, range)).toEqual(was);
  });
});

describe('a recount after a purge that ended mid-week', () => {
  // Week rollup rows start on Thursdays (the epoch's weekday): Thursday 1 January 2026 starts the
  // week of both calls, and a purge of one day's retention run on Thursday 8 January ends at
  // Wednesday 7 January, 00:00, mid-week.
  const TUESDAY = Date.UTC(2026, 0, 6, 10);
  const WEDNESDAY = Date.UTC(2026, 0, 7, 10);
  const PURGED_AT = Date.UTC(2026, 0, 8, 12);
  // 3.5 is poor under the default bands and fair under these.
  const bands: MosLimits = [2.9, 3.3, 3.9, 4.2];
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('sums the week it ended in from the kept day and the recounted one', async () => {
    const ingest = new Ingestor(db, { queueLimit: 100, batchSize: 16, publish: () => {} });
    const completed = (sid: string, at: number) =>
      cb({
        CallSid: sid,
        CallStatus: 'completed',
        From: '+14155550100',
        To: LINES[0]!,
        Timestamp: new Date(at).toISOString(),
        CallDuration: '60',
        AudioInMos: '3.50',
      });
    await Promise.all([
      ingest.submit(completed('CA-tue', TUESDAY)),
      ingest.submit(completed('CA-wed', WEDNESDAY)),
    ]);
    const calls = new Map((await db.read.call.findMany()).map((c) => [c.callSid, c]));
    const purger = retention(db, { retentionDays: 1 });
    expect(await purger.pass(PURGED_AT)).toMatchObject({ cutoff: Date.UTC(2026, 0, 7), deleted: 1 });
    await purger.stop();
    expect(await saveSettings(db, { ...DEFAULT_SETTINGS, mosLimits: bands })).toEqual({ recounted: true });

    // The purged call as it was counted, the stored one with the new bands.
    const expected = emptyTally();
    addTally(expected, contribution(calls.get('CA-tue')!, DEFAULT_MOS_LIMITS));
    addTally(expected, contribution(calls.get('CA-wed')!, bands));
    expect(expected.mosBands).toEqual([0, 1, 1, 0, 0]);
    // All time is summed from week rows alone.
    const { totals } = await createQueries(db, 50).snapshot(ALL_TIME, PURGED_AT);
    expect(totals).toEqual(expected);
    const sums = await Promise.all(
      [1, 60, 1440, 10080].map((resolution) =>
        db.read.rollup.aggregate({
          where: { resolution },
          _sum: { calls: true, mosPoor: true, mosFair: true },
        }),
      ),
    );
    for (const s of sums) expect(s._sum).toEqual({ calls: 2, mosPoor: 1, mosFair: 1 });
    expect(await db.read.rollup.count({ where: { resolution: 10080 } })).toBe(1);
  });
});

describe('ingest during a purge', () => {
  let db: Database;
  let ingest: Ingestor;
  beforeAll(async () => {
    db = await openTestDatabase();
    ingest = new Ingestor(db, { queueLimit: 10_000, batchSize: 256, publish: () => {} });
  });
  afterAll(() => db.close());

  it('stores every callback that arrives while thousands of calls are deleted', async () => {
    const OLD = 3_000;
    const prefix = randomUUID();
    // One final callback each, between 60 and 35 days old.
    const seeded = await Promise.all(
      Array.from({ length: OLD }, (_, i) =>
        ingest.submit(
          cb({
            CallSid: `${prefix}-old-${i}`,
            From: `+1212555${String(i).padStart(4, '0')}`,
            To: LINES[i % LINES.length]!,
            CallStatus: 'completed',
            CallDuration: String(i % 600),
            AudioInMos: '4.10',
            Timestamp: new Date(NOW - 60 * DAY_MS + i * 720_000).toISOString(),
          }),
        ),
      ),
    );
    expect(seeded.every((o) => o.kind === 'stored')).toBe(true);
    const purger = retention(db, { retentionDays: 30 }, { batchSize: 100 });
    let purging = true;
    const pass = purger.pass(NOW).finally(() => (purging = false));

    // New calls, a few at a time, for as long as the purge runs (at most 2,000).
    const fresh: string[] = [];
    const answers: Promise<IngestOutcome>[] = [];
    let duringPurge = 0;
    while (purging && fresh.length < 2_000) {
      for (let k = 0; k < 5; k++) {
        const sid = `${prefix}-new-${fresh.length}`;
        fresh.push(sid);
        answers.push(
          ingest
            .submit(
              cb({
                CallSid: sid,
                From: '+13125550199',
                To: LINES[0]!,
                CallStatus: 'completed',
                CallDuration: '60',
                Timestamp: new Date(NOW - 60_000).toISOString(),
              }),
            )
            .then((o) => {
              if (purging) duringPurge++;
              return o;
            }),
        );
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const result = await pass;
    const outcomes = await Promise.allSettled(answers);

    expect(result).toMatchObject({ deleted: OLD, events: OLD, complete: true });
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value.kind : 'failed')).filter((k) => k !== 'stored'),
    ).toEqual([]);
    // Commits landed between the purge's batches, not only after it.
    expect(duringPurge).toBeGreaterThan(0);
    const stored = await db.read.call.findMany({ select: { callSid: true } });
    expect(stored.map((c) => c.callSid).sort()).toEqual([...fresh].sort());
    expect(await db.read.callEvent.count()).toBe(fresh.length);
    // The purged calls are still counted, once each, beside the new ones.
    const { totals } = await createQueries(db, 10).snapshot(ALL_TIME, NOW);
    expect(totals.calls).toBe(OLD + fresh.length);
    await purger.stop();
  });
});

describe('masking calls past the retention', () => {
  let db: Database;
  let posted: Posted[];
  beforeAll(async () => {
    db = await openTestDatabase();
    const ingest = new Ingestor(db, { queueLimit: 10_000, batchSize: 256, publish: () => {} });
    posted = await sendHistory(ingest, 200, 40);
  });
  afterAll(() => db.close());

  const rows = async () => ({
    calls: await db.read.call.findMany({ orderBy: { id: 'asc' } }),
    events: await db.read.callEvent.findMany({ orderBy: { id: 'asc' } }),
  });

  it('masks numbers in the calls and their raw callbacks, keeps every row, and changes nothing again', async () => {
    const cutoff = retentionCutoff(NOW, 30);
    const queries = createQueries(db, 50);
    const totals = (await queries.snapshot(ALL_TIME, NOW)).totals;
    const starts = await startsOf(db);
    const isOld = (sid: string) => starts.get(sid)! < cutoff;
    const was = await rows();
    const masker = retention(db, { retentionDays: 30, retentionAction: 'mask' }, { batchSize: 50 });

    const first = await masker.pass(NOW);
    expect(first).toMatchObject({ action: 'mask', cutoff, deleted: 0, complete: true });
    const now = await rows();
    expect(now.calls.length).toBe(was.calls.length);
    expect(now.events.length).toBe(was.events.length);
    const oldCalls = was.calls.filter((c) => isOld(c.callSid));
    expect(first!.masked).toBe(oldCalls.length);
    expect(first!.maskedEvents).toBe(was.events.filter((e) => isOld(e.callSid)).length);
    for (const c of now.calls) {
      const original = was.calls.find((w) => w.id === c.id)!;
      if (!isOld(c.callSid)) {
        expect(c).toEqual(original);
        continue;
      }
      expect(c.from).toContain('•');
      // The center's line stays; on a leg the number it rang is a person's.
      if (c.direction === 'inbound') expect(c.to).toBe(original.to);
      else expect(c.to).toContain('•');
      expect({ ...c, from: original.from, to: original.to }).toEqual(original);
    }
    // No full number of an old call anywhere in the stored callbacks, with or without its +.
    const oldText = now.events
      .filter((e) => isOld(e.callSid))
      .map((e) => e.raw)
      .join('\n');
    const oldNumbers = posted.filter((p) => isOld(p.sid)).flatMap((p) => p.numbers);
    expect(oldNumbers.length).toBeGreaterThan(40);
    expect(oldNumbers.filter((n) => oldText.includes(n) || oldText.includes(n.slice(2)))).toEqual([]);
    expect(oldText).toContain('carrier.example');
    // Recent callbacks as received.
    for (const e of now.events.filter((e) => !isOld(e.callSid))) {
      expect(e).toEqual(was.events.find((w) => w.id === e.id));
    }
    expect((await retentionStatus(db)).maskedBefore).toBe(cutoff);
    expect((await queries.snapshot(ALL_TIME, NOW)).totals).toEqual(totals);

    // Again: nothing to do. Without the cursor (every old call read again): nothing rewritten.
    expect(await masker.pass(NOW)).toMatchObject({ masked: 0, maskedEvents: 0, complete: true });
    await db.write.$transaction((tx) => tx.setting.delete({ where: { key: 'retention.maskedBefore' } }));
    expect(await masker.pass(NOW)).toMatchObject({ masked: 0, maskedEvents: 0, complete: true });
    expect(await rows()).toEqual(now);
    await masker.stop();
  });
});

describe('audit retention', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('deletes audit entries older than their retention, in batches, and keeps the rest', async () => {
    // 1,200 entries, one every 6 hours back from now: 300 days.
    const entries = Array.from({ length: 1_200 }, (_, i) => ({
      at: new Date(NOW - i * 6 * 3_600_000 - 1_000),
      action: 'sign-in',
      username: `user${i % 7}`,
      detail: '{}',
    }));
    await db.write.$transaction((tx) => tx.auditEntry.createMany({ data: entries }));
    const limit = NOW - 90 * DAY_MS;
    const older = entries.filter((e) => e.at.getTime() < limit).length;
    const cleaner = retention(db, { auditRetentionDays: 90 }, { batchSize: 100 });
    expect(await cleaner.pass(NOW)).toMatchObject({ action: null, audit: older, complete: true });
    expect(await db.read.auditEntry.count({ where: { at: { lt: new Date(limit) } } })).toBe(0);
    expect(await db.read.auditEntry.count()).toBe(entries.length - older);
    expect(await cleaner.pass(NOW)).toMatchObject({ audit: 0 });
    // Calls are kept (retentionDays null): no purge marker.
    expect(await purgedBefore(db)).toBeNull();
    await cleaner.stop();
  });
});
