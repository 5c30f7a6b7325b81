// CSV exports, off the server's event loop: each export reads pages of calls on its own connection
// and turns them into CSV, one page each time the server asks (csv.ts). On SQLite every query is
// synchronous, and a page of 5,000 rows with its formatting held the event loop for tens of
// milliseconds, long enough for four exports to delay callbacks by seconds; on PostgreSQL the rows'
// parsing and the formatting did the same. One worker serves several exports, a page at a time.
//
// Each page is a query of its own, by primary key from the last id sent (keyset), rather than one
// statement or cursor held for the whole export: as fast, measured on both stores (better-sqlite3's
// iterate() read 300,000 calls no faster than pages of all(); a PostgreSQL cursor fetched no faster
// than pages read one ahead), and no read is held open for as long as a client takes to download,
// which on SQLite would keep checkpoints from resetting the WAL, and on PostgreSQL would hold back
// vacuum, for the whole export.
import { parentPort } from 'node:worker_threads';
import { setPriority } from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { csvFromCopy, csvPage, type ExportRow } from './csv-format';

export type ExportSource = { provider: 'sqlite'; file: string } | { provider: 'postgresql'; url: string };

export interface ExportJob {
  source: ExportSource;
  /** One page's query; its first parameter is the cursor (the last id sent), in `values[0]`. */
  text: string;
  values: (string | number)[];
  /** Callers' numbers masked (lib/auth/mask.ts), for a viewer who may not see them in full. */
  mask: boolean;
}

/** What the server sends: start an export, make its next page, or drop it. */
export type ExportRequest =
  { op: 'open'; id: number; job: ExportJob } | { op: 'next'; id: number } | { op: 'close'; id: number };

/**
 * CSV to send, as UTF-8, and whether it is the last. Copied to the server's thread, not transferred:
 * the server's thread frees what it has sent only when it collects garbage, and a buffer it
 * allocates itself (the copy) counts towards its next young collection, which a transferred one
 * does not. Transferred, the pages sent waited for a collection up to 46-70 MB; copied, up to the
 * 32 MB at which V8 collects; sent as text and encoded there, as before, 16 MB of text and 24 MB
 * of bytes.
 */
export interface ExportPage {
  bytes: Uint8Array | null;
  /** The calls in it. */
  rows: number;
  done: boolean;
}

export type ExportReply = { id: number; page: ExportPage } | { id: number; error: string };

/** A page of an export as CSV, and the id of its last call (NaN for none). */
interface Page {
  bytes: Uint8Array;
  rows: number;
  lastId: number;
}

interface Reader {
  /** The page after the call `cursor`, with the header line first if `header`. */
  read(cursor: number, header: boolean, mask: boolean): Promise<Page>;
  close(): Promise<void>;
}

// Each driver is loaded when a store needs it: pg alone took some 6 MB of this thread's memory.

async function sqliteReader(file: string, job: ExportJob): Promise<Reader> {
  const { default: Database } = await import('better-sqlite3');
  // Read-only: whatever happens here, this connection cannot write to the store.
  const conn: BetterSqlite3.Database = new Database(file, { readonly: true, fileMustExist: true });
  conn.pragma('busy_timeout = 5000');
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection, which an export reading the
  // table once filled to no use: after reading 300,000 calls, 20 MB more RSS than with this 1 MB.
  conn.pragma('cache_size = -1024');
  const page = conn.prepare(job.text).raw(true);
  return {
    read: async (cursor, header, mask) => {
      const rows = page.all(cursor, ...job.values.slice(1)) as ExportRow[];
      const lastId = rows.length > 0 ? Number(rows[rows.length - 1]![0]) : NaN;
      return { bytes: csvPage(rows, header, mask), rows: rows.length, lastId };
    },
    close: async () => void conn.close(),
  };
}

/**
 * Each page is `COPY (<the page's query>) TO STDOUT` in COPY's text format, turned into CSV from
 * its bytes (csvFromCopy). Read as rows, pg made a string of each of a call's 15 values, and that
 * (with the garbage it left) was most of this thread's time: pages of 2,000 of 300,000 stored calls
 * read at 160,000 calls a second with their CSV made, 1.3 s of CPU for the reading alone, against
 * 0.3 s as COPY. COPY takes no parameters, so the filter's values are written into its text as
 * literals (pg's own escaping), the cursor among them.
 */
