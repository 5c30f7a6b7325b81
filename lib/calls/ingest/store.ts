// A batch of callbacks against the store, inside the caller's transaction: read what the store
// holds of the calls involved, plan the batch (plan.ts), write the plan. The same handful of
// statements whatever the batch's size.
import { sqltag as sql } from '@prisma/client/runtime/client';
import type { Tx } from '../../db/client';
import type { Provider } from '../../db/adapters';
import { chunks, inList, rowsOf, type Cell, type Column } from '../../db/bulk';
import { storedCallOf, type StoredCall } from '../rows';
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
const CALL_SELECT = sql([`SELECT ${CALL_COLUMNS.map(quote).join(', ')} FROM "Call"`]);
const CALL_INSERT = sql([`INSERT INTO "Call" (${CALL_COLUMNS.map(quote).join(', ')}) `]);
const CALL_CONFLICT = sql([
  ` ON CONFLICT ("callSid") DO UPDATE SET ${CALL_COLUMNS.filter((c) => c !== 'callSid' && c !== 'firstSeenAt')
    .map((c) => `${quote(c)} = excluded.${quote(c)}`)
    .join(', ')}`,
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

const ROLLUP_KEY = '"resolution", "bucket", "line", "direction", "status"';
const ROLLUP_INSERT = sql([`INSERT INTO "Rollup" (${ROLLUP_KEY}, ${ROLLUP_COLUMNS.map(quote).join(', ')}) `]);
const ROLLUP_KEY_TYPES: readonly Column[] = ['integer', 'timestamp(3)', 'text', 'text', 'text'];
const ROLLUP_TYPES: readonly Column[] = [
  ...ROLLUP_KEY_TYPES,
  ...ROLLUP_COLUMNS.map((c): Column => (BIGINT_COLUMNS.has(c) ? 'bigint' : 'integer')),
];
const ROLLUP_CONFLICT = sql([
  ` ON CONFLICT (${ROLLUP_KEY}) DO UPDATE SET ${ROLLUP_COLUMNS.map(
    (c) => `${quote(c)} = "Rollup".${quote(c)} + excluded.${quote(c)}`,
  ).join(', ')}`,
]);
// A row no call counts any more (its calls moved to another status): every counter is then zero,
// since each call adds 1 to `calls`.
const ROLLUP_EMPTIED = sql([`DELETE FROM "Rollup" WHERE "calls" = 0 AND (${ROLLUP_KEY}) IN (`]);

const FAILURE_INSERT = sql([
  'INSERT INTO "FailureRollup" ("resolution", "bucket", "line", "direction", "status", "sipCode", "calls") ',
]);
const FAILURE_TYPES: readonly Column[] = [
  'integer',
  'timestamp(3)',
  'text',
  'text',
  'text',
  'integer',
  'integer',
];
const FAILURE_CONFLICT = sql([
  ' ON CONFLICT ("resolution", "bucket", "line", "direction", "status", "sipCode") DO UPDATE SET "calls" = "FailureRollup"."calls" + excluded."calls"',
]);

const LINE_TYPES: readonly Column[] = ['text', 'text', 'timestamp(3)', 'timestamp(3)'];
const LINE_INSERT = sql(['INSERT INTO "Line" ("line", "direction", "lastCallbackAt", "lastCallAt") ']);
const lineConflict = (provider: Provider) => {
  const max = provider === 'sqlite' ? 'MAX' : 'GREATEST';
  return sql([
    ` ON CONFLICT ("line", "direction") DO UPDATE SET "lastCallbackAt" = ${max}("Line"."lastCallbackAt", excluded."lastCallbackAt"), "lastCallAt" = ${max}("Line"."lastCallAt", excluded."lastCallAt")`,
  ]);
};

type RawEvent = { id: number | bigint; callSid: string; status: string };

/** The calls with these CallSids and their events. */
async function readState(tx: Tx, provider: Provider, sids: string[]): Promise<StoredState> {
  const events: StoredState['events'] = [];
  const calls: StoredCall[] = [];
  for (const part of chunks(sids)) {
    const list = inList(provider, part);
    for (const e of await tx.$queryRaw<RawEvent[]>(
      sql`SELECT "id", "callSid", "status" FROM "CallEvent" WHERE "callSid" ${list}`,
    )) {
      events.push({ id: Number(e.id), callSid: e.callSid, status: e.status });
    }
    for (const c of await tx.$queryRaw<Record<string, unknown>[]>(
      sql`${CALL_SELECT} WHERE "callSid" ${list}`,
    )) {
      calls.push(storedCallOf(c));
    }
  }
  return { events, calls };
}

/** Writes a plan; returns the new events' ids by eventKey. */
async function writePlan(tx: Tx, provider: Provider, plan: BatchPlan): Promise<Map<string, number>> {
  // Events first: their ids, unique per CallSid+CallStatus, are what calls and clients resume from.
  const idOf = new Map<string, number>();
  for (const part of chunks(plan.events)) {
    const rows = part.map((e): Cell[] => [
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
  for (const [id, n] of plan.retries) byCount.set(n, [...(byCount.get(n) ?? []), id]);
  for (const [n, ids] of byCount) {
    await tx.callEvent.updateMany({ where: { id: { in: ids } }, data: { deliveries: { increment: n } } });
  }

  const calls = [...plan.calls.values()].map((t): Cell[] => {
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
  for (const part of chunks(calls)) {
    await tx.$executeRaw(sql`${CALL_INSERT}${rowsOf(provider, CALL_TYPES, part)}${CALL_CONFLICT}`);
  }

  const key = (r: BatchPlan['rollups'][number]): Cell[] => [
    r.resolution,
    new Date(r.bucket),
    r.line,
    r.direction,
    r.status,
  ];
  const rollups = plan.rollups.map((r): Cell[] => [...key(r), ...rollupValues(r.delta)]);
  for (const part of chunks(rollups)) {
    await tx.$executeRaw(sql`${ROLLUP_INSERT}${rowsOf(provider, ROLLUP_TYPES, part)}${ROLLUP_CONFLICT}`);
  }
  // Rows calls left (a ringing call now in progress): deleted, or a store of calls that ring, are
  // answered and end would keep three empty rows per minute, line and direction.
  const left = plan.rollups.filter((r) => r.delta.calls < 0).map(key);
  for (const part of chunks(left)) {
    await tx.$executeRaw(sql`${ROLLUP_EMPTIED}${rowsOf(provider, ROLLUP_KEY_TYPES, part)})`);
  }
  const failures = plan.rollups.flatMap((r) =>
    Object.entries(r.delta.failures).map(([key, calls]): Cell[] => {
      const { status, sipCode } = parseFailureKey(key);
      return [r.resolution, new Date(r.bucket), r.line, r.direction, status, sipCode, calls];
    }),
  );
  for (const part of chunks(failures)) {
    await tx.$executeRaw(sql`${FAILURE_INSERT}${rowsOf(provider, FAILURE_TYPES, part)}${FAILURE_CONFLICT}`);
  }

  if (plan.lines.size > 0) {
    const rows = [...plan.lines.values()].map((l): Cell[] => [
      l.line,
      l.direction,
      new Date(l.callbackAt),
      new Date(l.callAt),
    ]);
    await tx.$executeRaw(sql`${LINE_INSERT}${rowsOf(provider, LINE_TYPES, rows)}${lineConflict(provider)}`);
  }
  return idOf;
}

/** Stores a batch of callbacks inside the caller's transaction. */
export async function ingestBatch(
  tx: Tx,
  provider: Provider,
  batch: Submission[],
  limits: MosLimits,
): Promise<IngestOutcome[]> {
  const stored = await readState(tx, provider, [...new Set(batch.map((s) => s.callback.callSid))]);
  const plan = planBatch(batch, stored, limits);
  return outcomesOf(plan, await writePlan(tx, provider, plan));
}
