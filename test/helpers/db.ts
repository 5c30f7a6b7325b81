// The store integration tests run against: TEST_DB=sqlite (a temp file) or TEST_DB=postgresql (a
// fresh database on the PostgreSQL at TEST_PG_URL, dropped at the end of the run).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connectDatabase, openDatabase, type Database } from '@/lib/db/client';
import type { Provider } from '@/lib/db/adapters';

export const TEST_PROVIDER: Provider = process.env.TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite';
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
export const TEST_DB_PREFIX = 'wallboard_test_';

/** A fresh database named `prefix` + 16 random hex digits on the PostgreSQL at PG_ADMIN_URL; its URL. */
export async function createPgDatabase(prefix = TEST_DB_PREFIX): Promise<string> {
  const name = `${prefix}${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the database `url` names, closing whatever is still connected to it. */
export async function dropPgDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function tempDatabaseUrl(provider: Provider = TEST_PROVIDER): Promise<string> {
  if (provider === 'postgresql') return createPgDatabase();
  return `file:${join(mkdtempSync(join(tmpdir(), 'wallboard-test-')), 'calls.db')}`;
}

export async function openTestDatabase(url?: string): Promise<Database> {
  return openDatabase({ url: url ?? (await tempDatabaseUrl()), synchronous: 'NORMAL' });
}

/** Runs `use` against the (migrated, maybe served) store at `url` through the product's storage layer. */
export async function withStore<T>(url: string, run: (db: Database) => Promise<T>): Promise<T> {
  const db = await connectDatabase(url);
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

export async function storedCallSids(url: string): Promise<Set<string>> {
  return withStore(
    url,
    async (db) => new Set((await db.read.call.findMany({ select: { callSid: true } })).map((c) => c.callSid)),
  );
}
