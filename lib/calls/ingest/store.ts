// A batch of callbacks against the store, inside the caller's transaction: read what the store
// holds of the calls involved, plan the batch (plan.ts), write the plan: on PostgreSQL the same
// handful of statements whatever the batch's size, on SQLite the same prepared statements run once
// per row.
import { raw, sqltag as sql } from '@prisma/client/runtime/client';
import type BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Database } from '../../db/client';
import { inline, literal } from '../../db/literal';
import type { Provider } from '../../db/adapters';
import { chunks, inList, rowsOf, type Cell, type Column } from '../../db/bulk';
import { storedCallOf } from '../rows';
import { BIGINT_COLUMNS, LOCK_INGEST, ROLLUP_COLUMNS, rollupValues } from '../rollup';
import { limitsOf, ROLLUP_LIMITS_KEY } from '../stored-settings';
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

const EVENT_COLUMNS =
  '"callSid", "status", "sequence", "timestamp", "receivedAt", "raw", "deliveries", "applied"';
const EVENT_INSERT = `INSERT INTO "CallEvent" (${EVENT_COLUMNS}) `;
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
/** PostgreSQL: the events' insert with ids taken beforehand from the table's sequence (PostgresBatch). */
const EVENT_INSERT_WITH_IDS = `INSERT INTO "CallEvent" ("id", ${EVENT_COLUMNS}) `;
const EVENT_ID_TYPES: readonly Column[] = ['integer', ...EVENT_TYPES];
/** `n` ids from CallEvent's sequence, as the events' insert would have taken them. */
const eventIds = (n: number) =>
  `SELECT nextval(pg_get_serial_sequence('"CallEvent"', 'id'))::integer AS "id" FROM generate_series(1, ${n})`;

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

/**
 * Timestamps as the UTC instants they hold: pg reads a timestamp (without time zone) in the
 * process's zone, where Prisma reads it as UTC; the rows are read back as Prisma's were.
 */
const TIMESTAMP_OID = 1114;
const parseUtc = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID ? parseUtc : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * How much longer than its statements could have run a round trip waits for an answer before the
 * connection is given up as silent (closed, and opened anew for the next batch).
 */
const SILENCE_GRACE_MS = 10_000;

/** Characters of parameters up to which a write is held back and sent written into the text. */
const INLINE_LIMIT = 64 * 1024;

/**
 * PostgreSQL, on ingest's own connection below Prisma (client.ts), in two round trips a batch: BEGIN
 * with the ingest lock, the MOS bands, the reads and ids for the batch's new events from their
 * sequence (begin); then every write with COMMIT (commit). On one machine each round trip is a write
 * to a loopback socket that also runs PostgreSQL's receipt of it: at one callback a batch, the
 * socket writes of the ten round trips a batch took before were 0.8 ms of the 5 ms a callback cost
 * the event loop (CPU profile at 100 callbacks/s). Statements sent together have their parameters
 * written in as literals (a simple query takes none); a batch's rows are still one array literal
 * per column (bulk.ts).
 */
class PostgresBatch implements Statements {
  private read: { limits: MosLimits; events: RawEvent[]; calls: Record<string, unknown>[] } | null = null;
  /** Ids taken from CallEvent's sequence by begin, for the batch's new events. */
  private ids: number[] = [];
  private readonly writes: string[] = [];

  /** Whether a round trip went unanswered: the connection is then closed, not rolled back on. */
  silent = false;

  constructor(
    private readonly conn: pg.PoolClient,
    private readonly timeoutMs: number,
  ) {}

  /**
   * A round trip of `statements` statements. PostgreSQL itself ends each one that runs longer than
   * `timeoutMs` (begin); this bounds the wait for a PostgreSQL that no longer answers at all (a
   * network gone silent), which would otherwise hold the batch, and every callback queued behind
   * it, until TCP gives up. Never before the server could have given up itself: an answer given up
   * on may still commit.
   */
  private async roundTrip<T extends object>(
    config: pg.QueryConfig,
    statements = 1,
  ): Promise<pg.QueryResult<T>> {
    const query_timeout = statements * this.timeoutMs + SILENCE_GRACE_MS;
    try {
      return await this.conn.query<T>({ ...config, query_timeout } as pg.QueryConfig);
    } catch (e) {
      if (e instanceof Error && e.message === 'Query read timeout') this.silent = true;
      throw e;
    }
  }

  /** Several statements in one round trip, a result each. */
  private async query<T extends object>(statements: string[]): Promise<pg.QueryResult<T>[]> {
    const r = await this.roundTrip<T>({ text: statements.join(';\n'), types: PG_TYPES }, statements.length);
    return Array.isArray(r) ? (r as pg.QueryResult<T>[]) : [r];
  }

