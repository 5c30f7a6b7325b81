// A batch of callbacks against the store, inside the caller's transaction: read what the store
// holds of the calls involved, plan the batch (plan.ts), write the plan: on PostgreSQL the same
// handful of statements whatever the batch's size, on SQLite the same prepared statements run once
// per row.
import { raw, sqltag as sql } from '@prisma/client/runtime/client';
import type BetterSqlite3 from 'better-sqlite3';
import type { Database, Tx } from '../../db/client';
import type { Provider } from '../../db/adapters';
import { chunks, inList, rowsOf, type Cell, type Column } from '../../db/bulk';
import { storedCallOf } from '../rows';
import { BIGINT_COLUMNS, ROLLUP_COLUMNS, rollupValues } from '../rollup';
import { parseFailureKey } from '../../common/status';
import type { MosLimits } from '../../common/status';
import {
  eventKey,
  outcomesOf,
  planBatch,
  type BatchPlan,
  type IngestOutcome,
  type StoredState,
  type Submission,
} from './plan';

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
  'direction',
  'parentSid',
  'sipCode',
  'packets',
  'lost',
  'jitter',
  'flushes',
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
  'text',
  'text',
  'integer',
  'integer',
  'integer',
  'double precision',
  'integer',
  'timestamp(3)',
  'timestamp(3)',
  'integer',
];
const CALL_LIST = CALL_COLUMNS.map(quote).join(', ');
const CALL_SELECT = `SELECT ${CALL_LIST} FROM "Call"`;
const CALL_INSERT = `INSERT INTO "Call" (${CALL_LIST}) `;
const CALL_CONFLICT = ` ON CONFLICT ("callSid") DO UPDATE SET ${CALL_COLUMNS.filter(
  (c) => c !== 'callSid' && c !== 'firstSeenAt',
)
  .map((c) => `${quote(c)} = excluded.${quote(c)}`)
  .join(', ')}`;

const EVENT_INSERT =
  'INSERT INTO "CallEvent" ("callSid", "status", "sequence", "timestamp", "receivedAt", "raw", "deliveries", "applied") ';
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
const EVENT_RETURNING = ' RETURNING "id", "callSid", "status"';

const ROLLUP_KEY = '"resolution", "bucket", "line", "direction", "status"';
const ROLLUP_INSERT = `INSERT INTO "Rollup" (${ROLLUP_KEY}, ${ROLLUP_COLUMNS.map(quote).join(', ')}) `;
const ROLLUP_KEY_TYPES: readonly Column[] = ['integer', 'timestamp(3)', 'text', 'text', 'text'];
const ROLLUP_TYPES: readonly Column[] = [
  ...ROLLUP_KEY_TYPES,
  ...ROLLUP_COLUMNS.map((c): Column => (BIGINT_COLUMNS.has(c) ? 'bigint' : 'integer')),
];
const ROLLUP_CONFLICT = ` ON CONFLICT (${ROLLUP_KEY}) DO UPDATE SET ${ROLLUP_COLUMNS.map(
  (c) => `${quote(c)} = "Rollup".${quote(c)} + excluded.${quote(c)}`,
).join(', ')}`;
// A row no call counts any more (its calls moved to another status): every counter is then zero,
// since each call adds 1 to `calls`.
const ROLLUP_EMPTIED = `DELETE FROM "Rollup" WHERE "calls" = 0 AND (${ROLLUP_KEY}) IN `;

const FAILURE_INSERT =
  'INSERT INTO "FailureRollup" ("resolution", "bucket", "line", "direction", "status", "sipCode", "calls") ';
const FAILURE_TYPES: readonly Column[] = [
  'integer',
  'timestamp(3)',
  'text',
  'text',
  'text',
  'integer',
  'integer',
];
const FAILURE_CONFLICT =
  ' ON CONFLICT ("resolution", "bucket", "line", "direction", "status", "sipCode") DO UPDATE SET "calls" = "FailureRollup"."calls" + excluded."calls"';

