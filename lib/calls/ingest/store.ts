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
import { BIGINT_COLUMNS, ROLLUP_COLUMNS, lockIngest, rollupValues } from '../rollup';
import { limitsOf, rollupLimits, ROLLUP_LIMITS_KEY } from '../stored-settings';
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

type Maybe<T> = T | Promise<T>;

/**
 * The statements a batch runs, each over a list of rows (cells in the order of its *_TYPES), and
 * the MOS bands it counts with. Two ways to run them: on PostgreSQL, through Prisma, one statement
 * per list with the rows in one array parameter per column (bulk.ts); on SQLite, synchronously,
 * one prepared statement run row by row on the writer's own connection (sqliteStatements).
 */
interface Statements {
  limits(): Maybe<MosLimits>;
  events(sids: string[]): Maybe<RawEvent[]>;
  calls(sids: string[]): Maybe<Record<string, unknown>[]>;
  insertEvents(rows: Cell[][]): Maybe<RawEvent[]>;
  addDeliveries(n: number, ids: number[]): Maybe<unknown>;
  upsertCalls(rows: Cell[][]): Maybe<unknown>;
  upsertRollups(rows: Cell[][]): Maybe<unknown>;
  deleteEmptied(keys: Cell[][]): Maybe<unknown>;
  upsertFailures(rows: Cell[][]): Maybe<unknown>;
  upsertLines(rows: Cell[][]): Maybe<unknown>;
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
    limits: () => rollupLimits(tx),
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
    if (xs.length === 0) return;
    const st = stmt(text);
    for (const r of xs) st.run(sqliteRow(r));
  };
  const IN_LIST = 'IN (SELECT value FROM json_each(?))';
  const select = <T>(head: string, sids: string[]) =>
    sids.length === 0 ? [] : (stmt(`${head}${IN_LIST}`).all(JSON.stringify(sids)) as T[]);
  return {
    limits() {
      const row = stmt('SELECT "value" FROM "Setting" WHERE "key" = ?').get(ROLLUP_LIMITS_KEY) as
        { value: string } | undefined;
      return limitsOf(row?.value);
    },
    events: (sids) => select<RawEvent>(EVENT_SELECT, sids),
    calls: (sids) => select<Record<string, unknown>>(`${CALL_SELECT} WHERE "callSid" `, sids),
    insertEvents(xs) {
      if (xs.length === 0) return [];
      const st = stmt(`${EVENT_INSERT}VALUES ${placeholders(EVENT_TYPES.length)}${EVENT_RETURNING}`);
      return xs.map((r) => st.get(sqliteRow(r)) as RawEvent);
    },
    addDeliveries(n, ids) {
      const st = stmt(`${DELIVERIES}? WHERE "id" = ?`);
      for (const id of ids) st.run(n, id);
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

/** One step of a batch: a statement to run, whose result the batch continues with. */
type Step = (run: Statements) => unknown;

/**
 * A batch's work, written once for both ways of running statements: it yields each statement and
 * goes on with its result (runSync on SQLite, runAsync on PostgreSQL). Reads what the store holds
 * of the calls involved, plans the batch, writes the plan; returns each callback's outcome.
 */
function* batchSteps(batch: Submission[], outcomes = true): Generator<Step, IngestOutcome[], unknown> {
  const sids = [...new Set(batch.map((s) => s.callback.callSid))];
  // Read inside the transaction: a change of MOS bands recounts the rollups in one of its own.
  const limits = (yield (run) => run.limits()) as MosLimits;
  const events = (yield (run) => run.events(sids)) as RawEvent[];
  const calls = (yield (run) => run.calls(sids)) as Record<string, unknown>[];
  const stored: StoredState = {
    events: events.map((e) => ({ id: Number(e.id), callSid: e.callSid, status: e.status })),
    calls: calls.map(storedCallOf),
  };
  const plan = planBatch(batch, stored, limits);

  // Events first: their ids, unique per CallSid+CallStatus, are what calls and clients resume from.
  const idOf = new Map<string, number>();
  const eventRows = plan.events.map((e): Cell[] => [
    e.callSid,
    e.status,
    e.sequence,
    e.timestamp,
    e.receivedAt,
    e.raw,
    e.deliveries,
    e.applied,
  ]);
  const inserted = (yield (run) => run.insertEvents(eventRows)) as RawEvent[];
  for (const e of inserted) idOf.set(eventKey(e.callSid, e.status), Number(e.id));

  const byCount = new Map<number, number[]>();
  for (const [id, n] of plan.retries) byCount.set(n, [...(byCount.get(n) ?? []), id]);
  for (const [n, ids] of byCount) yield (run) => run.addDeliveries(n, ids);

  const callRows = [...plan.calls.values()].map((t): Cell[] => {
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
  });
  yield (run) => run.upsertCalls(callRows);

  const key = (r: BatchPlan['rollups'][number]): Cell[] => [
    r.resolution,
    new Date(r.bucket),
    r.line,
    r.direction,
    r.status,
  ];
  const rollupRows = plan.rollups.map((r): Cell[] => [...key(r), ...rollupValues(r.delta)]);
  yield (run) => run.upsertRollups(rollupRows);
  // Rows calls left (a ringing call now in progress): deleted, or a store of calls that ring, are
  // answered and end would keep three empty rows per minute, line and direction.
  const emptied = plan.rollups.filter((r) => r.delta.calls < 0).map(key);
  yield (run) => run.deleteEmptied(emptied);
  const failureRows = plan.rollups.flatMap((r) =>
    Object.entries(r.delta.failures).map(([key, calls]): Cell[] => {
      const { status, sipCode } = parseFailureKey(key);
      return [r.resolution, new Date(r.bucket), r.line, r.direction, status, sipCode, calls];
    }),
  );
  yield (run) => run.upsertFailures(failureRows);
  const lineRows = [...plan.lines.values()].map((l): Cell[] => [
    l.line,
    l.direction,
    new Date(l.callbackAt),
    new Date(l.callAt),
  ]);
  yield (run) => run.upsertLines(lineRows);
  return outcomes ? outcomesOf(plan, idOf) : [];
}

function runSync(steps: Generator<Step, IngestOutcome[], unknown>, run: Statements): IngestOutcome[] {
  let next = steps.next();
  while (!next.done) next = steps.next(next.value(run));
  return next.value;
}

async function runAsync(
  steps: Generator<Step, IngestOutcome[], unknown>,
  run: Statements,
): Promise<IngestOutcome[]> {
  let next = steps.next();
  while (!next.done) next = steps.next(await next.value(run));
  return next.value;
}

/** Stores a batch of callbacks inside the caller's transaction, which `db.write` began. */
async function ingestBatch(
  tx: Tx,
  db: Pick<Database, 'provider' | 'sqliteWriter'>,
  batch: Submission[],
  outcomes: boolean,
): Promise<IngestOutcome[]> {
  if (db.provider === 'postgresql') return runAsync(batchSteps(batch, outcomes), postgresStatements(tx));
  // The transaction `tx` runs on this connection, which began it: statements run on it directly
  // are inside it.
  const conn = db.sqliteWriter();
  if (!conn) throw new Error('the SQLite writer is not connected');
  return runSync(batchSteps(batch, outcomes), sqliteStatements(conn));
}

/**
 * Stores a batch of callbacks in a transaction of its own. On SQLite, when no other transaction is
 * open on the writer, that is one synchronous transaction on its connection: nothing else runs on
 * the thread until it committed, and the commit takes none of Prisma's interactive-transaction
 * machinery (its begin, its commit and the bands' read were three queries and most of Prisma's
 * share of a lone callback). Otherwise (PostgreSQL, or a Prisma transaction of another task open
 * on the writer), through `db.write.$transaction`, which waits its turn.
 *
 * Returns each callback's outcome, what the server acknowledges and publishes; with
 * `outcomes: false` (the seed, which publishes nothing) none are made, and the result is empty.
 */
export async function commitBatch(
  db: Database,
  batch: Submission[],
  { timeoutMs = 60_000, outcomes = true }: { timeoutMs?: number; outcomes?: boolean } = {},
): Promise<IngestOutcome[]> {
  const conn = db.provider === 'sqlite' ? db.sqliteWriter() : null;
  if (conn && !conn.inTransaction) {
    // BEGIN IMMEDIATE ... COMMIT, or ROLLBACK if anything throws.
    return conn.transaction(() => runSync(batchSteps(batch, outcomes), sqliteStatements(conn))).immediate();
  }
  return db.write.$transaction(
    async (tx) => {
      // Instances sharing a PostgreSQL store take turns, as SQLite's single writer does: event
      // ids then commit in id order, so "everything after id N" is never missing an earlier
      // id committed later, and a callback sent to two instances at once is seen as a retry.
      if (db.provider === 'postgresql') await lockIngest(tx);
      return ingestBatch(tx, db, batch, outcomes);
    },
    { timeout: timeoutMs, maxWait: timeoutMs },
  );
}
