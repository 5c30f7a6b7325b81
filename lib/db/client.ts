import { mkdirSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { PrismaClient } from './generated/sqlite/client';
import { applyMigrations } from './migrate';
import { sqliteAdapter, sqlitePath } from './adapters';

export type Db = InstanceType<typeof PrismaClient>;
/** The client handed to code inside a transaction. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface Database {
  /** The one connection that writes. SQLite allows one writer; queuing here beats SQLITE_BUSY. */
  write: Db;
  /** A separate connection for reads: it sees only committed data (WAL), never a write in flight. */
  read: Db;
  close(): Promise<void>;
}

export interface OpenOptions {
  url: string;
  synchronous: 'NORMAL' | 'FULL';
  migrationsRoot?: string;
}

// WAL: readers never block the writer and a commit is durable across a process crash. The mode
// is stored in the file, and switching needs the file to itself, so it is set before anything else.
function enableWal(file: string) {
  const conn = new BetterSqlite3(file);
  try {
    conn.pragma('journal_mode = WAL');
  } finally {
    conn.close();
  }
}

async function pragmas(db: Db, synchronous: 'NORMAL' | 'FULL') {
  // NORMAL may lose the last commits on power loss only; FULL closes that gap at some speed.
  await db.$executeRawUnsafe(`PRAGMA synchronous = ${synchronous}`);
  await db.$executeRawUnsafe('PRAGMA busy_timeout = 5000');
}

/** Opens the store, applying any pending migration first. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const file = sqlitePath(opts.url);
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true });
    enableWal(file);
  }
  const root = opts.migrationsRoot ?? join(process.cwd(), 'prisma');
  await applyMigrations(
    join(root, 'sqlite', 'schema.prisma'),
    join(root, 'sqlite', 'migrations'),
    sqliteAdapter(opts.url),
  );
  const write = new PrismaClient({ adapter: sqliteAdapter(opts.url) });
  const read = new PrismaClient({ adapter: sqliteAdapter(opts.url) });
  await pragmas(write, opts.synchronous);
  await pragmas(read, opts.synchronous);
  return {
    write,
    read,
    async close() {
      await Promise.all([write.$disconnect(), read.$disconnect()]);
    },
  };
}