const LINE_TYPES: readonly Column[] = ['text', 'text', 'timestamp(3)', 'timestamp(3)'];
const LINE_INSERT = 'INSERT INTO "Line" ("line", "direction", "lastCallbackAt", "lastCallAt") ';
const lineConflict = (provider: Provider) => {
  const max = provider === 'sqlite' ? 'MAX' : 'GREATEST';
  return ` ON CONFLICT ("line", "direction") DO UPDATE SET "lastCallbackAt" = ${max}("Line"."lastCallbackAt", excluded."lastCallbackAt"), "lastCallAt" = ${max}("Line"."lastCallAt", excluded."lastCallAt")`;
};

const EVENT_SELECT = 'SELECT "id", "callSid", "status" FROM "CallEvent" WHERE "callSid" ';
const DELIVERIES = 'UPDATE "CallEvent" SET "deliveries" = "deliveries" + ';

type RawEvent = { id: number | bigint; callSid: string; status: string };

/**
 * The statements a batch runs, each over a list of rows (cells in the order of its *_TYPES).
 * Two ways to run them: on PostgreSQL, one statement per list through Prisma, the rows in one JSON
 * parameter (bulk.ts); on SQLite, one prepared statement run row by row on the writer's own
 * connection (sqliteStatements).
 */
interface Statements {
  events(sids: string[]): Promise<RawEvent[]>;
  calls(sids: string[]): Promise<Record<string, unknown>[]>;
  insertEvents(rows: Cell[][]): Promise<RawEvent[]>;
  addDeliveries(n: number, ids: number[]): Promise<void>;
  upsertCalls(rows: Cell[][]): Promise<void>;
  upsertRollups(rows: Cell[][]): Promise<void>;
  deleteEmptied(keys: Cell[][]): Promise<void>;
  upsertFailures(rows: Cell[][]): Promise<void>;
  upsertLines(rows: Cell[][]): Promise<void>;
}

/** PostgreSQL, through Prisma: a statement per list (a chunk of one, for the lists of a big batch). */
function postgresStatements(tx: Tx): Statements {
  const provider = 'postgresql';
  const rows = (types: readonly Column[], part: Cell[][]) => rowsOf(types, part);
  const each = async (xs: Cell[][], run: (part: Cell[][]) => Promise<unknown>) => {
    for (const part of chunks(xs)) await run(part);
  };
  const select = async <T>(sids: string[], head: string) => {
    const out: T[] = [];
    for (const part of chunks(sids))
      out.push(...(await tx.$queryRaw<T[]>(sql`${raw(head)}${inList(provider, part)}`)));
    return out;
  };
  return {
    events: (sids) => select<RawEvent>(sids, EVENT_SELECT),
    calls: (sids) => select<Record<string, unknown>>(sids, `${CALL_SELECT} WHERE "callSid" `),
    async insertEvents(xs) {
      const out: RawEvent[] = [];
      await each(xs, async (part) =>
        out.push(
          ...(await tx.$queryRaw<RawEvent[]>(
            sql`${raw(EVENT_INSERT)}${rows(EVENT_TYPES, part)}${raw(EVENT_RETURNING)}`,
          )),
        ),
      );
      return out;
    },
    async addDeliveries(n, ids) {
      await tx.callEvent.updateMany({ where: { id: { in: ids } }, data: { deliveries: { increment: n } } });
    },
    upsertCalls: (xs) =>
      each(xs, (part) =>
        tx.$executeRaw(sql`${raw(CALL_INSERT)}${rows(CALL_TYPES, part)}${raw(CALL_CONFLICT)}`),
      ),
    upsertRollups: (xs) =>
      each(xs, (part) =>
        tx.$executeRaw(sql`${raw(ROLLUP_INSERT)}${rows(ROLLUP_TYPES, part)}${raw(ROLLUP_CONFLICT)}`),
      ),
    deleteEmptied: (xs) =>
      each(xs, (part) => tx.$executeRaw(sql`${raw(ROLLUP_EMPTIED)}(${rows(ROLLUP_KEY_TYPES, part)})`)),
    upsertFailures: (xs) =>
      each(xs, (part) =>
        tx.$executeRaw(sql`${raw(FAILURE_INSERT)}${rows(FAILURE_TYPES, part)}${raw(FAILURE_CONFLICT)}`),
      ),
    upsertLines: (xs) =>
      each(xs, (part) =>
        tx.$executeRaw(sql`${raw(LINE_INSERT)}${rows(LINE_TYPES, part)}${raw(lineConflict(provider))}`),
      ),
  };
}

