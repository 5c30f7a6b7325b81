// The bench's own store: a SQLite file in a temp folder, or a fresh database on the local PostgreSQL
// (127.0.0.1:5432, trust auth; TEST_PG_URL names another admin URL, as for the tests). Removed at
// the end, whether the run succeeded or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '../../lib/db/adapters';
import { storeSize } from '../../lib/ops/store-size';
import { createPgDatabase, dropPgDatabase, withStore } from '../../test/helpers/db';
import { log } from './common';

export const PG_BENCH_PREFIX = 'wallboard_bench_';

export interface BenchStore {
  provider: Provider;
  url: string;
  /** For the logs: the file, or the database's name (never a password). */
  name: string;
  /** Removes the store; safe to call twice. */
  remove(): Promise<void>;
}

export async function createStore(provider: Provider): Promise<BenchStore> {
  if (provider === 'postgresql') {
    const url = await createPgDatabase(PG_BENCH_PREFIX);
    const name = new URL(url).pathname.slice(1);
    let removed = false;
    return {
      provider,
      url,
      name: `PostgreSQL database ${name}`,
      async remove() {
        if (removed) return;
        removed = true;
        await dropPgDatabase(url);
        log(`dropped ${name}`);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'wallboard-bench-'));
  return {
    provider,
    url: `file:${join(dir, 'bench.db')}`,
    name: `SQLite file ${join(dir, 'bench.db')}`,
    async remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * PostgreSQL: statistics for what the seed wrote, as autovacuum (on by default) would gather after
 * a bulk load. This machine's PostgreSQL runs with it off, and the server analyzes at start only
 * tables never analyzed: without this, a step would be planned with the previous step's figures.
 * SQLite keeps no statistics (nothing runs ANALYZE there).
 */
export async function analyzeStore(url: string): Promise<void> {
  if (!url.startsWith('postgres')) return;
  await withStore(url, async (db) => void (await db.write.$executeRawUnsafe('ANALYZE')));
}

/** Bytes the store takes: the SQLite file and its WAL, or pg_database_size (lib/ops/store-size). */
export async function storeBytes(url: string): Promise<number> {
  return withStore(url, async (db) => (await storeSize(db)).bytes);
}
