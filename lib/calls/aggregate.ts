// Tallies in SQL: the same sums as tally.ts's `contribution`, over Call rows, for the one filter the
// rollups do not have (a caller search) and for rebuilding the rollups when the MOS bands move.
import { join as joinSql, raw, sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import type { Provider } from '../db/adapters';
import type { BoardFilter } from '../common/filter';
import type { Tx } from '../db/client';
import { DURATION_BINS, JITTER_BOUNDS, LOSS_BOUNDS, type MosLimits } from '../common/status';
import { ROLLUP_COLUMNS } from './rollup';

const TERMINAL = `"status" IN ('completed', 'busy', 'no-answer', 'canceled', 'failed')`;

/** Epoch ms of a DateTime column: SQLite stores them as epoch ms (adapters.ts). */
export const epochMsOf = (provider: Provider, column: string) =>
  provider === 'postgresql' ? `(EXTRACT(EPOCH FROM ${column}) * 1000)::bigint` : column;

/** A DateTime literal: SQLite stores them as epoch ms, PostgreSQL as a UTC timestamp (adapters.ts). */
export const at = (provider: Provider, ms: number) =>
  raw(provider === 'sqlite' ? String(Math.trunc(ms)) : `'${new Date(ms).toISOString()}'::timestamp`);

/** `column IN (lines)`; nothing matches an empty list. */
export function inLines(column: Sql, lines: readonly string[]): Sql {
  return lines.length === 0 ? sql`1 = 0` : sql`${column} IN (${joinSql(lines as string[], ', ')})`;
}

/** The calls a filter counts, as one SQL condition on "Call" (the board's `matches`, in SQL). */
export function callConditions(provider: Provider, f: BoardFilter): Sql {
  const conds: Sql[] = [sql`"startedAt" >= ${at(provider, f.from)}`];
  if (f.to !== null) conds.push(sql`"startedAt" < ${at(provider, f.to)}`);
  conds.push(sql`"direction" = ${f.direction}`);
  if (f.line !== null) conds.push(f.line === '' ? sql`COALESCE("to", '') = ''` : sql`"to" = ${f.line}`);
  if (f.lines) {
    // Without the COALESCE where no line is "" (calls without a To), so the index on "to" serves.
    conds.push(inLines(f.lines.includes('') ? sql`COALESCE("to", '')` : sql`"to"`, f.lines));
  }
  if (f.status !== null) conds.push(sql`"status" = ${f.status}`);
  // Digits and + only (normalizeCaller), so nothing in it is a LIKE wildcard. An empty search is
  // no search, as in `matches` (LIKE '%%' would leave out calls without a caller).
  if (f.caller) conds.push(sql`"from" LIKE ${`%${f.caller}%`}`);
  return joinSql(conds, ' AND ');
}

/** A DateTime column truncated to its (UTC) minute, hour, day or week, as a DateTime again. */
function truncated(provider: Provider, column: string, unit: 'minute' | 'hour' | 'day' | 'week') {
  const ms = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: WEEK }[unit];
  if (provider === 'sqlite') return `(${column} / ${ms}) * ${ms}`;
  // PostgreSQL's weeks start on Mondays; the rollups' on Thursdays, as the epoch (RESOLUTIONS).
  return unit === 'week'
    ? `(date_trunc('week', ${column} + interval '4 days') - interval '4 days')`
    : `date_trunc('${unit}', ${column})`;
}

const num = (v: number) => {
  if (!Number.isFinite(v)) throw new Error(`not a number: ${v}`);
  return String(v);
};