async function postgresReader(url: string, job: ExportJob): Promise<Reader> {
  const [{ default: pgModule }, { to: copyTo }, { inline }] = await Promise.all([
    import('pg'),
    import('pg-copy-streams'),
    import('../db/literal'),
  ]);
  const client: pg.Client = new pgModule.Client({
    connectionString: url,
    application_name: 'wallboard-export',
  });
  await client.connect();
  const page = async (cursor: number): Promise<Buffer> => {
    const text = inline({ text: job.text, values: [cursor, ...job.values.slice(1)] });
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(`COPY (${text}) TO STDOUT`))) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  // The next page is asked for as soon as a page arrives, so that PostgreSQL reads it while this
  // thread turns the last one into CSV: twice the calls a second, and less of this thread's CPU a
  // call, in alternating runs of 300,000 calls. It holds one page more.
  let ahead: { cursor: number; page: Promise<Buffer> } | null = null;
  return {
    read: async (cursor, header, mask) => {
      const bytes = await (ahead?.cursor === cursor ? ahead.page : page(cursor));
      ahead = null;
      const next = lastIdOf(bytes);
      if (!Number.isNaN(next)) {
        ahead = { cursor: next, page: page(next) };
        // Awaited by the next read, if there is one.
        ahead.page.catch(() => {});
      }
      return csvFromCopy(bytes, header, mask);
    },
    close: () => client.end(),
  };
}

/**
 * The id (first field) of the last row of a COPY page; NaN for none. csvFromCopy reads it too, but
 * the next page is asked for before this one is turned into CSV.
 */
function lastIdOf(page: Buffer): number {
  if (page.length === 0) return NaN;
  const start = page.lastIndexOf(10, page.length - 2) + 1;
  const tab = page.indexOf(9, start);
  return Number(page.toString('latin1', start, tab === -1 ? page.length - 1 : tab));
}

/** One export's state; `turn` runs its steps one after another. */
interface Export {
  reader: Promise<Reader>;
  mask: boolean;
  cursor: number;
  header: boolean;
  closed: boolean;
  turn: Promise<void>;
}

async function nextPage(e: Export): Promise<ExportPage> {
  const reader = await e.reader;
  const page = await reader.read(e.cursor, e.header, e.mask);
  const first = e.header;
  e.header = false;
  if (page.rows > 0) e.cursor = page.lastId;
  // After the first page, an empty one only says the export is done.
  return { bytes: page.rows > 0 || first ? page.bytes : null, rows: page.rows, done: page.rows === 0 };
}

function serve(port: NonNullable<typeof parentPort>) {
  // Linux gives each thread its own nice value, and setpriority(0) names the calling thread: the
  // exports yield the CPU to the event loop that acknowledges callbacks. Elsewhere the call would
  // renice the whole server, so it is left out.
  if (process.platform === 'linux') setPriority(10);
  const exports = new Map<number, Export>();
  const reply = (r: ExportReply) => port.postMessage(r);
  const close = (id: number, e: Export) => {
    exports.delete(id);
    if (e.closed) return;
    e.closed = true;
    // A reader that failed to open has nothing to close.
    e.turn = e.turn.then(() => e.reader.then((r) => r.close())).catch(() => {});
  };
  port.on('message', (m: ExportRequest) => {
    if (m.op === 'open') {
      const { source } = m.job;
      const reader =
        source.provider === 'sqlite' ? sqliteReader(source.file, m.job) : postgresReader(source.url, m.job);
      // Awaited by the first page; a failure to open is answered there.
      reader.catch(() => {});
      exports.set(m.id, {
        reader,
        mask: m.job.mask,
        cursor: 0,
        header: true,
        closed: false,
        turn: Promise.resolve(),
      });
      return;
    }
    const e = exports.get(m.id);
    if (!e) return;
    if (m.op === 'close') return close(m.id, e);
    e.turn = e.turn.then(async () => {
      try {
        const page = await nextPage(e);
        if (page.done) close(m.id, e);
        reply({ id: m.id, page });
      } catch (err) {
        close(m.id, e);
        reply({ id: m.id, error: err instanceof Error ? err.message : String(err) });
      }
    });
  });
}

if (parentPort) serve(parentPort);
