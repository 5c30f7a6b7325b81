// Retention, in the background: calls older than the privacy settings' retentionDays are deleted
// with their callbacks (or kept with callers' numbers masked), and audit entries older than
// auditRetentionDays are deleted. The rollups stay: board totals and charts keep counting purged
// calls (rebuildRollups in lib/calls/aggregate.ts leaves their rows alone).
//
// Work goes in short transactions of at most BATCH calls (or entries), with a pause between them,
// so ingest commits interleave: on SQLite they take turns through SQLite's write lock, on PostgreSQL
// each batch takes the ingest lock as an ingest commit does (`batches` paces them). With several
// instances, the one holding the "retention" lease does the work (on SQLite the single instance
// always does).
import { randomUUID } from 'node:crypto';
import { sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import type { Database, Db, Tx } from '../db/client';
import type { Provider } from '../db/adapters';
import type { Logger } from '../log';
import { inList } from '../db/bulk';
import { PURGE_CUTOFF_KEY, PURGED_BEFORE_KEY, at } from '../calls/aggregate';
import { lockIngest } from '../calls/rollup';
import { loadPrivacy } from '../calls/stored-settings';
import { maskNumber, maskRaw } from '../auth/mask';
import type { PrivacySettings } from '../common/privacy';
import { DAY_MS, MINUTE_MS } from '../common/time';

const LEASE = 'retention';
/** Setting: epoch ms up to which every call's numbers are masked (retentionAction "mask"). */
const MASKED_BEFORE_KEY = 'retention.maskedBefore';
/** Setting: JSON of the last pass (LastRun). */
const LAST_RUN_KEY = 'retention.lastRun';
/** Most calls or audit entries per transaction. */
const BATCH = 500;
/** Fewest: a batch is halved after a slow one, down to this. */
const MIN_BATCH = 20;
/** What a batch should take at most: the longest a callback's commit waits for one. */
const TARGET_MS = 15;
/** A pause after each batch this many times as long as the batch: retention's share is 1 / (1 + this). */
const PAUSE_FACTOR = 3;
/** The shortest pause between batches. */
const PAUSE_MS = 5;
/** What masking leaves in every number it hides (lib/auth/mask.ts): a value holding it is done. */
const MASK_MARK = '•';

export interface RetentionOptions {
  log: Logger;
  /** The privacy settings in force while none are stored (privacyDefaults: the environment). */
  defaults: PrivacySettings;
  /** Between passes; default 5 minutes. */
  intervalMs?: number;
  /** From start() to the first pass; default 60 s, clear of a start's reconnecting boards. */
  firstPassMs?: number;
  /** How long the lease lasts without renewal; renewed between batches. Default 3 intervals. */
  leaseMs?: number;
  /** Most calls (or audit entries) per transaction, and the first batch's size; default 500. */
  batchSize?: number;
  /** The shortest pause between batches; default 5 ms. */
  pauseMs?: number;
  /** Called after each batch commits (tests stop a pass part way). */
  afterBatch?(): void | Promise<void>;
}

/** What one pass did. */
export interface PassResult {
  /** "delete" or "mask" when calls were past their retention; null when calls are kept. */
  action: PrivacySettings['retentionAction'] | null;
  /** Epoch ms: calls started before it were deleted or masked; null when calls are kept. */
  cutoff: number | null;
  deleted: number;
  /** Callbacks deleted with the calls. */
  events: number;
  masked: number;
  /** Callbacks whose raw fields were masked. */
  maskedEvents: number;
  audit: number;
  /** False when stopped (or the lease lost) part way: the markers were not advanced. */
  complete: boolean;
  ms: number;
}

interface LastRun {
  at: number;
  deleted: number;
  masked: number;
  audit: number;
  ms: number;
}

export interface RetentionStatus {
  /** Calls started before this (epoch ms, a UTC midnight) have been deleted; null: none. */
  purgedBefore: number | null;
  /** Calls started before this have their numbers masked; null: none. */
  maskedBefore: number | null;
  /** When the last pass ended (epoch ms); null: never. */
  lastRunAt: number | null;
  /** Calls the last pass deleted. */
  lastDeleted: number | null;
  /** Calls the last pass masked. */
  lastMasked: number | null;
  /** How long the last pass took. */
  lastMs: number | null;
}

/**
 * Calls started before this are past a retention of `days` at `now`: the UTC midnight at or before
 * now - days. Always a midnight, so that every rollup row (minute, hour, UTC day) lies wholly on
 * one side of it and a rebuild can keep the rows before it as they are.
 */
export function retentionCutoff(now: number, days: number): number {
  return Math.floor((now - days * DAY_MS) / DAY_MS) * DAY_MS;
}

type Reader = Pick<Db, 'setting'>;
const readerOf = (db: Database | Reader): Reader => ('read' in db ? db.read : db);

const epochMs = (value: string | undefined): number | null => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : null;
};

