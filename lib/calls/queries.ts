import { raw, sqltag as sql, empty, join as joinSql, type Sql } from '@prisma/client/runtime/client';
import type { Database, Db, Tx } from '../db/client';
import type { Provider } from '../db/adapters';
import { CALL_ROW_SELECT, callRowOf, toRow } from './rows';
import { BIGINT_COLUMNS, ROLLUP_COLUMNS, tallyOf, type Resolution, type RollupColumn } from './rollup';
import { FAILED, at, callConditions, epochMsOf, inLines, tallyExpressions } from './aggregate';
import { failureKey } from '../common/status';
import { loadBoardState, loadSettings } from './stored-settings';
import { addPoint, addTally, emptyPoint, emptyTally, POINT_FIELDS } from '../common/tally';
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS } from '../common/time';
import { bucketFor, MAX_POINTS } from '../common/series';
import { ALL_TIME, type BoardFilter } from '../common/filter';
import type { BoardSettings } from '../common/settings';
import type {
  CallEventRow,
  CallHistory,
  CallRow,
  IngestHealth,
  LineRow,
  PointTally,
  SeriesPoint,
  Snapshot,
  Tally,
} from '../common/types';

/** Most lines the per-line view lists, busiest first. */
const MAX_LINES = 200;

type TallyRecord = Record<RollupColumn, number | bigint | null>;

// PostgreSQL sums a bigint column as numeric, which the driver hands back as text: those are cast
// back. SQLite's sums are 64-bit integers already, and a cast per column costs time per row.
const sumColumns = (provider: Provider) =>
  raw(
    ROLLUP_COLUMNS.map((c) =>
      provider === 'postgresql' && BIGINT_COLUMNS.has(c)
        ? `CAST(SUM("${c}") AS BIGINT) AS "${c}"`
        : `SUM("${c}") AS "${c}"`,
    ).join(', '),
  );

/** Rows of one rollup resolution (minutes) whose buckets lie in [lo, hi); hi null: no end. */
interface Piece {
  resolution: Resolution;
  lo: number;
  hi: number | null;
}

const STEPS: readonly { resolution: Resolution; ms: number }[] = [
  { resolution: 1, ms: MINUTE_MS },
  { resolution: 60, ms: HOUR_MS },
  { resolution: 1440, ms: DAY_MS },
  { resolution: 10080, ms: WEEK_MS },
];

/** The coarsest resolution: a range's figures are summed from it in the middle. */
const COARSEST: Resolution = 10080;

/**
 * [from, to) as whole rollup rows, coarsest in the middle: minute rows up to the first whole hour
 * and after the last, hour rows up to the first whole (UTC) day and after the last, day rows up to
 * the first whole week and after the last, week rows in between; none coarser than `coarsest`. A
 * month is ~30 day rows per line instead of ~720 hour rows; two years are ~104 week rows and at
 * most 12 day rows instead of ~730 day rows.
 */
export function piecesOf(from: number, to: number | null, coarsest: Resolution): Piece[] {
  const steps = STEPS.filter((s) => s.resolution <= coarsest);
  const out: Piece[] = [];
  let lo = from;
  let hi = to;
  for (let i = 0; i < steps.length; i++) {
    const { resolution } = steps[i]!;
    const next = steps[i + 1];
    const a = next && Math.ceil(lo / next.ms) * next.ms;
    const b = next && hi !== null ? Math.floor(hi / next.ms) * next.ms : null;
    if (!next || (b !== null && a! >= b)) {
      out.push({ resolution, lo, hi });
      break;
    }
    out.push({ resolution, lo, hi: a! });
    if (b !== null) out.push({ resolution, lo: b, hi });
    lo = a!;
    hi = b;
  }
  return out.filter((p) => p.hi === null || p.lo < p.hi);
}

