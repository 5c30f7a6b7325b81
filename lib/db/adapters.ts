import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { join } from 'node:path';

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
 * Databases to diff schemas with: throw-away SQLite files, or for PostgreSQL the server named by
 * SHADOW_DATABASE_URL (the engine replays the migrations in a scratch database of its own there).
 */
export function scratchAdapter(provider: Provider, dir: string) {
  if (provider === 'postgresql') {
    return adapterFor(process.env.SHADOW_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres');
  }
  return new PrismaBetterSqlite3(
    { url: join(dir, 'scratch.db') },
    { timestampFormat: 'unixepoch-ms', shadowDatabaseUrl: join(dir, 'shadow.db') },
  );
}
