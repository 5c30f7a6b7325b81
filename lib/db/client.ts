import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgresql/client';
import { applyMigrations } from './migrate';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { adapterFor, providerOf, sqlitePath, type Provider } from './adapters';

// Both generated clients have the same models and so the same API; code is written against one.
export type Db = InstanceType<typeof SqliteClient>;
/** The client handed to code inside a transaction. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export interface Database {
  provider: Provider;
  /** The DATABASE_URL it was opened with: for connections of its own (the export worker's). */
  url: string;
  /**
   * Writes. On SQLite one connection, whose transactions begin by taking SQLite's write lock; the
   * server's ingest commits on a thread with a connection of its own (writer-thread.ts), and the two
   * take turns through that lock.
   */
  write: Db;
  /** Reads, on their own connection(s): they see only committed data, never a write in flight. */
  read: Db;
  /**
   * SQLite only: the connection `write` runs on, for statements of its own inside a transaction
   * `write` began, or of its own (lib/calls/ingest/store.ts). Null on PostgreSQL, or before `write` connected.
   */
  sqliteWriter(): BetterSqlite3.Database | null;
  /**
   * PostgreSQL only: one connection of its own, below Prisma, on which ingest commits its batches
   * (lib/calls/ingest/store.ts). Null on SQLite.
   */
  postgresWriter(): pg.Pool | null;
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

async function sqlitePragmas(db: Db, synchronous: 'NORMAL' | 'FULL', writer: boolean) {
  // NORMAL may lose the last commits on power loss only; FULL closes that gap at some speed.
  await db.$executeRawUnsafe(`PRAGMA synchronous = ${synchronous}`);
  await db.$executeRawUnsafe('PRAGMA busy_timeout = 5000');
  // With a million calls the indexes on random CallSids outgrow SQLite's default 2 MB cache, and
  // every insert would go back to the file: the writer keeps 64 MB of them. Readers keep the
  // default, so a full export does not fill a cache of its own.
  if (writer) await db.$executeRawUnsafe('PRAGMA cache_size = -65536');
}

/**
 * Makes the transactions Prisma begins on the writer's connection `BEGIN IMMEDIATE` (the adapter
 * runs a plain, deferred `BEGIN`). Ingest's writer thread commits on a connection of its own: a
 * deferred transaction that read, then wrote after one of those commits, would fail at once with
 * SQLITE_BUSY (its snapshot is stale, so waiting cannot help). Taking the write lock at `BEGIN`
 * waits for the thread's commit instead, up to the busy timeout, and then sees it.
 */
function beginImmediately(conn: BetterSqlite3.Database) {
  const prepare = conn.prepare.bind(conn);
  conn.prepare = ((source: string) =>
    prepare(source === 'BEGIN' ? 'BEGIN IMMEDIATE' : source)) as typeof conn.prepare;
}

function client(url: string, onSqlite?: (conn: BetterSqlite3.Database) => void): Db {
  const adapter = adapterFor(url);
  if (providerOf(url) !== 'sqlite') return new PostgresClient({ adapter }) as unknown as Db;
  if (!onSqlite) return new SqliteClient({ adapter });
  // The adapter opens its better-sqlite3 connection when the client connects (again after a
  // reconnect) and keeps it as `client`: handed on from there.
  const factory = adapter as SqlMigrationAwareDriverAdapterFactory;
  const watched: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const conn = await factory.connect();
      const sqlite = (conn as unknown as { client: BetterSqlite3.Database }).client;
      beginImmediately(sqlite);
      onSqlite(sqlite);
      return conn;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
  return new SqliteClient({ adapter: watched });
}

/** Opens the store, applying any pending migration first. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const provider = providerOf(opts.url);
  const root = opts.migrationsRoot ?? join(process.cwd(), 'prisma');
  if (provider === 'sqlite') {
    const file = sqlitePath(opts.url);
    mkdirSync(dirname(file), { recursive: true });
    enableWal(file);
  }
  await applyMigrations(
    join(root, provider, 'schema.prisma'),
    join(root, provider, 'migrations'),
    adapterFor(opts.url),
  );
  const db = await connectDatabase(opts.url, opts.synchronous);
  if (provider === 'postgresql') await analyzeNeverAnalyzed(db);
  return db;
}

/**
 * PostgreSQL plans from statistics that autovacuum gathers once a table has changed enough. A store
 * filled in one go (a seed, a restore) with autovacuum off or not yet round has none: the planner
 * then guessed half of `CallEvent` matched a batch's CallSids and scanned all of it on every
 * commit, and re-sorted every export page. Tables that hold rows but were never analyzed are
 * analyzed at start (a sample of each, a second or so at millions of rows).
 */
async function analyzeNeverAnalyzed(db: Database): Promise<void> {
  const tables = await db.write.$queryRawUnsafe<{ name: string }[]>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_stat_user_tables s ON s.relid = c.oid
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.reltuples < 0 AND s.n_live_tup > 0`,
  );
  for (const { name } of tables) await db.write.$executeRawUnsafe(`ANALYZE "${name.replace(/"/g, '""')}"`);
}

/**
 * The connection ingest commits on, PostgreSQL: one, since an instance commits one batch at a time.
 * Opened on the first commit and kept however long ingest is quiet; opened again after PostgreSQL
 * dropped it. Opening it waits at most a minute, as long as a batch may take.
 */
function ingestPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 60_000,
    application_name: 'wallboard-ingest',
  });
  // A connection that PostgreSQL closes (a restart, pg_terminate_backend) emits 'error', which
  // unheard would end the process: idle, on the pool, which drops it; between a batch's statements,
  // on the connection, whose next statement then fails the batch (the callbacks are answered 503).
  // A new connection is opened for the next batch.
  pool.on('error', () => {});
  pool.on('connect', (conn) => conn.on('error', () => {}));
  return pool;
}

/** Connects to a store that is already migrated (another process may be serving it). */
export async function connectDatabase(
  url: string,
  synchronous: 'NORMAL' | 'FULL' = 'NORMAL',
): Promise<Database> {
  const provider = providerOf(url);
  let writer: BetterSqlite3.Database | null = null;
  const write = client(url, (conn) => (writer = conn));
  const read = client(url);
  const ingest = provider === 'postgresql' ? ingestPool(url) : null;
  if (provider === 'sqlite') {
    await sqlitePragmas(write, synchronous, true);
    await sqlitePragmas(read, synchronous, false);
  }
  return {
    provider,
    url,
    write,
    read,
    sqliteWriter: () => (writer?.open ? writer : null),
    postgresWriter: () => ingest,
    async close() {
      await Promise.all([write.$disconnect(), read.$disconnect(), ingest?.end()]);
    },
  };
}