/** A row's cells as SQLite stores them: dates as epoch ms (Prisma's unixepoch-ms), booleans as 0/1. */
const sqliteCell = (v: Cell): string | number | null =>
  v instanceof Date ? v.getTime() : typeof v === 'boolean' ? (v ? 1 : 0) : v;
const sqliteRow = (r: Cell[]) => r.map(sqliteCell);
const placeholders = (n: number) => `(${Array.from({ length: n }, () => '?').join(', ')})`;

/**
 * Statements prepared once per connection and kept, run a row at a time. Prisma's adapter prepares
 * every statement anew, and SQLite unpacking a JSON parameter of rows 40 columns wide (bulk.ts)
 * took about three times as long as running a prepared statement once per row (measured: 5,000
 * rollup rows of 30 columns, 123 ms against 40 ms). On SQLite there is no round trip to save.
 */
const prepared = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

function sqliteStatements(conn: BetterSqlite3.Database): Statements {
  let mine = prepared.get(conn);
  if (!mine) prepared.set(conn, (mine = new Map()));
  const cache = mine;
  const stmt = (text: string) => {
    let st = cache.get(text);
    if (!st) {
      // Results as plain numbers: the ids and counters stay far below 2^53.
      st = conn.prepare(text).safeIntegers(false);
      cache.set(text, st);
    }
    return st;
  };
  const runEach = (text: string, xs: Cell[][]) => {
    if (xs.length === 0) return Promise.resolve();
    const st = stmt(text);
    for (const r of xs) st.run(sqliteRow(r));
    return Promise.resolve();
  };
  const IN_LIST = 'IN (SELECT value FROM json_each(?))';
  const select = <T>(head: string, sids: string[]) =>
    Promise.resolve(sids.length === 0 ? [] : (stmt(`${head}${IN_LIST}`).all(JSON.stringify(sids)) as T[]));
  return {
    events: (sids) => select<RawEvent>(EVENT_SELECT, sids),
    calls: (sids) => select<Record<string, unknown>>(`${CALL_SELECT} WHERE "callSid" `, sids),
    insertEvents(xs) {
      if (xs.length === 0) return Promise.resolve([]);
      const st = stmt(`${EVENT_INSERT}VALUES ${placeholders(EVENT_TYPES.length)}${EVENT_RETURNING}`);
      return Promise.resolve(xs.map((r) => st.get(sqliteRow(r)) as RawEvent));
    },
    addDeliveries(n, ids) {
      const st = stmt(`${DELIVERIES}? WHERE "id" = ?`);
      for (const id of ids) st.run(n, id);
      return Promise.resolve();
    },
    upsertCalls: (xs) =>
      runEach(`${CALL_INSERT}VALUES ${placeholders(CALL_TYPES.length)}${CALL_CONFLICT}`, xs),
    upsertRollups: (xs) =>
      runEach(`${ROLLUP_INSERT}VALUES ${placeholders(ROLLUP_TYPES.length)}${ROLLUP_CONFLICT}`, xs),
    deleteEmptied: (xs) =>
      runEach(
        `DELETE FROM "Rollup" WHERE "calls" = 0 AND ${ROLLUP_KEY.split(', ')
          .map((c) => `${c} = ?`)
          .join(' AND ')}`,
        xs,
      ),
    upsertFailures: (xs) =>
      runEach(`${FAILURE_INSERT}VALUES ${placeholders(FAILURE_TYPES.length)}${FAILURE_CONFLICT}`, xs),
    upsertLines: (xs) =>
      runEach(`${LINE_INSERT}VALUES ${placeholders(LINE_TYPES.length)}${lineConflict('sqlite')}`, xs),
  };
}

