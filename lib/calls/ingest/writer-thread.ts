// Ingest's SQLite writer thread, seen from the server: batches go to it, outcomes come back once
// their transaction committed (docs/performance.md, The SQLite writer on a thread of its own).
import { Worker } from 'node:worker_threads';
import { threadScript } from '../thread-script';
import type { IngestOutcome, Submission } from './plan';
import type { WriterReply, WriterRequest, WriterSetup } from './writer-worker';

/** The thread's code: writer-worker.ts and what it imports (thread-script.ts). */
const script = () => threadScript(new URL('./writer-worker.ts', import.meta.url), ['better-sqlite3', 'pg']);

type Waiting = { resolve(outcomes: IngestOutcome[]): void; reject(e: unknown): void };

/**
 * Commits batches on a worker thread with a connection of its own to the SQLite file. SQLite's
 * write lock takes turns between it and the server's other writes (Prisma's, on the writer's
 * connection); a batch waits for the lock at most `busyTimeoutMs`. A thread that dies fails the
 * batches it held (the ingest queue then tries each of their callbacks alone), and the next batch
 * starts a new thread.
 */
export class SqliteWriterThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private ids = 0;

  constructor(private readonly setup: WriterSetup) {}

  /** Starts the thread now rather than with the first batch. */
  async start(): Promise<void> {
    await this.thread();
  }

  private async thread(): Promise<Worker> {
    if (this.worker) return this.worker;
    const code = await script();
    if (this.worker) return this.worker;
    const worker = new Worker(code, {
      eval: true,
      workerData: this.setup,
      // The server's own flags (its tsx loader among them) are of no use here.
      execArgv: [],
    });
    worker.on('message', (r: WriterReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if ('error' in r) w.reject(new Error(r.error));
      else w.resolve(r.outcomes);
    });
    const fail = (e: unknown) => {
      if (this.worker === worker) this.worker = null;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the SQLite writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Commits `batch` in one transaction; resolves with each callback's outcome once committed. */
  async commit(batch: Submission[]): Promise<IngestOutcome[]> {
    const worker = await this.thread();
    const id = ++this.ids;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Only the submissions' data: a queued callback also carries its sender's answer.
      const submissions = batch.map(({ callback, receivedAt }) => ({ callback, receivedAt }));
      worker.postMessage({ op: 'commit', id, batch: submissions } satisfies WriterRequest);
    });
  }

  /** Closes the thread's connection once the batches sent before have committed, and waits for it. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ op: 'close' } satisfies WriterRequest);
    await exited;
  }

  /** For tests: ends the thread as a crash would. */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }
}
