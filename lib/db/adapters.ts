import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

export type Provider = 'sqlite' | 'postgresql';
export const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

/** The store a DATABASE_URL names: `file:` is SQLite, `postgres(ql)://` is PostgreSQL. */
export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error('DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)');
}

/** The SQLite file a `file:` URL names, relative paths resolved from the working directory. */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '');
}

export function adapterFor(url: string) {
  switch (providerOf(url)) {
    case 'sqlite':
      return new PrismaBetterSqlite3({ url: sqlitePath(url) }, { timestampFormat: 'unixepoch-ms' });
    case 'postgresql':
      return new PrismaPg({ connectionString: url, max: 10 });
  }
}

/**
 * Databases to diff schemas with: throw-away SQLite files, or for PostgreSQL a scratch database
 * on the server named by SHADOW_DATABASE_URL (default: the local one).
 */
export function scratchAdapter(provider: Provider, dir: string): SqlMigrationAwareDriverAdapterFactory {
  if (provider === 'sqlite') {
    return new PrismaBetterSqlite3(
      { url: join(dir, 'scratch.db') },
      { timestampFormat: 'unixepoch-ms', shadowDatabaseUrl: join(dir, 'shadow.db') },
    );
  }
  const u = new URL(process.env.SHADOW_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres');
  const base: pg.ClientConfig = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1) || 'postgres',
  };
  const admin = async (sql: string) => {
    const c = new pg.Client(base);
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const factory = new PrismaPg(base);
  // PrismaPg's own shadow database is opened from a connection string when it has one, which
  // points back at the main database, and is dropped while still connected: do both here.
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    async connectToShadowDb() {
      const name = `wallboard_shadow_${randomUUID().replace(/-/g, '')}`;
      await admin(`CREATE DATABASE "${name}"`);
      const conn = await new PrismaPg({ ...base, database: name }).connect();
      const dispose = conn.dispose.bind(conn);
      conn.dispose = async () => {
        await dispose();
        await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      };
      return conn;
    },
  };
}
