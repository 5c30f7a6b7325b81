import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { raw, sqltag as sql } from '@prisma/client/runtime/client';
import type { Database } from '../db/client';
import { sqlitePath } from '../db/adapters';
import type { BoardFilter } from '../common/filter';
import { callConditions, epochMsOf } from './aggregate';
import { EXPORT_COLUMNS } from './csv-format';
import { threadScript } from './thread-script';
import type { ExportJob, ExportPage, ExportReply, ExportRequest, ExportSource } from './csv-worker';

export { CSV_COLUMNS } from './csv-format';

/**
 * Calls a page. Pages of 1,000 to 5,000 took the same CPU a call on either store; smaller ones keep
 * the rows in flight within the export thread's young generation.
 */
const PAGE = 2_000;

/** The export thread's code: csv-worker.ts and what it imports (thread-script.ts). */
const bundleWorker = () =>
  threadScript(new URL('./csv-worker.ts', import.meta.url), ['better-sqlite3', 'pg', 'pg-copy-streams']);

type Waiting = { resolve(page: ExportPage | null): void; reject(e: unknown): void };

/** One worker thread (csv-worker.ts) and the exports it serves. */
class ExportThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiting | null>();
  failed = false;

  constructor(script: string) {
    this.worker = new Worker(script, {
      eval: true,
      // The server's own flags (its tsx loader among them) are of no use here.
      execArgv: [],
      // Bounds what exports can take, whatever runs on the thread. A page's rows are garbage once
      // written, so a small young generation is enough: 4 MB took the same CPU a call as 8 or 16 MB
      // on either store, and 10-14 MB less RSS than 16.
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 },
    });
    // An idle export thread does not keep a stopping server alive.
    this.worker.unref();
    this.worker.on('message', (r: ExportReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.set(r.id, null);
      if ('error' in r) w.reject(new Error(r.error));
      else w.resolve(r.page);
    });
    const fail = (e: unknown) => {
      this.failed = true;
      for (const w of this.waiting.values()) w?.reject(e);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the export thread exited (${code})`)));
  }

  get load(): number {
    return this.waiting.size;
  }

  private send(m: ExportRequest) {
    this.worker.postMessage(m);
  }

  open(id: number, job: ExportJob) {
    this.waiting.set(id, null);
    this.send({ op: 'open', id, job });
  }

  /** The export's next page, or null once it is closed. */
  next(id: number): Promise<ExportPage | null> {
    if (!this.waiting.has(id)) {
      return this.failed ? Promise.reject(new Error('the export thread failed')) : Promise.resolve(null);
    }
    const page = new Promise<ExportPage | null>((resolve, reject) =>
      this.waiting.set(id, { resolve, reject }),
    );
    this.send({ op: 'next', id });
    return page;
  }

  close(id: number) {
    if (!this.waiting.has(id)) return;
    this.waiting.get(id)?.resolve(null);
    this.waiting.delete(id);
    if (!this.failed) this.send({ op: 'close', id });
  }

  terminate() {
    void this.worker.terminate();
  }
}

/**
 * The threads exports run on, started on the first export and kept. A core is left to the event
 * loop: on two cores every export shares one thread, which bounds what exports can take from the
 * callbacks however many run (export-slots.ts bounds how many).
 */
export class ExportThreads {
  private readonly threads: ExportThread[] = [];
  private ids = 0;
  private readonly size: number;

  constructor(size = Math.max(1, availableParallelism() - 1)) {
    this.size = size;
  }

  /** Starts an export on the least busy thread. */
  async open(job: ExportJob): Promise<{ next(): Promise<ExportPage | null>; close(): void }> {
    const script = await bundleWorker();
    for (let i = this.threads.length - 1; i >= 0; i--) if (this.threads[i]!.failed) this.threads.splice(i, 1);
    let thread = this.threads.reduce<ExportThread | null>((a, t) => (a && a.load <= t.load ? a : t), null);
    if (!thread || (thread.load > 0 && this.threads.length < this.size)) {
      thread = new ExportThread(script);
      this.threads.push(thread);
    }
    const id = ++this.ids;
    const t = thread;
    t.open(id, job);
    return { next: () => t.next(id), close: () => t.close(id) };
  }

  close() {
    for (const t of this.threads.splice(0)) t.terminate();
  }
}

/**
 * How an export ended: every call sent; the client went away (`aborted`) or cancelled the stream;
 * the client stopped reading for too long (`idle`); or the store or the export thread failed.
 */
export type ExportEnd = 'completed' | 'aborted' | 'cancelled' | 'idle' | 'failed';

export interface ExportOptions {
  /** The request's signal: a client that goes away ends the export. */
  signal?: AbortSignal;
  /** Called once when the export ends, however it ends, with how and the calls it sent. */
  onEnd?: (how: ExportEnd, rows: number) => void;
  onError?: (error: unknown) => void;
  /**
   * A client that takes no page for this long ends the export: one that stopped reading without
   * disconnecting (a laptop closed mid-download) would otherwise hold its export slot until TCP
   * gives up, many minutes later.
   */
  idleMs?: number;
  /** Callers' numbers masked, for a viewer who may not see them in full. */
  mask?: boolean;
}

/**
 * Streams the calls the filter counts, as stored when the export began, by primary key, one page in
 * memory at a time: the same calls the board's totals count for that filter. The reading and the
 * formatting run on an export thread, so an export never holds the event loop that acknowledges
 * callbacks; the thread makes at most one page ahead of the client.
 */
export function exportCsv(
  db: Database,
  threads: ExportThreads,
  filter: BoardFilter,
  opts: ExportOptions = {},
): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<ExportThreads['open']>> | null = null;
  let ahead: Promise<ExportPage | null> | null = null;
  let ended = false;
  let idle: NodeJS.Timeout | undefined;
  let sent = 0;
  const aborted = () => end('aborted');
  const end = (how: ExportEnd) => {
    if (ended) return;
    ended = true;
    clearTimeout(idle);
    handle?.close();
    opts.signal?.removeEventListener('abort', aborted);
    opts.onEnd?.(how, sent);
  };
  const ask = () => {
    const page = handle!.next();
    // Awaited by the next pull; a failure while nobody waits must not go unhandled.
    page.catch(() => {});
    return page;
  };
  return new ReadableStream<Uint8Array>({
    async start() {
      if (opts.signal?.aborted) return end('aborted');
      opts.signal?.addEventListener('abort', aborted, { once: true });
      try {
        // findFirst by key rather than aggregate _max, which scans every call.
        const last = await db.read.call.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
        if (ended) return;
        const where = callConditions(db.provider, filter);
        // A raw page by primary key: the model layer's per-row mapping was most of the cost. The
        // cursor is the first parameter, so the thread can move it without knowing the filter.
        // SQLite is kept on the primary key: with no statistics (nothing runs ANALYZE), it chose the
        // index on direction and start time and sorted every page, reading all the calls left
        // each time (62,700 calls a second over 300,000 calls, and slower the more there are).
        // Filtered or not, an export then reads the table once.
        const page = sql`SELECT ${raw(EXPORT_COLUMNS(epochMsOf(db.provider, '"startedAt"')))} FROM "Call"${raw(db.provider === 'sqlite' ? ' NOT INDEXED' : '')}
            WHERE "id" > ${0} AND "id" <= ${last?.id ?? 0} AND ${where} ORDER BY "id" LIMIT ${PAGE}`;
        const source: ExportSource =
          db.provider === 'sqlite'
            ? { provider: 'sqlite', file: sqlitePath(db.url) }
            : { provider: 'postgresql', url: db.url };
        const opened = await threads.open({
          source,
          text: db.provider === 'sqlite' ? page.sql : page.text,
          values: page.values as (string | number)[],
          mask: opts.mask ?? false,
        });
        if (ended) return opened.close();
        handle = opened;
        ahead = ask();
      } catch (e) {
        opts.onError?.(e);
        end('failed');
        throw e;
      }
    },
    async pull(controller) {
      clearTimeout(idle);
      if (ended || !ahead) return controller.close();
      let page: ExportPage | null;
      try {
        page = await ahead;
      } catch (e) {
        opts.onError?.(e);
        end('failed');
        throw e;
      }
      // Cancelled or aborted while the page was being made: the next pull closes.
      if (!page) return;
      if (!page.done) ahead = ask();
      sent += page.rows;
      if (page.bytes) controller.enqueue(page.bytes);
      if (page.done) {
        end('completed');
        controller.close();
      } else if (opts.idleMs !== undefined) {
        // Until the client takes this page, nothing asks for the next one.
        idle = setTimeout(() => {
          end('idle');
          controller.error(new Error('the client stopped reading the export'));
        }, opts.idleMs);
        idle.unref();
      }
    },
    cancel() {
      end('cancelled');
    },
  });
}
