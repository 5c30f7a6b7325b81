import { raw, sqltag as sql, empty, join as joinSql, type Sql } from '@prisma/client/runtime/client';
import type { Database, Db, Tx } from '../db/client';
import type { Provider } from '../db/adapters';
import { CALL_ROW_SELECT, callRowOf, toRow } from './rows';
import { BIGINT_COLUMNS, ROLLUP_COLUMNS, tallyOf, type RollupColumn } from './rollup';
import { FAILED, at, callConditions, epochMsOf, tallyExpressions } from './aggregate';
import { failureKey } from '../common/status';
import { loadSettings } from './stored-settings';
import { addTally, emptyTally } from '../common/tally';
import { HOUR_MS, MINUTE_MS } from '../common/time';
import { bucketFor, MAX_POINTS } from '../common/series';
import { ALL_TIME, type BoardFilter } from '../common/filter';
import type { BoardSettings } from '../common/settings';
import type {
  CallEventRow,
  CallHistory,
  CallRow,
  IngestHealth,
  LineRow,
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

/**
 * Where a board filter's tallies come from. Range and line: the rollups, hour rows for whole hours
 * and minute rows at the edges, so the cost stays flat at a million calls. Status or caller: the
 * calls themselves in the range (the rollups are not kept by status or caller).
 */
interface Source {
  from: Sql;
  where: Sql;
  /** The rows' time, epoch ms. */
  time: Sql;
  line: Sql;
  tally: Sql;
  /** The same rows' unsuccessful calls by status and SIP code. */
  failures: { from: Sql; where: Sql; calls: Sql };
}

function rollupSource(provider: Provider, f: Unlined, minutesOnly: boolean): Source {
  const b = '"bucket"';
  const range = (resolution: 1 | 60, lo: number, hi: number | null) =>
    sql`("resolution" = ${raw(String(resolution))} AND ${raw(b)} >= ${at(provider, lo)}${
      hi === null ? empty : sql` AND ${raw(b)} < ${at(provider, hi)}`
    })`;
  const h1 = Math.ceil(f.from / HOUR_MS) * HOUR_MS;
  const h2 = f.to === null ? null : Math.floor(f.to / HOUR_MS) * HOUR_MS;
  const parts =
    minutesOnly || (h2 !== null && h1 >= h2)
      ? [range(1, f.from, f.to)]
      : [
          range(1, f.from, h1),
          range(60, h1, h2),
          ...(h2 !== null && f.to !== null ? [range(1, h2, f.to)] : []),
        ];
  const where = sql`"direction" = ${f.direction} AND (${joinSql(parts, ' OR ')})`;
  return {
    from: sql`"Rollup"`,
    where,
    time: raw(epochMsOf(provider, b)),
    line: raw('"line"'),
    tally: sumColumns(provider),
    failures: { from: sql`"FailureRollup"`, where, calls: sql`SUM("calls")` },
  };
}

function callSource(provider: Provider, f: Unlined, settings: BoardSettings): Source {
  const where = callConditions(provider, { ...f, line: null });
  return {
    from: sql`"Call"`,
    where,
    time: raw(epochMsOf(provider, '"startedAt"')),
    line: raw(`COALESCE("to", '')`),
    tally: raw(tallyExpressions(provider, settings.mosLimits)),
    failures: {
      from: sql`"Call"`,
      where: sql`${where} AND ${raw(FAILED)}`,
      calls: sql`COUNT(*)`,
    },
  };
}

/** Sources cover every line: the line table needs them all, and totals pick the chosen one. */
type Unlined = Omit<BoardFilter, 'line'>;

const sourceFor = (provider: Provider, f: Unlined, settings: BoardSettings, minutesOnly: boolean) =>
  f.status !== null || f.caller !== null
    ? callSource(provider, f, settings)
    : rollupSource(provider, f, minutesOnly);

export interface Queries {
  /** What the board shows for a filter (default: every call), with at most `rows` calls listed. */
  snapshot(filter?: BoardFilter, now?: number, rows?: number): Promise<Snapshot>;
  recentCalls(limit: number): Promise<CallRow[]>;
  callsAfter(eventId: number, limit: number): Promise<CallRow[]>;
  /** Every callback received for one call, in arrival order. */
  history(callSid: string): Promise<CallHistory>;
  /** Webhook traffic over the last hour, and each line's last callback and usual traffic. */
  ingestHealth(now?: number): Promise<IngestHealth>;
  settings(): Promise<BoardSettings>;
  ping(): Promise<void>;
}

export function createQueries(db: Database, dashboardRows: number): Queries {
  const p = db.provider;
  const recent = (client: Db, limit: number) =>
    client.call
      .findMany({ orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: limit })
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
        const settings = await loadSettings(tx);
        const end = filter.to ?? Math.max(now, filter.from + MINUTE_MS);
        const bucketMs = bucketFor(end - filter.from);

        // One pass, grouped by chart bucket and line: totals and chart points are its rows for the
        // chosen line (or all), the line table its rows for every line. Chart buckets shorter
        // than an hour need minute rows throughout.
        const src = sourceFor(p, filter, settings, bucketMs < HOUR_MS);
        const from = raw(String(filter.from));
        const size = raw(String(bucketMs));
        const grouped = await tx.$queryRaw<(TallyRecord & { t: number | bigint; line: string })[]>(
          sql`SELECT (${from} + ((${src.time} - ${from}) / ${size}) * ${size}) AS t, ${src.line} AS line, ${src.tally}
                FROM ${src.from} WHERE ${src.where} GROUP BY 1, 2`,
        );
        const totals = emptyTally();
        const points = new Map<number, Tally>();
        const perLine = new Map<string, Tally>();
        // Unsuccessful calls by status and SIP code, per line: the why-calls-fail panel reads the
        // totals, the line table may. No chart shows them per point, and grouping by point too
        // made this read return thousands of rows over a month (each mapped by the driver).
        const failures = await tx.$queryRaw<
          { line: string; status: string; sip: number | bigint | null; calls: number | bigint }[]
        >(
          sql`SELECT ${src.line} AS line, "status", COALESCE("sipCode", 0) AS sip, ${src.failures.calls} AS calls
                FROM ${src.failures.from} WHERE ${src.failures.where} GROUP BY 1, 2, 3`,
        );
        // Each row's tally into its line, and (for the chosen line, or all) the totals and its point.
        const place = (t: number | null, line: string, tally: Tally) => {
          addTally(perLine.get(line) ?? perLine.set(line, emptyTally()).get(line)!, tally);
          if (filter.line !== null && line !== filter.line) return;
          addTally(totals, tally);
          if (t !== null) addTally(points.get(t) ?? points.set(t, emptyTally()).get(t)!, tally);
        };
        for (const r of grouped) place(Number(r.t), String(r.line), tallyOf(r));
        for (const r of failures) {
          const n = Number(r.calls);
          if (n === 0) continue;
          const tally = emptyTally();
          tally.failures[failureKey(r.status, Number(r.sip))] = n;
          place(null, String(r.line), tally);
        }
        const series: SeriesPoint[] = [...points]
          .map(([t, tally]) => ({ t, tally }))
          .sort((x, y) => x.t - y.t)
          .slice(-MAX_POINTS);
        const lineRows = [...perLine]
          .map(([line, tally]) => ({ line, tally }))
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
          sql`SELECT ${raw(CALL_ROW_SELECT)} FROM "Call" WHERE ${callConditions(p, filter)}
                ORDER BY "startedAt" DESC, "id" DESC LIMIT ${Math.min(rows, dashboardRows)}`,
        );
        return {
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