  /**
   * Begins the transaction, takes the ingest lock, then reads the bands and what the store holds of
   * the batch's calls: read once the lock is held, so a recount of the rollups for new bands
   * (stored-settings.ts, under the same lock) is seen whole. Takes `events` ids from CallEvent's
   * sequence under the lock too, so that instances still commit events in id order; those the batch
   * does not use (retries) are skipped, as a rolled-back insert's are. No statement may take longer
   * than `timeoutMs`, the lock's wait included.
   */
  async begin(sids: string[], events: number): Promise<void> {
    const parts = chunks(sids);
    const selects = (select: string) =>
      parts.map((part) => inline(sql`${raw(select)}${inList('postgresql', part)}`));
    const head = [
      'BEGIN',
      `SET LOCAL statement_timeout = ${Math.ceil(this.timeoutMs)}`,
      LOCK_INGEST,
      `SELECT "value" FROM "Setting" WHERE "key" = ${literal(ROLLUP_LIMITS_KEY)}`,
    ];
    const results = await this.query<Record<string, unknown>>([
      ...head,
      ...selects(EVENT_SELECT),
      ...selects(`${CALL_SELECT} WHERE "callSid" `),
      eventIds(events),
    ]);
    const rows = results.slice(head.length, -1).map((r) => r.rows);
    this.ids = results.at(-1)!.rows.map((r) => r.id as number);
    this.read = {
      limits: limitsOf(results[head.length - 1]!.rows[0]?.value as string | undefined),
      events: rows.slice(0, parts.length).flat() as RawEvent[],
      calls: rows.slice(parts.length).flat(),
    };
  }

  /** Sends the writes held back with COMMIT. */
  commit(): Promise<void> {
    return this.flush('COMMIT');
  }

  /**
   * A write of rows (`head`, the rows as a SELECT, `tail`), held back to go with the next round
   * trip; or, when its rows' text is large (a seed's batches), sent now with its parameters bound,
   * after what was held: writing them into the text and escaping them cost more than the round trip
   * saves (a seed of 300,000 calls took 57 s against 47 s).
   */
  private async write(xs: Cell[][], head: string, types: readonly Column[], tail: string) {
    for (const part of chunks(xs)) {
      const q = sql`${raw(head)}${rowsOf(types, part)}${raw(tail)}`;
      let size = 0;
      for (const v of q.values) size += typeof v === 'string' ? v.length : 8;
      if (size <= INLINE_LIMIT) {
        this.writes.push(inline(q));
        continue;
      }
      await this.flush();
      await this.roundTrip({ text: q.text, values: q.values });
    }
  }

  /** The writes held back, then `last`, in one round trip: the first to fail stops the rest. */
  private async flush(last?: string) {
    const statements = [...this.writes.splice(0), ...(last ? [last] : [])];
    if (statements.length > 0) await this.query(statements);
  }

  // The reads were made by begin, for the same CallSids (batchSids).
  limits = () => this.read!.limits;
  events = () => this.read!.events;
  calls = () => this.read!.calls;

  /** Held back with the other writes: the events' ids were taken by begin, so nothing waits for them. */
  async insertEvents(xs: Cell[][]) {
    // begin took one id per callback, and a callback makes at most one new event.
    if (xs.length > this.ids.length) throw new Error(`${xs.length} new events, ids for ${this.ids.length}`);
    const ids = this.ids.splice(0, xs.length);
    await this.write(
      xs.map((x, i) => [ids[i]!, ...x]),
      EVENT_INSERT_WITH_IDS,
      EVENT_ID_TYPES,
      '',
    );
    return xs.map((x, i): RawEvent => ({ id: ids[i]!, callSid: x[0] as string, status: x[1] as string }));
  }

  addDeliveries(n: number, ids: number[]) {
    this.writes.push(
      `${DELIVERIES}${literal(n)} WHERE "id" = ANY (${literal(`{${ids.map(literal).join(',')}}`)}::integer[])`,
    );
  }

