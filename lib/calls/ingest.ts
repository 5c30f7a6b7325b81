import { raw, sqltag as sql } from '@prisma/client/runtime/client';
import type { Database, Tx } from '../db/client';
import type { Provider } from '../db/adapters';
import type { Callback } from '../callbacks/schema';
import { applyEvent, type CallState } from './apply';
import { Overloaded } from './overload';
import { rollupLimits } from './stored-settings';
import { lockIngest, ROLLUP_COLUMNS } from './rollup';
import { addTally, contribution, emptyTally, isZero, minuteBucket } from './tally';
import type { MosLimits } from './status';
import type { CallFacts, CallRow, CallUpdate, Tally } from './types';

export type IngestOutcome =
  | { kind: 'stored'; eventId: number; update?: CallUpdate }
  /** An earlier status after a later one: recorded; it changes the call only where it adds to it. */
  | { kind: 'late'; eventId: number; update?: CallUpdate }
  | { kind: 'duplicate' };

export interface Submission {
  callback: Callback;
  receivedAt: Date;
}

interface Pending extends Submission {
  resolve(outcome: IngestOutcome): void;
  reject(error: unknown): void;
}

export interface IngestOptions {
  /** Callbacks waiting for a commit beyond this are refused (the provider retries). */
  queueLimit: number;
  /** Most callbacks committed in one transaction. */
  batchSize: number;
  /** Called after each commit with the changes it made, in id order. */
  publish(updates: CallUpdate[]): void;
}

export function toRow(c: CallState & { eventId: number }): CallRow {
  return {
    callSid: c.callSid,
    accountSid: c.accountSid,
    from: c.from,
    to: c.to,
    status: c.status,
    startedAt: c.startedAt.toISOString(),
    duration: c.duration,
    mos: c.mos,
    eventId: c.eventId,
  };
}

function factsOf(c: CallState): CallFacts {
  return {
    startedAt: c.startedAt.toISOString(),
    to: c.to,
    from: c.from,
    status: c.status,
    duration: c.duration,
    mos: c.mos,
  };
}

function rollupValues(t: Tally): number[] {
  return [
    t.calls,
    t.finished,
    t.completed,
    t.durationSum,
    t.durationCount,
    t.mosSumCenti,
    t.mosCount,
    ...t.mosBands,
    ...t.durationBins,
    t.badAudioSeconds,
  ];
}

const quote = (c: string) => `"${c}"`;
const CALL_COLUMNS = [
  'callSid',
  'accountSid',
  'from',
  'to',
  'status',
  'sequence',
  'startedAt',
  'duration',
  'mos',
  'firstSeenAt',
  'updatedAt',
  'eventId',
] as const;
const CALL_TYPES: readonly Column[] = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'integer',
  'timestamp(3)',
  'integer',
  'double precision',
  'timestamp(3)',
  'timestamp(3)',
  'integer',
];
const CALL_INSERT = sql([`INSERT INTO "Call" (${CALL_COLUMNS.map(quote).join(', ')}) `]);
const CALL_CONFLICT = sql([
  ` ON CONFLICT ("callSid") DO UPDATE SET ${CALL_COLUMNS.filter((c) => c !== 'callSid' && c !== 'firstSeenAt')
    .map((c) => `${quote(c)} = excluded.${quote(c)}`)
    .join(', ')}`,
]);
const ROLLUP_INSERT = sql([
  `INSERT INTO "Rollup" ("resolution", "bucket", "line", ${ROLLUP_COLUMNS.map(quote).join(', ')}) `,
]);
const ROLLUP_TYPES: readonly Column[] = [
  'integer',
  'timestamp(3)',
  'text',
  ...ROLLUP_COLUMNS.map(() => 'integer' as const),
];
const ROLLUP_CONFLICT = sql([
  ` ON CONFLICT ("resolution", "bucket", "line") DO UPDATE SET ${ROLLUP_COLUMNS.map(
    (c) => `${quote(c)} = "Rollup".${quote(c)} + excluded.${quote(c)}`,
  ).join(', ')}`,
]);