/** The rollup rows of a filter's direction, status and lines that make up some pieces, as one condition. */
function rollupWhere(
  provider: Provider,
  f: Pick<BoardFilter, 'direction' | 'status' | 'lines'>,
  pieces: Piece[],
  line: string | null = null,
): Sql {
  const { direction, status, lines } = f;
  const b = '"bucket"';
  const parts = pieces.map(
    (p) =>
      sql`("resolution" = ${raw(String(p.resolution))} AND ${raw(b)} >= ${at(provider, p.lo)}${
        p.hi === null ? empty : sql` AND ${raw(b)} < ${at(provider, p.hi)}`
      })`,
  );
  return sql`"direction" = ${direction}${status === null ? empty : sql` AND "status" = ${status}`}${
    line === null ? empty : sql` AND "line" = ${line}`
  }${
    lines ? sql` AND ${inLines(raw('"line"'), lines)}` : empty
  } AND (${parts.length > 0 ? joinSql(parts, ' OR ') : raw('1 = 0')})`;
}

/**
 * The coarsest rollup rows a chart's points are summed from: minutes for buckets shorter than an
 * hour; weeks (or days) when buckets are whole weeks (days) from a week's (a UTC midnight's) start,
 * so each such row falls whole into one bucket; hours otherwise (each counted in the bucket its
 * hour starts in).
 */
function pointResolution(from: number, bucketMs: number): Resolution {
  if (bucketMs < HOUR_MS) return 1;
  for (const { resolution, ms } of [...STEPS].reverse()) {
    if (ms >= DAY_MS && bucketMs % ms === 0 && from % ms === 0) return resolution;
  }
  return 60;
}

/** What the rollups give of a board: every line's tally, the chart's points, the failures. */
async function fromRollups(tx: Tx, provider: Provider, f: BoardFilter, bucketMs: number) {
  const whole = piecesOf(f.from, f.to, COARSEST);
  const from = raw(String(f.from));
  const size = raw(String(bucketMs));
  const time = raw(epochMsOf(provider, '"bucket"'));
  const [lines, points, failures] = [
    // Totals and the line table: a tally per line, from the coarsest rows.
    await tx.$queryRaw<(TallyRecord & { line: string })[]>(
      sql`SELECT "line", ${sumColumns(provider)} FROM "Rollup"
            WHERE ${rollupWhere(provider, f, whole)} GROUP BY 1`,
    ),
    // The chart: the chosen line's (or all) per bucket, only what a point holds.
    await tx.$queryRaw<Record<'t' | (typeof POINT_FIELDS)[number], number | bigint | null>[]>(
      sql`SELECT (${from} + ((${time} - ${from}) / ${size}) * ${size}) AS t, ${raw(
        POINT_FIELDS.map((c) => `SUM("${c}") AS "${c}"`).join(', '),
      )} FROM "Rollup"
            WHERE ${rollupWhere(provider, f, piecesOf(f.from, f.to, pointResolution(f.from, bucketMs)), f.line)}
            GROUP BY 1`,
    ),
    await tx.$queryRaw<FailureRecord[]>(
      sql`SELECT "line", "status", "sipCode" AS sip, SUM("calls") AS calls FROM "FailureRollup"
            WHERE ${rollupWhere(provider, f, whole)} GROUP BY 1, 2, 3`,
    ),
  ];
  return {
    lines: lines.map((r) => ({ line: String(r.line), tally: tallyOf(r) })),
    points: points.map((r) => {
      const tally = emptyPoint();
      for (const c of POINT_FIELDS) tally[c] = Number(r[c] ?? 0);
      return { t: Number(r.t), tally };
    }),
    failures,
  };
}