  upsertCalls = (xs: Cell[][]) => this.write(xs, CALL_INSERT, CALL_TYPES, CALL_CONFLICT);
  upsertRollups = (xs: Cell[][]) => this.write(xs, ROLLUP_INSERT, ROLLUP_TYPES, ROLLUP_CONFLICT);
  /** After the rollups' upsert, whose order it keeps. */
  deleteEmptied = (keys: Cell[][]) => this.write(keys, `${ROLLUP_EMPTIED}(`, ROLLUP_KEY_TYPES, ')');
  upsertFailures = (xs: Cell[][]) => this.write(xs, FAILURE_INSERT, FAILURE_TYPES, FAILURE_CONFLICT);
  upsertLines = (xs: Cell[][]) => this.write(xs, LINE_INSERT, LINE_TYPES, lineConflict('postgresql'));
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

/** The CallSids a batch involves, each once, in the order of their first callback. */
const batchSids = (batch: Submission[]) => [...new Set(batch.map((s) => s.callback.callSid))];

/** One step of a batch: a statement to run, whose result the batch continues with. */
type Step = (run: Statements) => unknown;

/**
 * A batch's work, written once for both ways of running statements: it yields each statement and
 * goes on with its result (runSync on SQLite, runAsync on PostgreSQL). Reads what the store holds
 * of the calls involved, plans the batch, writes the plan; returns each callback's outcome.
 */
function* batchSteps(batch: Submission[], outcomes = true): Generator<Step, IngestOutcome[], unknown> {
  const sids = batchSids(batch);
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

/**
 * A batch's transaction on PostgreSQL, on ingest's own connection (PostgresBatch). Instances sharing
 * a store take turns, as SQLite's single writer does: event ids then commit in id order, so
 * "everything after id N" is never missing an earlier id committed later, and a callback sent to
 * two instances at once is seen as a retry.
 */
async function commitOnPostgres(
  pool: pg.Pool,
  batch: Submission[],
  outcomes: boolean,
  timeoutMs: number,
): Promise<IngestOutcome[]> {
  const conn = await pool.connect();
  const run = new PostgresBatch(conn, timeoutMs);
  let broken: Error | undefined;
  try {
    // At most one new event per callback.
    await run.begin(batchSids(batch), batch.length);
    const result = await runAsync(batchSteps(batch, outcomes), run);
    await run.commit();
    return result;
  } catch (e) {
    // A connection gone silent, or one that cannot even roll back, is closed rather than handed to
    // the next batch; PostgreSQL rolls back what a closed connection left open.
    if (run.silent) broken = e as Error;
    else
      await conn
        .query({ text: 'ROLLBACK', query_timeout: SILENCE_GRACE_MS } as pg.QueryConfig)
        .catch((rollback: Error) => (broken = rollback));
    throw e;
  } finally {
    conn.release(broken);
  }
}

/** How long a batch may take, the wait for the store's write lock included, ms. */
export const INGEST_TIMEOUT_MS = 60_000;

/**
 * A batch in one synchronous transaction on a better-sqlite3 connection with none open: `BEGIN
 * IMMEDIATE` … `COMMIT`, or ROLLBACK if anything throws. The server runs it on ingest's writer
 * thread (writer-thread.ts); commitBatch on the writer connection (the seed, the tests).
 */
export function commitOnSqlite(
  conn: BetterSqlite3.Database,
  batch: Submission[],
  outcomes = true,
): IngestOutcome[] {
  return conn.transaction(() => runSync(batchSteps(batch, outcomes), sqliteStatements(conn))).immediate();
}

/**
 * Stores a batch of callbacks in a transaction of its own. On SQLite, when no other transaction is
 * open on the writer, that is one synchronous transaction on its connection: nothing else runs on
 * the thread until it committed, and the commit takes none of Prisma's interactive-transaction
 * machinery (its begin, its commit and the bands' read were three queries and most of Prisma's
 * share of a lone callback). Otherwise (a Prisma transaction of another task open on the writer),
 * through `db.write.$transaction`, which waits its turn. On PostgreSQL, on ingest's own connection
 * (commitOnPostgres).
 *
 * Returns each callback's outcome, what the server acknowledges and publishes; with
 * `outcomes: false` (the seed, which publishes nothing) none are made, and the result is empty.
 */
export async function commitBatch(
  db: Database,
  batch: Submission[],
  { timeoutMs = INGEST_TIMEOUT_MS, outcomes = true }: { timeoutMs?: number; outcomes?: boolean } = {},
): Promise<IngestOutcome[]> {
  if (db.provider === 'postgresql') {
    const pool = db.postgresWriter();
    if (!pool) throw new Error('the PostgreSQL ingest connection is not open');
    return commitOnPostgres(pool, batch, outcomes, timeoutMs);
  }
  const writer = () => {
    const conn = db.sqliteWriter();
    if (!conn) throw new Error('the SQLite writer is not connected');
    return conn;
  };
  const conn = db.sqliteWriter();
  if (conn && !conn.inTransaction) return commitOnSqlite(conn, batch, outcomes);
  // The transaction Prisma begins runs on the writer's connection: statements run on it directly
  // are inside it.
  return db.write.$transaction(async () => runSync(batchSteps(batch, outcomes), sqliteStatements(writer())), {
    timeout: timeoutMs,
    maxWait: timeoutMs,
  });
}