const EVENT_INSERT = sql([
  'INSERT INTO "CallEvent" ("callSid", "status", "sequence", "timestamp", "receivedAt", "raw", "deliveries", "applied") ',
]);
const EVENT_TYPES: readonly Column[] = [
  'text',
  'text',
  'integer',
  'timestamp(3)',
  'timestamp(3)',
  'text',
  'integer',
  'boolean',
];
const LINE_TYPES: readonly Column[] = ['text', 'timestamp(3)', 'timestamp(3)'];
const LINE_INSERT = sql(['INSERT INTO "Line" ("line", "lastCallbackAt", "lastCallAt") ']);
const lineConflict = (provider: Provider) => {
  const max = provider === 'sqlite' ? 'MAX' : 'GREATEST';
  return sql([
    ` ON CONFLICT ("line") DO UPDATE SET "lastCallbackAt" = ${max}("Line"."lastCallbackAt", excluded."lastCallbackAt"), "lastCallAt" = ${max}("Line"."lastCallAt", excluded."lastCallAt")`,
  ]);
};
const CALL_SELECT = sql([`SELECT ${CALL_COLUMNS.map(quote).join(', ')} FROM "Call"`]);

type RawEvent = { id: number | bigint; callSid: string; status: string };
type RawCall = Record<(typeof CALL_COLUMNS)[number], unknown>;
type StoredCall = CallState & { firstSeenAt: Date };

// Raw rows come back as the driver gives them: dates as Date (PostgreSQL) or epoch ms (SQLite),
// integers possibly as bigint.
const asDate = (v: unknown) => (v instanceof Date ? v : new Date(Number(v)));
const asNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const asText = (v: unknown) => (v === null || v === undefined ? null : String(v));

function fromRawCall(c: RawCall): StoredCall {
  return {
    callSid: String(c.callSid),
    accountSid: asText(c.accountSid),
    from: asText(c.from),
    to: asText(c.to),
    status: String(c.status),
    sequence: asNumber(c.sequence),
    startedAt: asDate(c.startedAt),
    duration: asNumber(c.duration),
    mos: asNumber(c.mos),
    firstSeenAt: asDate(c.firstSeenAt),
  };
}

interface Touched {
  before: StoredCall | null;
  state: CallState;
  firstSeenAt: Date;
  updatedAt: Date;
  /** The event that last changed the call in this batch: its id becomes the call's eventId. */
  lastKey: string;
}

/**
 * Rows per statement. Rows travel as one JSON parameter (see rowsOf), so this bounds memory and
 * statement time, not the drivers' parameter limits.
 */