/** Calls started before this (epoch ms, a UTC midnight) have been deleted; null when none were. */
export async function purgedBefore(db: Database | Reader): Promise<number | null> {
  const row = await readerOf(db).setting.findUnique({ where: { key: PURGED_BEFORE_KEY } });
  return epochMs(row?.value);
}

/** What the admin page shows of retention. */
export async function retentionStatus(db: Database | Reader): Promise<RetentionStatus> {
  const rows = await readerOf(db).setting.findMany({
    where: { key: { in: [PURGED_BEFORE_KEY, MASKED_BEFORE_KEY, LAST_RUN_KEY] } },
  });
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  let last: Partial<LastRun> = {};
  try {
    last = JSON.parse(value(LAST_RUN_KEY) ?? '{}') as Partial<LastRun>;
  } catch {
    // An unreadable row reads as no pass yet; the next pass writes it again.
  }
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    purgedBefore: epochMs(value(PURGED_BEFORE_KEY)),
    maskedBefore: epochMs(value(MASKED_BEFORE_KEY)),
    lastRunAt: n(last.at),
    lastDeleted: n(last.deleted),
    lastMasked: n(last.masked),
    lastMs: n(last.ms),
  };
}

/** Sets an epoch-ms Setting to `ms` unless it already holds a later one: markers never move back. */
async function raise(tx: Tx, key: string, ms: number): Promise<void> {
  const row = await tx.setting.findUnique({ where: { key } });
  const held = epochMs(row?.value);
  if (held !== null && held >= ms) return;
  const value = String(ms);
  await tx.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
}

/** A stored number as masking leaves it; one already masked is left as it is. */
const masked = (v: string | null) => (v === null || v.includes(MASK_MARK) ? v : maskNumber(v));

/**
 * A callback's stored raw fields with the caller's data masked (maskRaw), or null when that
 * changes nothing. A field already masked is kept: masking a masked number again would change it
 * ("+1 555 ••• 0123" has digits of its own), and a second pass must change nothing.
 */