/** The calls with these CallSids and their events. */
async function readState(run: Statements, sids: string[]): Promise<StoredState> {
  const events = (await run.events(sids)).map((e) => ({
    id: Number(e.id),
    callSid: e.callSid,
    status: e.status,
  }));
  const calls = (await run.calls(sids)).map(storedCallOf);
  return { events, calls };
}

/** Writes a plan; returns the new events' ids by eventKey. */
async function writePlan(run: Statements, plan: BatchPlan): Promise<Map<string, number>> {
  // Events first: their ids, unique per CallSid+CallStatus, are what calls and clients resume from.
  const idOf = new Map<string, number>();
  const inserted = await run.insertEvents(
    plan.events.map((e): Cell[] => [
      e.callSid,
      e.status,
      e.sequence,
      e.timestamp,
      e.receivedAt,
      e.raw,
      e.deliveries,
      e.applied,
    ]),
  );
  for (const e of inserted) idOf.set(eventKey(e.callSid, e.status), Number(e.id));

  const byCount = new Map<number, number[]>();
  for (const [id, n] of plan.retries) byCount.set(n, [...(byCount.get(n) ?? []), id]);
  for (const [n, ids] of byCount) await run.addDeliveries(n, ids);

  await run.upsertCalls(
    [...plan.calls.values()].map((t): Cell[] => {
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
        s.direction,
        s.parentSid,
        s.sipCode,
        s.packets,
        s.lost,
        s.jitter,
        s.flushes,
        t.firstSeenAt,
        t.updatedAt,
        idOf.get(t.lastKey)!,
      ];
    }),
  );

  const key = (r: BatchPlan['rollups'][number]): Cell[] => [
    r.resolution,
    new Date(r.bucket),
    r.line,
    r.direction,
    r.status,
  ];
  await run.upsertRollups(plan.rollups.map((r): Cell[] => [...key(r), ...rollupValues(r.delta)]));
  // Rows calls left (a ringing call now in progress): deleted, or a store of calls that ring, are
  // answered and end would keep three empty rows per minute, line and direction.
  await run.deleteEmptied(plan.rollups.filter((r) => r.delta.calls < 0).map(key));
  await run.upsertFailures(
    plan.rollups.flatMap((r) =>
      Object.entries(r.delta.failures).map(([key, calls]): Cell[] => {
        const { status, sipCode } = parseFailureKey(key);
        return [r.resolution, new Date(r.bucket), r.line, r.direction, status, sipCode, calls];
      }),
    ),
  );
  await run.upsertLines(
    [...plan.lines.values()].map((l): Cell[] => [
      l.line,
      l.direction,
      new Date(l.callbackAt),
      new Date(l.callAt),
    ]),
  );
  return idOf;
}

/** Stores a batch of callbacks inside the caller's transaction. */
export async function ingestBatch(
  tx: Tx,
  db: Pick<Database, 'provider' | 'sqliteWriter'>,
  batch: Submission[],
  limits: MosLimits,
): Promise<IngestOutcome[]> {
  let run: Statements;
  if (db.provider === 'sqlite') {
    // The transaction `tx` runs on this connection, which began it: statements run on it directly
    // are inside it.
    const conn = db.sqliteWriter();
    if (!conn) throw new Error('the SQLite writer is not connected');
    run = sqliteStatements(conn);
  } else {
    run = postgresStatements(tx);
  }
  const stored = await readState(run, [...new Set(batch.map((s) => s.callback.callSid))]);
  const plan = planBatch(batch, stored, limits);
  return outcomesOf(plan, await writePlan(run, plan));
}