/** What the calls themselves give of a board, for the filter the rollups do not keep (a caller search). */
async function fromCalls(
  tx: Tx,
  provider: Provider,
  f: BoardFilter,
  bucketMs: number,
  settings: BoardSettings,
) {
  const where = callConditions(provider, { ...f, line: null });
  const from = raw(String(f.from));
  const size = raw(String(bucketMs));
  const time = raw(epochMsOf(provider, '"startedAt"'));
  // One pass, by chart bucket and line: the line table takes every line's rows, the chart the
  // chosen line's (or all).
  const grouped = await tx.$queryRaw<(TallyRecord & { t: number | bigint; line: string })[]>(
    sql`SELECT (${from} + ((${time} - ${from}) / ${size}) * ${size}) AS t, COALESCE("to", '') AS line,
          ${raw(tallyExpressions(provider, settings.mosLimits))}
          FROM "Call" WHERE ${where} GROUP BY 1, 2`,
  );
  const failures = await tx.$queryRaw<FailureRecord[]>(
    sql`SELECT COALESCE("to", '') AS line, "status", COALESCE("sipCode", 0) AS sip, COUNT(*) AS calls
          FROM "Call" WHERE ${where} AND ${raw(FAILED)} GROUP BY 1, 2, 3`,
  );
  const perLine = new Map<string, Tally>();
  const perPoint = new Map<number, PointTally>();
  for (const r of grouped) {
    const line = String(r.line);
    const tally = tallyOf(r);
    addTally(perLine.get(line) ?? perLine.set(line, emptyTally()).get(line)!, tally);
    if (f.line !== null && line !== f.line) continue;
    const t = Number(r.t);
    addPoint(perPoint.get(t) ?? perPoint.set(t, emptyPoint()).get(t)!, tally);
  }
  return {
    lines: [...perLine].map(([line, tally]) => ({ line, tally })),
    points: [...perPoint].map(([t, tally]) => ({ t, tally })),
    failures,
  };
}

type FailureRecord = { line: string; status: string; sip: number | bigint | null; calls: number | bigint };

/**
 * What a board's range lost to retention: where the stored calls begin, and how many calls the
 * rollups count before that but the store no longer has (lib/ops/retention.ts). Null when the
 * range starts after every purge.
 */
async function purgedOf(
  tx: Tx,
  provider: Provider,
  f: BoardFilter,
  before: number | null,
): Promise<Snapshot['purged']> {
  if (before === null || f.from >= before) return null;
  // The figures of a caller search come from the stored calls alone.
  if (f.caller !== null) return { before, calls: null };
  // Days purged before rollups kept the status have rows without one: a status filter cannot
  // count what they hold.
  if (f.status !== null) {
    const [unknown] = await tx.$queryRaw<unknown[]>(
      sql`SELECT 1 FROM "Rollup" WHERE "status" = '' AND "bucket" < ${at(provider, before)} LIMIT 1`,
    );
    if (unknown) return { before, calls: null };
  }
  const end = f.to === null ? before : Math.min(f.to, before);
  const [counted] = await tx.$queryRaw<{ calls: number | bigint | null }[]>(
    sql`SELECT SUM("calls") AS calls FROM "Rollup"
          WHERE ${rollupWhere(provider, f, piecesOf(f.from, end, COARSEST), f.line)}`,
  );
  const [stored] = await tx.$queryRaw<{ n: number | bigint }[]>(
    sql`SELECT COUNT(*) AS n FROM "Call" WHERE ${callConditions(provider, { ...f, to: end })}`,
  );
  return { before, calls: Math.max(0, Number(counted?.calls ?? 0) - Number(stored?.n ?? 0)) };
}

/**
 * The index a filtered board's newest calls are read through on SQLite: its filter's equality, then
 * the start time, so a rare status or line is read in order rather than found by scanning every
 * call back from now. Named, because without statistics SQLite takes the (direction, startedAt)
 * index whatever else the filter says. PostgreSQL chooses for itself.
 */
function listIndex(provider: Provider, f: BoardFilter): Sql {
  if (provider !== 'sqlite') return empty;
  if (f.status !== null) return raw(' INDEXED BY "Call_status_startedAt_idx"');
  // A line's condition is on "to" itself except for calls without one (line "").
  if (f.line !== null && f.line !== '') return raw(' INDEXED BY "Call_to_startedAt_idx"');
  return empty;
}

