import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

export type Provider = 'sqlite';

/** The SQLite file a `file:` URL names, relative paths resolved from the working directory. */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, '');
}

export function sqliteAdapter(url: string) {
  return new PrismaBetterSqlite3({ url: sqlitePath(url) }, { timestampFormat: 'unixepoch-ms' });
}

/** A throw-away database for diffing schemas. */
export function scratchAdapter(provider: Provider) {
  switch (provider) {
    case 'sqlite':
      return sqliteAdapter(':memory:');
  }
}