export function maskStoredRaw(raw: string, direction: string): string | null {
  let fields: unknown;
  try {
    fields = JSON.parse(raw);
  } catch {
    return null;
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return null;
  const strings = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
  const out = maskRaw(strings, direction);
  for (const [k, v] of Object.entries(strings)) if (v.includes(MASK_MARK)) out[k] = v;
  const next = JSON.stringify(out);
  return next === raw ? null : next;
}

/** `UPDATE "<table>" SET <columns> = ...` from rows of [id, ...values] (text values), by id. */
function updateById(
  provider: Provider,
  table: string,
  columns: string[],
  rows: (string | number | null)[][],
): Sql {
  const json = JSON.stringify(rows);
  const set = (value: (i: number) => string) => columns.map((c, i) => `"${c}" = ${value(i + 1)}`).join(', ');
  return provider === 'sqlite'
    ? sql(
        [
          `UPDATE "${table}" SET ${set((i) => `v.value ->> ${i}`)} FROM json_each(`,
          `) AS v WHERE "${table}"."id" = v.value ->> 0`,
        ],
        json,
      )
    : sql(
        [
          `UPDATE "${table}" SET ${set((i) => `v.e ->> ${i}`)} FROM json_array_elements(`,
          `::json) AS v(e) WHERE "${table}"."id" = (v.e ->> 0)::int`,
        ],
        json,
      );
}

export class Retention {
  readonly instance = randomUUID();
  private first: ReturnType<typeof setTimeout> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<PassResult | null> | null = null;
  private stopping = false;
  private holding = false;
  private renewedAt = 0;

  constructor(
    private readonly db: Database,
    private readonly opts: RetentionOptions,
  ) {}

  private get intervalMs() {
    return this.opts.intervalMs ?? 5 * MINUTE_MS;
  }
  private get leaseMs() {
    return this.opts.leaseMs ?? 3 * this.intervalMs;
  }
  private get batchSize() {
    return this.opts.batchSize ?? BATCH;
  }

  start(): void {
    this.stopping = false;
    this.first = setTimeout(() => void this.tick(), this.opts.firstPassMs ?? 60_000);
    this.first.unref();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timers and waits for the batch under way; a pass stopped part way resumes next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
    this.first = this.timer = null;
    await this.running;
    if (this.holding && this.db.provider === 'postgresql') {
      // Hand the lease over at once rather than make another instance wait for it to expire.
      await this.db.write
        .$transaction((tx) =>
          tx.lease.updateMany({
            where: { name: LEASE, holder: this.instance },
            data: { expiresAt: new Date(0) },
          }),
        )
        .catch(() => {});
    }
    this.holding = false;
  }

  /**
   * One pass unless one is under way (then that one's result) or retention is stopped; a failure
   * is logged and resolves null, and the next pass tries again.
   */
  tick(now?: number): Promise<PassResult | null> {
    if (this.stopping) return this.running ?? Promise.resolve(null);
    this.running ??= this.pass(now)
      .catch((err: unknown) => {
        this.opts.log.error({ err: String(err) }, 'retention pass failed');
        return null;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  /** One pass, if this instance holds the lease (null otherwise). Throws what the store throws. */
  async pass(now = Date.now()): Promise<PassResult | null> {
    const held = this.holding;
    this.holding = await this.lease();
    if (this.holding !== held && this.db.provider === 'postgresql') {
      this.opts.log.info(
        { instance: this.instance },
        this.holding ? 'retention lease taken' : 'retention lease lost',
      );
    }
    if (!this.holding) return null;
    const started = performance.now();
    const privacy = await loadPrivacy(this.db.read, this.opts.defaults);
    const result: PassResult = {
      action: null,
      cutoff: null,
      deleted: 0,
      events: 0,
      masked: 0,
      maskedEvents: 0,
      audit: 0,
      complete: true,
      ms: 0,
    };
    if (privacy.retentionDays !== null) {
      result.action = privacy.retentionAction;
      result.cutoff = retentionCutoff(now, privacy.retentionDays);
      result.complete =
        privacy.retentionAction === 'delete'
          ? await this.purge(result.cutoff, result)
          : await this.mask(result.cutoff, result);
    }
    if (result.complete) {
      result.complete = await this.purgeAudit(now - privacy.auditRetentionDays * DAY_MS, result);
    }
    result.ms = Math.round(performance.now() - started);
    if (result.complete) {
      const last: LastRun = {
        at: Date.now(),
        deleted: result.deleted,
        masked: result.masked,
        audit: result.audit,
        ms: result.ms,
      };
      const value = JSON.stringify(last);
      await this.db.write.$transaction((tx) =>
        tx.setting.upsert({
          where: { key: LAST_RUN_KEY },
          create: { key: LAST_RUN_KEY, value },
          update: { value },
        }),
      );
    }
    this.opts.log.info(
      {
        action: result.action,
        cutoff: result.cutoff === null ? null : new Date(result.cutoff).toISOString(),
        deleted: result.deleted,
        events: result.events,
        masked: result.masked,
        maskedEvents: result.maskedEvents,
        audit: result.audit,
        complete: result.complete,
        ms: result.ms,
      },
      'retention pass',
    );
    return result;
  }

  /** Takes the lease if it is free or expired, renews it if it is ours; whether it is ours. */
  private async lease(): Promise<boolean> {
    if (this.db.provider === 'sqlite') return true;
    const now = Date.now();
    const p = this.db.provider;
    // In a transaction of its own, as every write here (see the alert evaluator's lease).
    const n = await this.db.write.$transaction((tx) =>
      tx.$executeRaw(
        sql`INSERT INTO "Lease" ("name", "holder", "expiresAt") VALUES (${LEASE}, ${this.instance}, ${at(p, now + this.leaseMs)})
            ON CONFLICT ("name") DO UPDATE SET "holder" = excluded."holder", "expiresAt" = excluded."expiresAt"
            WHERE "Lease"."holder" = excluded."holder" OR "Lease"."expiresAt" < ${at(p, now)}`,
      ),
    );
    if (n === 1) this.renewedAt = now;
    return n === 1;
  }

  /**
   * Runs `batch` (given how many rows to take) until it finds nothing to do; whether it got that
   * far (not stopped, the lease still ours). A batch is halved after one slower than TARGET_MS and
   * doubled (up to batchSize) after one under half of it, and each is followed by a pause three
   * times as long: retention takes at most a quarter of the writer's time, and on SQLite, whose
   * driver runs every statement on the event loop, at most a quarter of the process's, so requests
   * keep being answered at their usual pace during a long purge.
   */
  private async batches(batch: (size: number) => Promise<boolean>): Promise<boolean> {
    let size = this.batchSize;
    for (;;) {
      const started = performance.now();
      if (!(await batch(size))) return true;
      const took = performance.now() - started;
      this.opts.log.debug({ size, ms: Math.round(took) }, 'retention batch');
      if (took > TARGET_MS) size = Math.max(Math.min(MIN_BATCH, size), Math.floor(size / 2));
      else if (took < TARGET_MS / 2) size = Math.min(this.batchSize, size * 2);
      await this.opts.afterBatch?.();
      await new Promise((r) => setTimeout(r, Math.max(this.opts.pauseMs ?? PAUSE_MS, PAUSE_FACTOR * took)));
      if (this.stopping) return false;
      if (this.db.provider === 'postgresql' && Date.now() - this.renewedAt > this.leaseMs / 3) {
        this.holding = await this.lease();
        if (!this.holding) this.opts.log.info({ instance: this.instance }, 'retention lease lost');
      }
      if (!this.holding) return false;
    }
  }

  /** A batch's transaction: on PostgreSQL under the ingest lock, as an ingest commit. */
  private write<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.write.$transaction(
      async (tx) => {
        if (this.db.provider === 'postgresql') await lockIngest(tx);
        return work(tx);
      },
      { timeout: 60_000, maxWait: 60_000 },
    );
  }

  /**
   * Deletes the calls started before `cutoff` and their callbacks, oldest first; whether it got
   * through all of them. Legs are calls like any other, each by its own start.
   */
  private async purge(cutoff: number, result: PassResult): Promise<boolean> {
    const p = this.db.provider;
    let marked = false;
    const complete = await this.batches(async (size) => {
      const done = await this.write(async (tx) => {
        // The oldest first, by the startedAt index.
        const rows = await tx.$queryRaw<{ callSid: string }[]>(
          sql`SELECT "callSid" FROM "Call" WHERE "startedAt" < ${at(p, cutoff)} ORDER BY "startedAt" LIMIT ${size}`,
        );
        if (rows.length === 0) return { calls: 0, events: 0 };
        // In the same transaction as the first deletions: a rebuild that sees any of these calls
        // gone also sees the cutoff, and keeps the rollup rows before it.
        if (!marked) await raise(tx, PURGE_CUTOFF_KEY, cutoff);
        const sids = inList(
          p,
          rows.map((r) => r.callSid),
        );
        const events = await tx.$executeRaw(sql`DELETE FROM "CallEvent" WHERE "callSid" ${sids}`);
        const calls = await tx.$executeRaw(sql`DELETE FROM "Call" WHERE "callSid" ${sids}`);
        return { calls, events };
      });
      if (done.calls === 0) return false;
      result.deleted += done.calls;
      result.events += done.events;
      marked = true;
      return true;
    });
    if (!complete) return false;
    await this.write((tx) => raise(tx, PURGED_BEFORE_KEY, cutoff));
    return true;
  }

  /**
   * Masks callers' numbers (and the called number of legs and outbound calls) in the calls started
   * before `cutoff` and in their callbacks, from where the last complete pass stopped.
   */
  private async mask(cutoff: number, result: PassResult): Promise<boolean> {
    const p = this.db.provider;
    const from = epochMs(
      (await this.db.read.setting.findUnique({ where: { key: MASKED_BEFORE_KEY } }))?.value,
    );
    if (from !== null && from >= cutoff) return true;
    // Keyset paging by (startedAt, id), so each batch starts where the last ended.
    let after: { at: number; id: number } | null = null;
    const complete = await this.batches(async (size) => {
      const last = await this.write(async (tx) => {
        const calls = await tx.call.findMany({
          where: {
            startedAt: { lt: new Date(cutoff), ...(from !== null ? { gte: new Date(from) } : {}) },
            ...(after
              ? {
                  OR: [
                    { startedAt: { gt: new Date(after.at) } },
                    { startedAt: new Date(after.at), id: { gt: after.id } },
                  ],
                }
              : {}),
          },
          orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
          take: size,
          select: { id: true, callSid: true, from: true, to: true, direction: true, startedAt: true },
        });
        if (calls.length === 0) return null;
        const changedCalls: (string | number | null)[][] = [];
        for (const c of calls) {
          const f = masked(c.from);
          const t = c.direction === 'inbound' ? c.to : masked(c.to);
          if (f !== c.from || t !== c.to) changedCalls.push([c.id, f, t]);
        }
        const direction = new Map(calls.map((c) => [c.callSid, c.direction]));
        const events = await tx.callEvent.findMany({
          where: { callSid: { in: calls.map((c) => c.callSid) } },
          select: { id: true, callSid: true, raw: true },
        });
        const changedEvents: (string | number | null)[][] = [];
        for (const e of events) {
          const raw = maskStoredRaw(e.raw, direction.get(e.callSid) ?? 'inbound');
          if (raw !== null) changedEvents.push([e.id, raw]);
        }
        if (changedCalls.length > 0)
          await tx.$executeRaw(updateById(p, 'Call', ['from', 'to'], changedCalls));
        if (changedEvents.length > 0)
          await tx.$executeRaw(updateById(p, 'CallEvent', ['raw'], changedEvents));
        const end = calls[calls.length - 1]!;
        return {
          at: end.startedAt.getTime(),
          id: end.id,
          calls: changedCalls.length,
          events: changedEvents.length,
        };
      });
      if (last === null) return false;
      result.masked += last.calls;
      result.maskedEvents += last.events;
      after = last;
      return true;
    });
    if (!complete) return false;
    await this.write((tx) => raise(tx, MASKED_BEFORE_KEY, cutoff));
    return true;
  }

  /** Deletes audit entries recorded before `before`, oldest first, in batches. */
  private purgeAudit(before: number, result: PassResult): Promise<boolean> {
    return this.batches(async (size) => {
      const n = await this.db.write.$transaction(async (tx) => {
        const rows = await tx.auditEntry.findMany({
          where: { at: { lt: new Date(before) } },
          orderBy: { at: 'asc' },
          take: size,
          select: { id: true },
        });
        if (rows.length === 0) return 0;
        return (await tx.auditEntry.deleteMany({ where: { id: { in: rows.map((r) => r.id) } } })).count;
      });
      result.audit += n;
      return n > 0;
    });
  }
}