export interface Queries {
  /** What the board shows for a filter (default: every call), with at most `rows` calls listed. */
  snapshot(filter?: BoardFilter, now?: number, rows?: number): Promise<Snapshot>;
  /** The newest calls; with `lines`, inbound calls to those lines only. */
  recentCalls(limit: number, lines?: readonly string[] | null): Promise<CallRow[]>;
  callsAfter(eventId: number, limit: number, lines?: readonly string[] | null): Promise<CallRow[]>;
  /** Every callback received for one call, in arrival order. */
  history(callSid: string): Promise<CallHistory>;
  /** Webhook traffic over the last hour, and each line's last callback and usual traffic. */
  ingestHealth(now?: number): Promise<IngestHealth>;
  settings(): Promise<BoardSettings>;
  ping(): Promise<void>;
}

export function createQueries(db: Database, dashboardRows: number): Queries {
  const p = db.provider;
  // A line-scoped viewer's calls: inbound to their lines (lib/auth/scope.ts).
  const scoped = (lines: readonly string[] | null | undefined) =>
    lines ? { direction: 'inbound', to: { in: [...lines] } } : {};
  const recent = (client: Db, limit: number, lines?: readonly string[] | null) =>
    client.call
      .findMany({ where: scoped(lines), orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: limit })
      .then((rows) => rows.map(toRow));

  return {
    async snapshot(filter = ALL_TIME, now = Date.now(), rows = dashboardRows) {
      // One read transaction, so the totals, series, rows and the id they are as of agree. SQLite's
      // transactions are serializable; PostgreSQL's default would let each query see newer commits.
      // (Typed as the SQLite client, which knows only its own level; the PostgreSQL client takes this.)
      const isolation = (p === 'postgresql' ? { isolationLevel: 'RepeatableRead' } : {}) as {
        isolationLevel?: 'Serializable';
      };
      return db.read.$transaction(async (tx: Tx) => {
        // findFirst by the unique index, not aggregate _max: Prisma's aggregate scanned every call.
        const last = await tx.call.findFirst({ orderBy: { eventId: 'desc' }, select: { eventId: true } });
        const { settings, purgedUntil } = await loadBoardState(tx);
        const end = filter.to ?? Math.max(now, filter.from + MINUTE_MS);
        const bucketMs = bucketFor(end - filter.from);

        const got =
          filter.caller !== null
            ? await fromCalls(tx, p, filter, bucketMs, settings)
            : await fromRollups(tx, p, filter, bucketMs);
        // Every line's tally, its unsuccessful calls by status and SIP code added, for the line
        // table; the chosen line's (or all lines') for the totals.
        const perLine = new Map(got.lines.map((l) => [l.line, l.tally]));
        for (const r of got.failures) {
          const n = Number(r.calls);
          if (n === 0) continue;
          const line = String(r.line);
          const tally = perLine.get(line) ?? perLine.set(line, emptyTally()).get(line)!;
          const key = failureKey(r.status, Number(r.sip ?? 0));
          tally.failures[key] = (tally.failures[key] ?? 0) + n;
        }
        const totals = emptyTally();
        for (const [line, tally] of perLine)
          if (filter.line === null || line === filter.line) addTally(totals, tally);
        const series: SeriesPoint[] = got.points
          .filter((pt) => pt.tally.calls !== 0 || pt.tally.durationSum !== 0)
          .sort((x, y) => x.t - y.t)
          .slice(-MAX_POINTS);
        const lineRows = [...perLine]
          .map(([line, tally]) => ({ line, tally }))
          .filter((l) => l.tally.calls !== 0)
          .sort((x, y) => y.tally.calls - x.tally.calls)
          .slice(0, MAX_LINES);
        const lastCalls = new Map(
          (
            await tx.line.findMany({
              where: { direction: filter.direction, line: { in: lineRows.map((l) => l.line) } },
            })
          ).map((l) => [l.line, l.lastCallAt.getTime()]),
        );
        const lines: LineRow[] = lineRows.map((l) => ({ ...l, lastCallAt: lastCalls.get(l.line) ?? null }));

        // The same conditions as the figures and the export, not a second rendering of the filter.
        const calls = await tx.$queryRaw<Record<string, unknown>[]>(
          sql`SELECT ${raw(CALL_ROW_SELECT)} FROM "Call"${listIndex(p, filter)} WHERE ${callConditions(p, filter)}
                ORDER BY "startedAt" DESC, "id" DESC LIMIT ${Math.min(rows, dashboardRows)}`,
        );
        return {
          purged: await purgedOf(tx, p, filter, purgedUntil),
          asOfEventId: last?.eventId ?? 0,
          settings,
          filter,
          totals,
          bucketMs,
          series,
          calls: calls.map(callRowOf),
          lines,
        };
      }, isolation);
    },
    recentCalls: (limit, lines) => recent(db.read, limit, lines),
    async callsAfter(eventId, limit, lines) {
      // By the eventId index, named on SQLite: without statistics SQLite took the (direction,
      // startedAt) index for a line-scoped viewer's inbound calls and sorted every one of them.
      const rows = await db.read.$queryRaw<Record<string, unknown>[]>(
        sql`SELECT ${raw(CALL_ROW_SELECT)} FROM "Call"${p === 'sqlite' ? raw(' INDEXED BY "Call_eventId_key"') : empty}
              WHERE "eventId" > ${eventId}${lines ? sql` AND "direction" = 'inbound' AND ${inLines(raw('"to"'), lines)}` : empty}
              ORDER BY "eventId" LIMIT ${limit}`,
      );
      return rows.map(callRowOf);
    },
    async history(callSid) {
      const [call, legs, events] = await Promise.all([
        db.read.call.findUnique({ where: { callSid } }),
        db.read.call.findMany({ where: { parentSid: callSid }, orderBy: { startedAt: 'asc' }, take: 100 }),
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
      return { call: call ? toRow(call) : null, legs: legs.map(toRow), events: rows };
    },
    async ingestHealth(now = Date.now()) {
      const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
      // The same hour of each of the previous 7 days: what "usual" traffic at this hour is.
      const sameHours = Array.from({ length: 7 }, (_, i) => new Date(hour - (i + 1) * 24 * HOUR_MS));
      const hourAgo = new Date(Math.floor(now / MINUTE_MS) * MINUTE_MS - 59 * MINUTE_MS);
      const [minutes, dropped, recent, usual, settings] = await Promise.all([
        db.read.ingestMinute.findMany({ where: { bucket: { gte: hourAgo } }, orderBy: { bucket: 'asc' } }),
        db.read.ingestDropped.groupBy({
          by: ['field'],
          where: { bucket: { gte: hourAgo } },
          _sum: { count: true },
        }),
        // The center's lines: calls to them are inbound (a leg's To is an agent's number).
        db.read.line.findMany({
          where: { direction: 'inbound' },
          orderBy: { lastCallbackAt: 'desc' },
          take: MAX_LINES,
        }),
        db.read.rollup.groupBy({
          by: ['line'],
          where: { resolution: 60, direction: 'inbound', bucket: { in: sameHours } },
          _sum: { calls: true },
        }),
        loadSettings(db.read),
      ]);
      // The most recently heard lines, and every line that is usually called at this hour: a silent
      // one is among the least recently heard, which a cap on recency would drop.
      const known = new Set(recent.map((l) => l.line));
      const usualLines = usual.map((u) => u.line).filter((l) => !known.has(l));
      const lines = [
        ...recent,
        ...(usualLines.length > 0
          ? await db.read.line.findMany({ where: { direction: 'inbound', line: { in: usualLines } } })
          : []),
      ];
      const usualOf = new Map(usual.map((u) => [u.line, (u._sum.calls ?? 0) / 7]));
      return {
        now,
        minutes: minutes.map(({ bucket, ...counts }) => ({ t: bucket.getTime(), ...counts })),
        lines: lines.map((l) => ({
          line: l.line,
          lastCallbackAt: l.lastCallbackAt.getTime(),
          usualPerHour: usualOf.get(l.line) ?? 0,
        })),
        silenceMinutes: settings.silenceMinutes,
        dropped: dropped
          .map((d) => ({ field: d.field, count: d._sum.count ?? 0 }))
          .sort((a, b) => b.count - a.count || (a.field < b.field ? -1 : 1)),
      };
    },
    settings: () => loadSettings(db.read),
    async ping() {
      await db.read.$queryRawUnsafe('SELECT 1');
    },
  };
}