/** SELECT expressions, one per ROLLUP_COLUMNS entry and named after it, tallying Call rows. */
export function tallyExpressions(provider: Provider, limits: MosLimits): string {
  const sumIf = (cond: string, value = '1') => `SUM(CASE WHEN ${cond} THEN ${value} ELSE 0 END)`;
  const band = (i: number) => {
    const lo = i === 0 ? null : limits[i - 1]!;
    const hi = i === limits.length ? null : limits[i]!;
    const parts = ['"mos" IS NOT NULL'];
    if (lo !== null) parts.push(`"mos" >= ${num(lo)}`);
    if (hi !== null) parts.push(`"mos" < ${num(hi)}`);
    return sumIf(parts.join(' AND '));
  };
  const bin = (i: number) => {
    const parts = [TERMINAL, '"duration" IS NOT NULL', `"duration" >= ${DURATION_BINS[i]!.min}`];
    const next = DURATION_BINS[i + 1];
    if (next) parts.push(`"duration" < ${next.min}`);
    return sumIf(parts.join(' AND '));
  };
  // As lossBin() and jitterBin(): upper bounds inclusive, the last bin unbounded.
  const HAS_LOSS = '"packets" IS NOT NULL AND "lost" IS NOT NULL AND "packets" > 0';
  const lossBinExpr = (i: number) => {
    const parts = [HAS_LOSS];
    // 64-bit: a counter may be up to 2e9, and times 100 that passes PostgreSQL's int4.
    const lost = 'CAST("lost" AS BIGINT) * 100';
    const packets = 'CAST("packets" AS BIGINT)';
    if (i > 0) parts.push(`${lost} > ${num(LOSS_BOUNDS[i - 1]!)} * ${packets}`);
    if (i < LOSS_BOUNDS.length) parts.push(`${lost} <= ${num(LOSS_BOUNDS[i]!)} * ${packets}`);
    return sumIf(parts.join(' AND '));
  };
  const jitBinExpr = (i: number) => {
    const parts = ['"jitter" IS NOT NULL'];
    if (i > 0) parts.push(`"jitter" > ${num(JITTER_BOUNDS[i - 1]!)}`);
    if (i < JITTER_BOUNDS.length) parts.push(`"jitter" <= ${num(JITTER_BOUNDS[i]!)}`);
    return sumIf(parts.join(' AND '));
  };
  const exprs: Record<(typeof ROLLUP_COLUMNS)[number], string> = {
    calls: 'COUNT(*)',
    finished: sumIf(TERMINAL),
    completed: sumIf(`"status" = 'completed'`),
    durationSum: 'COALESCE(SUM("duration"), 0)',
    durationCount: 'COUNT("duration")',
    // As contribution() does: Math.round(mos * 100), halves up. PostgreSQL's ROUND of a double
    // rounds halves to even, and its cast to integer rounds: floor(x + 0.5) there; SQLite's cast
    // truncates, which is the floor for a positive MOS.
    mosSumCenti:
      provider === 'postgresql'
        ? 'COALESCE(SUM(FLOOR("mos" * 100 + 0.5)::integer), 0)'
        : 'COALESCE(SUM(CAST("mos" * 100 + 0.5 AS INTEGER)), 0)',
    mosCount: 'COUNT("mos")',
    mosBad: band(0),
    mosPoor: band(1),
    mosFair: band(2),
    mosGood: band(3),
    mosExcellent: band(4),
    dur0: bin(0),
    dur1: bin(1),
    dur2: bin(2),
    dur3: bin(3),
    dur4: bin(4),
    dur5: bin(5),
    badAudioSum: sumIf(`"mos" < ${num(limits[0])} AND "duration" IS NOT NULL`, '"duration"'),
    lossCount: sumIf(HAS_LOSS),
    packetsSum: sumIf(HAS_LOSS, 'CAST("packets" AS BIGINT)'),
    lostSum: sumIf(HAS_LOSS, 'CAST("lost" AS BIGINT)'),
    loss0: lossBinExpr(0),
    loss1: lossBinExpr(1),
    loss2: lossBinExpr(2),
    loss3: lossBinExpr(3),
    loss4: lossBinExpr(4),
    loss5: lossBinExpr(5),
    loss6: lossBinExpr(6),
    jitterCount: 'COUNT("jitter")',
    jitterSumCenti:
      provider === 'postgresql'
        ? 'COALESCE(SUM(FLOOR("jitter" * 100 + 0.5)::integer), 0)'
        : 'COALESCE(SUM(CAST("jitter" * 100 + 0.5 AS INTEGER)), 0)',
    jit0: jitBinExpr(0),
    jit1: jitBinExpr(1),
    jit2: jitBinExpr(2),
    jit3: jitBinExpr(3),
    jit4: jitBinExpr(4),
    jit5: jitBinExpr(5),
    flushSum: 'COALESCE(SUM(CAST("flushes" AS BIGINT)), 0)',
  };
  return ROLLUP_COLUMNS.map((c) => `${exprs[c]} AS "${c}"`).join(', ');
}

/** The unsuccessful final statuses, whose calls FailureRollup counts by SIP code. */
export const FAILED = `"status" IN ('busy', 'no-answer', 'canceled', 'failed')`;

/** The resolutions above the minute's (RESOLUTIONS), each summed from the rows of the one before. */
const COARSER = [
  [60, 'hour', 1],
  [1440, 'day', 60],
  [10080, 'week', 1440],
] as const;

/** Setting: epoch ms (a UTC midnight) before which every call has been deleted (lib/ops/retention.ts). */
export const PURGED_BEFORE_KEY = 'retention.purgedBefore';
/**
 * Setting: epoch ms, the cutoff of the furthest purge begun, written in the same transaction as its
 * first deletions: while a purge is under way (or was stopped part way) some calls before it are
 * gone although PURGED_BEFORE_KEY does not say so yet.
 */
export const PURGE_CUTOFF_KEY = 'retention.purgeCutoff';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/**
 * Rollup rows before this are kept by a rebuild: the start of the UTC day of the furthest purge
 * begun; null when no call was ever purged.
 */
