// Ingest's SQLite writer thread (writer-thread.ts starts it): commits each batch it is sent on a
// connection of its own, so that SQLite writing a commit's pages does not hold up the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { commitOnSqlite } from './store';
import type { IngestOutcome, Submission } from './plan';

export interface WriterSetup {
  /** The SQLite file, already migrated and in WAL mode (openDatabase). */
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  /** How long a batch may wait for SQLite's write lock (another connection's transaction), ms. */
  busyTimeoutMs: number;
}

export type WriterRequest = { op: 'commit'; id: number; batch: Submission[] } | { op: 'close' };
export type WriterReply = { id: number; outcomes: IngestOutcome[] } | { id: number; error: string };

if (parentPort && workerData) {
  const port = parentPort;
  const setup = workerData as WriterSetup;
  const conn = new BetterSqlite3(setup.file);
  // The writer's pragmas (lib/db/client.ts): the same durability, and its cache of the indexes.
  conn.pragma(`synchronous = ${setup.synchronous}`);
  conn.pragma(`busy_timeout = ${Math.ceil(setup.busyTimeoutMs)}`);
  conn.pragma('cache_size = -65536');
  port.on('message', (m: WriterRequest) => {
    if (m.op === 'close') {
      conn.close();
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      reply = { id: m.id, outcomes: commitOnSqlite(conn, m.batch) };
    } catch (e) {
      reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(reply);
  });
}
