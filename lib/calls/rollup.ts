// The rollup table's counters and the lock every writer of calls and rollups takes.
import type { Tx } from '../db/client';

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
] as const;

/** Rollup resolutions in minutes: minutes for short charts, hours for totals and long ones. */
export const RESOLUTIONS = [1, 60] as const;

/** The advisory lock key that serialises ingest across instances on PostgreSQL. */
const INGEST_LOCK = 7_301_862;

/**
 * Takes the ingest lock for the rest of the transaction (PostgreSQL; SQLite's single writer
 * connection already serialises every write).
 */
export async function lockIngest(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${INGEST_LOCK})`);
}
