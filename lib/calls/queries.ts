import type { Database, Db } from '../db/client';
import { ROLLUP_COLUMNS, toRow } from './ingest';
import { emptyTally, MINUTE_MS } from './tally';

const HOUR_MS = 60 * MINUTE_MS;
import { bucketFor, MAX_POINTS } from './series';
import type { CallEventRow, CallHistory, CallRow, SeriesPoint, Snapshot, Tally } from './types';

type TallyColumn = (typeof ROLLUP_COLUMNS)[number];
type TallyRecord = Record<TallyColumn, number | bigint | null>;

function toTally(r: TallyRecord): Tally {
  const n = (c: TallyColumn) => Number(r[c] ?? 0);
  return {
    calls: n('calls'),
    finished: n('finished'),
    completed: n('completed'),
    durationSum: n('durationSum'),
    durationCount: n('durationCount'),
    mosSumCenti: n('mosSumCenti'),
    mosCount: n('mosCount'),
    mosBands: [n('mosBad'), n('mosPoor'), n('mosFair'), n('mosGood'), n('mosExcellent')],
    durationBins: [n('dur0'), n('dur1'), n('dur2'), n('dur3'), n('dur4'), n('dur5')],
  };
}

const sumColumns = ROLLUP_COLUMNS.map((c) => `SUM("${c}") AS "${c}"`).join(', ');

export interface Queries {
  snapshot(): Promise<Snapshot>;
  recentCalls(limit: number): Promise<CallRow[]>;
  callsAfter(eventId: number, limit: number): Promise<CallRow[]>;
  /** Every callback received for one call, in arrival order. */
  history(callSid: string): Promise<CallHistory>;
  ping(): Promise<void>;
}

export function createQueries(db: Database, dashboardRows: number): Queries {
  const recent = (client: Db, limit: number) =>
    client.call
      .findMany({ orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: limit })
      .then((rows) => rows.map(toRow));

  return {
    async snapshot() {
      // One read transaction, so the totals, series, rows and the id they are as of agree. SQLite's
      // transactions are serializable; PostgreSQL's default would let each query see newer commits.
      // (Typed as the SQLite client, which knows only its own level; the PostgreSQL client takes this.)
      const isolation = (db.provider === 'postgresql' ? { isolationLevel: 'RepeatableRead' } : {}) as {
        isolationLevel?: 'Serializable';
      };
      const bucketMsOf =
        // SQLite stores DateTime as epoch milliseconds (adapters.ts).
        db.provider === 'postgresql' ? `(EXTRACT(EPOCH FROM "bucket") * 1000)::bigint` : `"bucket"`;
      return db.read.$transaction(async (tx) => {
        // findFirst by the unique index, not aggregate _max: Prisma's aggregate scanned every call.
        const last = await tx.call.findFirst({ orderBy: { eventId: 'desc' }, select: { eventId: true } });
        // Totals and the span come from hour rows: a few per line per day, however many calls.
        const [totalsRow] = await tx.$queryRawUnsafe<TallyRecord[]>(
          `SELECT ${sumColumns} FROM "Rollup" WHERE "resolution" = 60`,
        );
        const span = await tx.rollup.aggregate({
          where: { resolution: 60 },
          _min: { bucket: true },
          _max: { bucket: true },
        });
        const from = span._min.bucket?.getTime() ?? 0;
        const to = span._max.bucket?.getTime() ?? 0;
        const bucketMs = bucketFor(to - from + HOUR_MS);
        const resolution = bucketMs >= HOUR_MS ? 60 : 1;
        const rows = await tx.$queryRawUnsafe<(TallyRecord & { t: number | bigint })[]>(
          `SELECT (${bucketMsOf} / ${bucketMs}) * ${bucketMs} AS t, ${sumColumns}
             FROM "Rollup" WHERE "resolution" = ${resolution} GROUP BY t ORDER BY t DESC LIMIT ${MAX_POINTS}`,
        );
        const series: SeriesPoint[] = rows.map((r) => ({ t: Number(r.t), tally: toTally(r) })).reverse();
        return {
          asOfEventId: last?.eventId ?? 0,
          totals: totalsRow ? toTally(totalsRow) : emptyTally(),
          bucketMs,
          series,
          calls: await recent(tx as unknown as Db, dashboardRows),
        };
      }, isolation);
    },
    recentCalls: (limit) => recent(db.read, limit),
    async callsAfter(eventId, limit) {
      const rows = await db.read.call.findMany({
        where: { eventId: { gt: eventId } },
        orderBy: { eventId: 'asc' },
        take: limit,
      });
      return rows.map(toRow);
    },
    async history(callSid) {
      const [call, events] = await Promise.all([
        db.read.call.findUnique({ where: { callSid } }),
        // Ids are handed out in commit order, and commits follow arrival order.
        db.read.callEvent.findMany({ where: { callSid }, orderBy: { id: 'asc' } }),
      ]);
      let latest = -Infinity;
      const rows: CallEventRow[] = events.map((e) => {
        const at = e.timestamp?.getTime() ?? null;
        const outOfOrder = at !== null && at < latest;
        if (at !== null) latest = Math.max(latest, at);
        let raw: Record<string, string> = {};
        try {
          raw = JSON.parse(e.raw) as Record<string, string>;
        } catch {
          raw = { raw: e.raw };
        }
        return {
          id: e.id,
          status: e.status,
          sequence: e.sequence,
          timestamp: e.timestamp?.toISOString() ?? null,
          receivedAt: e.receivedAt.toISOString(),
          deliveries: e.deliveries,
          applied: e.applied,
          outOfOrder,
          raw,
        };
      });
      return { call: call ? toRow(call) : null, events: rows };
    },
    async ping() {
      await db.read.$queryRawUnsafe('SELECT 1');
    },
  };
}