const ROWS_PER_STATEMENT = 5_000;
function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += ROWS_PER_STATEMENT) out.push(xs.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

type Column = 'text' | 'integer' | 'double precision' | 'timestamp(3)' | 'boolean';
type Cell = string | number | boolean | Date | null;

/**
 * A SELECT yielding `rows`, in order, from one JSON parameter: SQLite's json_each or
 * PostgreSQL's json_array_elements unpack it inside the database. Binding every cell as its own
 * parameter instead made Prisma's per-parameter handling most of a batch's cost (CPU profile of
 * `npm run seed`); one string parameter costs the same at 1 row or 5,000.
 */
function rowsOf(provider: Provider, types: readonly Column[], rows: Cell[][]) {
  const sqlite = provider === 'sqlite';
  // DateTime is stored as epoch ms in SQLite (timestampFormat unixepoch-ms) and as a UTC
  // timestamp(3) in PostgreSQL, which reads an ISO string's zone-less UTC value.
  const json = JSON.stringify(
    rows.map((r) => r.map((v) => (v instanceof Date ? (sqlite ? v.getTime() : v.toISOString()) : v))),
  );
  if (sqlite) {
    // WHERE true: SQLite needs it to parse an upsert after INSERT ... SELECT.
    const cells = types.map((_, i) => `value ->> ${i}`).join(', ');
    return sql`SELECT ${raw(cells)} FROM json_each(${json}) WHERE true ORDER BY key`;
  }
  const cells = types.map((t, i) => `(e ->> ${i})::${t}`).join(', ');
  return sql`SELECT ${raw(cells)} FROM json_array_elements(${json}::json) WITH ORDINALITY AS r(e, n) WHERE true ORDER BY n`;
}

/** `IN (...)` over a list of strings, as one JSON parameter (see rowsOf). */
function inList(provider: Provider, values: string[]) {
  const json = JSON.stringify(values);
  return provider === 'sqlite'
    ? sql`IN (SELECT value FROM json_each(${json}))`
    : sql`IN (SELECT json_array_elements_text(${json}::json))`;
}

const eventKey = (callSid: string, status: string) => `${callSid}\u0000${status}`;

/** Rollup resolutions in minutes: minutes for short charts, hours for totals and long ones. */
export const RESOLUTIONS = [1, 60] as const;

function rollupKey(c: CallState) {
  return { bucket: minuteBucket(c.startedAt.getTime()), line: c.to ?? '' };
}

const bucketAt = (minute: number, resolution: number) =>
  Math.floor(minute / (resolution * 60_000)) * resolution * 60_000;

/**
 * Stores a batch of callbacks inside the caller's transaction, with the same handful of queries
 * whatever the batch's size: read the calls and events involved, work out every change in memory
 * (in arrival order, so retries and disorder within a batch behave as across batches), then write
 * events, calls and rollups with one multi-row statement each.
 */
export async function ingestBatch(
  tx: Tx,
  provider: Provider,
  batch: Submission[],
  limits: MosLimits,
): Promise<IngestOutcome[]> {
  const sids = [...new Set(batch.map((s) => s.callback.callSid))];
  // Raw multi-row SQL rather than model queries: at thousands of rows a batch the model layer's
  // argument handling was most of the cost.
  const events: { id: number; callSid: string; status: string }[] = [];
  const calls: StoredCall[] = [];
  for (const part of chunks(sids)) {
    const list = inList(provider, part);
    for (const e of await tx.$queryRaw<RawEvent[]>(
      sql`SELECT "id", "callSid", "status" FROM "CallEvent" WHERE "callSid" ${list}`,
    )) {
      events.push({ id: Number(e.id), callSid: e.callSid, status: e.status });
    }
    for (const c of await tx.$queryRaw<RawCall[]>(sql`${CALL_SELECT} WHERE "callSid" ${list}`)) {
      calls.push(fromRawCall(c));
    }
  }
  const storedEvents = new Map(events.map((e) => [eventKey(e.callSid, e.status), e.id]));
  const stored = new Map(calls.map((c) => [c.callSid, c]));

  const newEvents: {
    callSid: string;
    status: string;
    sequence: number | null;
    timestamp: Date | null;
    receivedAt: Date;
    raw: string;
    applied: boolean;
    deliveries: number;
  }[] = [];
  const newByKey = new Map<string, (typeof newEvents)[number]>();
  const retriesOfStored = new Map<number, number>();
  const touched = new Map<string, Touched>();
  // Per line: when it was last heard from, and its latest call start.
  const lines = new Map<string, { callbackAt: number; callAt: number }>();
  const heard = (c: { to: string | null; startedAt: Date } | null, cb: Callback, receivedAt: Date) => {
    const line = c?.to ?? cb.to ?? '';
    const callAt = (c?.startedAt ?? cb.timestamp ?? receivedAt).getTime();
    const known = lines.get(line);
    lines.set(line, {
      callbackAt: Math.max(known?.callbackAt ?? 0, receivedAt.getTime()),
      callAt: Math.max(known?.callAt ?? 0, callAt),
    });
  };
  const results: ({ kind: 'duplicate' } | { kind: 'stored' | 'late'; key: string; sid: string })[] = [];

  for (const { callback: cb, receivedAt } of batch) {
    const key = eventKey(cb.callSid, cb.status);
    const storedId = storedEvents.get(key);
    const fresh = newByKey.get(key);
    if (storedId !== undefined || fresh) {
      if (fresh) fresh.deliveries++;
      else retriesOfStored.set(storedId!, (retriesOfStored.get(storedId!) ?? 0) + 1);
      heard(touched.get(cb.callSid)?.state ?? stored.get(cb.callSid) ?? null, cb, receivedAt);
      results.push({ kind: 'duplicate' });
      continue;
    }
    const t = touched.get(cb.callSid);
    const db = stored.get(cb.callSid) ?? null;
    const current = t?.state ?? db;
    const { next, applies, changed } = applyEvent(current, cb, receivedAt);
    const event = {
      callSid: cb.callSid,
      status: cb.status,
      sequence: cb.sequence,
      timestamp: cb.timestamp,
      receivedAt,
      raw: JSON.stringify(cb.raw),
      applied: applies,
      deliveries: 1,
    };
    newEvents.push(event);
    newByKey.set(key, event);
    if (changed) {
      touched.set(cb.callSid, {
        before: t ? t.before : db,
        state: next,
        firstSeenAt: t?.firstSeenAt ?? db?.firstSeenAt ?? receivedAt,
        updatedAt: receivedAt,
        lastKey: key,
      });
    }
    heard(changed ? next : current, cb, receivedAt);
    results.push({ kind: applies ? 'stored' : 'late', key, sid: cb.callSid });
  }

  // Events first: their ids, unique per CallSid+CallStatus, are what calls and clients resume from.
  const idOf = new Map<string, number>();
  for (const part of chunks(newEvents)) {
    const rows = part.map((e) => [
      e.callSid,
      e.status,
      e.sequence,
      e.timestamp,
      e.receivedAt,
      e.raw,
      e.deliveries,
      e.applied,
    ]);
    const inserted = await tx.$queryRaw<RawEvent[]>(
      sql`${EVENT_INSERT}${rowsOf(provider, EVENT_TYPES, rows)} RETURNING "id", "callSid", "status"`,
    );
    for (const e of inserted) idOf.set(eventKey(e.callSid, e.status), Number(e.id));
  }

  const byCount = new Map<number, number[]>();
  for (const [id, n] of retriesOfStored) byCount.set(n, [...(byCount.get(n) ?? []), id]);
  for (const [n, ids] of byCount) {
    await tx.callEvent.updateMany({ where: { id: { in: ids } }, data: { deliveries: { increment: n } } });
  }

  const updates = new Map<string, CallUpdate>();
  const rollups = new Map<string, { resolution: number; bucket: number; line: string; delta: Tally }>();
  if (touched.size > 0) {
    const rows = [...touched.values()].map((t): Cell[] => {
      const s = t.state;
      return [
        s.callSid,
        s.accountSid,
        s.from,
        s.to,
        s.status,
        s.sequence,
        s.startedAt,
        s.duration,
        s.mos,
        t.firstSeenAt,
        t.updatedAt,
        idOf.get(t.lastKey)!,
      ];
    });
    for (const part of chunks(rows)) {
      await tx.$executeRaw(sql`${CALL_INSERT}${rowsOf(provider, CALL_TYPES, part)}${CALL_CONFLICT}`);
    }

    for (const [sid, t] of touched) {
      // Move the call's contribution from its old rollup row to its new one (often the same row).
      const changes = new Map<string, { bucket: number; line: string; delta: Tally }>();
      const shift = (c: CallState, sign: 1 | -1) => {
        const { bucket, line } = rollupKey(c);
        const k = `${bucket}\u0000${line}`;
        const entry = changes.get(k) ?? { bucket, line, delta: emptyTally() };
        addTally(entry.delta, contribution(c, limits), sign);
        changes.set(k, entry);
      };
      if (t.before) shift(t.before, -1);
      shift(t.state, 1);
      const moved = [...changes.entries()].filter(([, c]) => !isZero(c.delta));
      for (const [, c] of moved) {
        for (const resolution of RESOLUTIONS) {
          const bucket = bucketAt(c.bucket, resolution);
          const k = `${resolution}\u0000${bucket}\u0000${c.line}`;
          const total = rollups.get(k) ?? { resolution, bucket, line: c.line, delta: emptyTally() };
          addTally(total.delta, c.delta);
          rollups.set(k, total);
        }
      }
      const eventId = idOf.get(t.lastKey)!;
      updates.set(sid, {
        id: eventId,
        call: toRow({ ...t.state, eventId }),
        before: t.before && factsOf(t.before),
      });
    }
    const changed = [...rollups.values()].filter((r) => !isZero(r.delta));
    if (changed.length > 0) {
      const values = changed.map((r): Cell[] => [
        r.resolution,
        new Date(r.bucket),
        r.line,
        ...rollupValues(r.delta),
      ]);
      for (const part of chunks(values)) {
        await tx.$executeRaw(sql`${ROLLUP_INSERT}${rowsOf(provider, ROLLUP_TYPES, part)}${ROLLUP_CONFLICT}`);
      }
    }
  }

  if (lines.size > 0) {
    const rows = [...lines].map(([line, l]): Cell[] => [line, new Date(l.callbackAt), new Date(l.callAt)]);
    await tx.$executeRaw(sql`${LINE_INSERT}${rowsOf(provider, LINE_TYPES, rows)}${lineConflict(provider)}`);
  }

  return results.map((r) => {
    if (r.kind === 'duplicate') return r;
    const update = updates.get(r.sid);
    // A call changed by several events of the batch is published once, with its last change.
    return {
      kind: r.kind,
      eventId: idOf.get(r.key)!,
      update: update?.id === idOf.get(r.key) ? update : undefined,
    };
  });
}

/**
 * Commits callbacks in batches: every callback waiting when a transaction starts rides in it, so
 * one commit serves many requests, and each caller is answered only after its commit.
 */
export class Ingestor {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly opts: IngestOptions,
  ) {}

  get backlog(): number {
    return this.queue.length;
  }

  submit(callback: Callback): Promise<IngestOutcome> {
    if (this.queue.length >= this.opts.queueLimit) {
      return Promise.reject(new Overloaded('ingest queue is full'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ callback, receivedAt: new Date(), resolve, reject });
      this.running ??= this.drainLoop();
    });
  }

  /** Resolves once everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainLoop(): Promise<void> {
    // Let the requests that arrive in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.batchSize);
        await this.commit(batch);
      }
    } finally {
      this.running = null;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: IngestOutcome[];
    const serialize = this.db.provider === 'postgresql';
    try {
      outcomes = await this.db.write.$transaction(
        async (tx) => {
          // Instances sharing a PostgreSQL store take turns, as SQLite's single writer does: event
          // ids then commit in id order, so "everything after id N" is never missing an earlier
          // id committed later, and a callback sent to two instances at once is seen as a retry.
          if (serialize) await lockIngest(tx);
          // Read under the lock: a change of MOS bands rebuilds the rollups under it too.
          return ingestBatch(tx, this.db.provider, batch, await rollupLimits(tx));
        },
        {
          timeout: 60_000,
          maxWait: 60_000,
        },
      );
    } catch (error) {
      // One callback the store refuses must not fail the others that shared its transaction:
      // retry them one by one, so only the culprit gets the error (and the provider's retry).
      if (batch.length > 1) {
        for (const p of batch) await this.commit([p]);
        return;
      }
      batch[0]!.reject(error);
      return;
    }
    const updates: CallUpdate[] = [];
    outcomes.forEach((o, i) => {
      if (o.kind !== 'duplicate' && o.update) updates.push(o.update);
      batch[i]!.resolve(o);
    });
    if (updates.length > 0) this.opts.publish(updates.sort((a, b) => a.id - b.id));
  }
}
