// What the admin API answers about people and TVs: read by the server and the admin page alike.

export type Role = 'admin' | 'supervisor';

export interface UserInfo {
  id: string;
  username: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
  createdAt: string;
  /** The lines a supervisor sees; null: every line. */
  lines: string[] | null;
}

export interface WallboardInfo {
  id: string;
  name: string;
  state: 'waiting' | 'paired' | 'revoked' | 'expired';
  createdAt: string;
  pairedAt: string | null;
  lastSeenAt: string | null;
  codeExpiresAt: string | null;
  /** The lines the TV shows; null: every line. */
  lines: string[] | null;
}

/** A file the SQLite store is made of. */
export interface StoreFile {
  /** "database" (the file DATABASE_URL names) or "wal" (its write-ahead log, `-wal`). */
  kind: 'database' | 'wal';
  path: string;
  /** 0 when the file does not exist (no WAL between a checkpoint and the next write). */
  bytes: number;
}

/** Calls started on one UTC day, from the day rollup rows, and what they added to the store. */
export interface StoreDay {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  calls: number;
  /** Estimated: the store's bytes per stored call times the day's calls; null with no call stored. */
  bytes: number | null;
}

/** What the store holds and how fast it grows: GET /api/admin/store. */
export interface StoreSize {
  provider: 'sqlite' | 'postgresql';
  /** When it was measured (ISO). */
  at: string;
  /** Rows, counted exactly (COUNT(*)). */
  counts: {
    /** Calls (Call rows), legs included. */
    calls: number;
    /** Callbacks as received (CallEvent rows). */
    callbacks: number;
    /** Rollup and FailureRollup rows. */
    rollups: number;
    auditEntries: number;
  };
  /** On disk: SQLite's files (`files`), or PostgreSQL's pg_database_size of the whole database. */
  bytes: number;
  /** SQLite: the database file and its `-wal` file. Empty on PostgreSQL. */
  files: StoreFile[];
  /** The last 7 whole UTC days, oldest first (today, not over yet, is left out). */
  days: StoreDay[];
  /** Per day over those 7 days. */
  average: { calls: number; bytes: number | null };
}

const BYTE_UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** "1.2 GB": decimal units (1 kB = 1,000 bytes), as disks and `df -H` count them. */
export function formatBytes(bytes: number, locale = 'en-US'): string {
  let unit = 0;
  let value = bytes;
  // From 999.5 on, a unit would round to "1,000": the next one reads better.
  while (Math.abs(value) >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${BYTE_UNITS[unit]}`;
}