export async function keptRollupsBefore(tx: Pick<Tx, 'setting'>): Promise<number | null> {
  return keptBeforeOf(
    await tx.setting.findMany({ where: { key: { in: [PURGED_BEFORE_KEY, PURGE_CUTOFF_KEY] } } }),
  );
}

/** keptRollupsBefore from Setting rows already read (others among them are ignored). */
export function keptBeforeOf(rows: { key: string; value: string }[]): number | null {
  const ms = rows
    .filter((r) => r.key === PURGED_BEFORE_KEY || r.key === PURGE_CUTOFF_KEY)
    .map((r) => Number(r.value))
    .filter((v) => Number.isFinite(v) && v > 0);
  return ms.length === 0 ? null : Math.floor(Math.max(...ms) / DAY) * DAY;
}

/**
 * Recomputes the rollup rows from the calls, with MOS banded by `limits`. Runs inside the
 * caller's transaction, which must hold the ingest lock, so no commit lands between the two.
 *
 * Rows before keptRollupsBefore() are left as they are: retention deleted (some of) their calls,
 * and those rows are all that is left of them; recounting would drop them from every total and
 * chart. Only calls from that UTC midnight on are recounted. Retention purges up to a UTC midnight
 * (retentionCutoff), so no minute, hour or day row straddles the boundary: each lies wholly before
 * it (kept) or wholly after it (recounted). A week row can straddle it: the weeks from the one it
 * falls in are summed again from day rows, the kept ones before the boundary and the recounted
 * ones after. Kept rows stay banded by the MOS bounds they were counted with; a call still stored
 * before the boundary is not recounted either.
 */
export async function rebuildRollups(tx: Tx, provider: Provider, limits: MosLimits): Promise<void> {
  const columns = ROLLUP_COLUMNS.map((c) => `"${c}"`).join(', ');
  const kept = await keptRollupsBefore(tx);
  /** Where a resolution's rows are rebuilt from: a day's boundary, or the start of its week. */
  const since = (resolution: number) =>
    kept === null ? null : at(provider, resolution === 10080 ? Math.floor(kept / WEEK) * WEEK : kept).sql;
  /** The rows (of a table or a resolution) at or after the boundary: all of them when nothing is kept. */
  const after = (column: string, joiner: 'WHERE' | 'AND', resolution = 1) =>
    kept === null ? '' : ` ${joiner} ${column} >= ${since(resolution)}`;
  const emptied = (table: string) =>
    kept === null
      ? `DELETE FROM "${table}"`
      : `DELETE FROM "${table}" WHERE "bucket" >= ${since(1)} OR ("resolution" = 10080 AND "bucket" >= ${since(10080)})`;
  await tx.$executeRawUnsafe(emptied('Rollup'));
  await tx.$executeRawUnsafe(
    `INSERT INTO "Rollup" ("resolution", "bucket", "line", "direction", "status", ${columns})
     SELECT 1, ${truncated(provider, '"startedAt"', 'minute')}, COALESCE("to", ''), "direction", "status", ${tallyExpressions(provider, limits)}
       FROM "Call"${after('"startedAt"', 'WHERE')} GROUP BY 2, 3, 4, 5`,
  );
  for (const [resolution, unit, source] of COARSER) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "Rollup" ("resolution", "bucket", "line", "direction", "status", ${columns})
       SELECT ${resolution}, ${truncated(provider, '"bucket"', unit)}, "line", "direction", "status", ${ROLLUP_COLUMNS.map((c) => `SUM("${c}")`).join(', ')}
         FROM "Rollup" WHERE "resolution" = ${source}${after('"bucket"', 'AND', resolution)} GROUP BY 2, 3, 4, 5`,
    );
  }
  await tx.$executeRawUnsafe(emptied('FailureRollup'));
  await tx.$executeRawUnsafe(
    `INSERT INTO "FailureRollup" ("resolution", "bucket", "line", "direction", "status", "sipCode", "calls")
     SELECT 1, ${truncated(provider, '"startedAt"', 'minute')}, COALESCE("to", ''), "direction", "status", COALESCE("sipCode", 0), COUNT(*)
       FROM "Call" WHERE ${FAILED}${after('"startedAt"', 'AND')} GROUP BY 2, 3, 4, 5, 6`,
  );
  for (const [resolution, unit, source] of COARSER) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "FailureRollup" ("resolution", "bucket", "line", "direction", "status", "sipCode", "calls")
       SELECT ${resolution}, ${truncated(provider, '"bucket"', unit)}, "line", "direction", "status", "sipCode", SUM("calls")
         FROM "FailureRollup" WHERE "resolution" = ${source}${after('"bucket"', 'AND', resolution)} GROUP BY 2, 3, 4, 5, 6`,
    );
  }
}
