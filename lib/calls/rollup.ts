// The rollup table's counters and the lock every writer of calls and rollups takes.
import type { Tx } from '../db/client';
import type { Tally } from '../common/types';

/** Rollup's counters, in the order of Tally's fields (see rollupValues). */
export const ROLLUP_COLUMNS = [
  'calls',
  'finished',
  'completed',
  'durationSum',
  'durationCount',
  'mosSumCenti',
  'mosCount',
  'mosBad',
  'mosPoor',
  'mosFair',
  'mosGood',
  'mosExcellent',
  'dur0',
  'dur1',
  'dur2',
  'dur3',
  'dur4',
  'dur5',
  'badAudioSum',
  'lossCount',
  'packetsSum',
  'lostSum',
  'loss0',
  'loss1',
  'loss2',
  'loss3',
  'loss4',
  'loss5',
  'loss6',
  'jitterCount',
  'jitterSumCenti',
  'jit0',
  'jit1',
  'jit2',
  'jit3',
  'jit4',
  'jit5',
  'flushSum',
] as const;
export type RollupColumn = (typeof ROLLUP_COLUMNS)[number];

/** The sums that can pass 2^31 in one row: 64-bit columns. */
export const BIGINT_COLUMNS: ReadonlySet<RollupColumn> = new Set([
  'packetsSum',
  'lostSum',
  'jitterSumCenti',
  'flushSum',
]);

/** A tally as ROLLUP_COLUMNS' values, in order (its failures go to FailureRollup). */
export function rollupValues(t: Tally): number[] {
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
    t.lossCount,
    t.packetsSum,
    t.lostSum,
    ...t.lossBins,
    t.jitterCount,
    t.jitterSumCenti,
    ...t.jitterBins,
    t.flushSum,
  ];
}

/** A tally from ROLLUP_COLUMNS' values by name (sums come back as bigint or null from SQL). */
export function tallyOf(r: Record<RollupColumn, number | bigint | null>): Tally {
  const n = (c: RollupColumn) => Number(r[c] ?? 0);
  const bins = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => n(`${prefix}${i}` as RollupColumn));
  return {
    calls: n('calls'),
    finished: n('finished'),
    completed: n('completed'),
    durationSum: n('durationSum'),
    durationCount: n('durationCount'),
    mosSumCenti: n('mosSumCenti'),
    mosCount: n('mosCount'),
    mosBands: [n('mosBad'), n('mosPoor'), n('mosFair'), n('mosGood'), n('mosExcellent')],
    durationBins: bins('dur', 6),
    badAudioSeconds: n('badAudioSum'),
    lossCount: n('lossCount'),
    packetsSum: n('packetsSum'),
    lostSum: n('lostSum'),
    lossBins: bins('loss', 7),
    jitterCount: n('jitterCount'),
    jitterSumCenti: n('jitterSumCenti'),
    jitterBins: bins('jit', 6),
    flushSum: n('flushSum'),
    failures: {},
  };
}

/**
 * Rollup resolutions in minutes: minutes for short charts and a range's edges, hours for longer
 * charts, (UTC) days for the middle of long ranges, and weeks for the middle of ranges of months
 * or years. A bucket of each starts at a multiple of its length from the epoch, so a week runs
 * from a Thursday, 00:00 UTC (the epoch's weekday): weeks are storage here, not the calendar's.
 */
export const RESOLUTIONS = [1, 60, 1440, 10080] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** The advisory lock key that serialises ingest across instances on PostgreSQL. */
const INGEST_LOCK = 7_301_862;

/** The statement that takes the ingest lock for the rest of its transaction (PostgreSQL). */
export const LOCK_INGEST = `SELECT pg_advisory_xact_lock(${INGEST_LOCK})`;

/**
 * Takes the ingest lock for the rest of the transaction (PostgreSQL; on SQLite every transaction
 * that writes begins by taking SQLite's write lock, ingest's writer thread's and Prisma's alike).
 */
export async function lockIngest(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(LOCK_INGEST);
}
