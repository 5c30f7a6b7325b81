// CSV exports, off the server's event loop: each export reads pages of calls on its own connection
// and turns them into CSV text, one page each time the server asks (csv.ts). On SQLite every query
// is synchronous, and a page of 5,000 rows with its formatting held the event loop for tens of
// milliseconds, long enough for four exports to delay callbacks by seconds; on PostgreSQL the rows'
// parsing and the formatting did the same. One worker serves several exports, a page at a time.
import { parentPort } from 'node:worker_threads';
import { setPriority } from 'node:os';
import Database from 'better-sqlite3';
import pg from 'pg';
import { csvPage, type ExportRow } from './csv-format';

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
 * CSV text to send, and whether it is the last. Text rather than encoded bytes: the server
 * encodes a page in about a millisecond, and bytes made here and freed on the server's thread
 * kept this thread's malloc arena some 15 MB larger.
 */
export interface ExportPage {
  text: string | null;
  /** The calls in it. */
  rows: number;
  done: boolean;
}

export type ExportReply = { id: number; page: ExportPage } | { id: number; error: string };

interface Reader {
  read(cursor: number): Promise<ExportRow[]>;
  close(): Promise<void>;
}

function sqliteReader(file: string, job: ExportJob): Reader {
  // Read-only: whatever happens here, this connection cannot write to the store.
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  conn.pragma('busy_timeout = 5000');
  const page = conn.prepare(job.text).raw(true);
  return {
    read: async (cursor) => page.all(cursor, ...job.values.slice(1)) as ExportRow[],
    close: async () => void conn.close(),
  };
}

async function postgresReader(url: string, job: ExportJob): Promise<Reader> {
  const client = new pg.Client({ connectionString: url, application_name: 'wallboard-export' });
  await client.connect();
  return {
    read: async (cursor) => {
      const values = [cursor, ...job.values.slice(1)];
      return (await client.query<ExportRow>({ text: job.text, values, rowMode: 'array' })).rows;
    },
    close: () => client.end(),
  };
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
  const rows = await reader.read(e.cursor);
  if (rows.length === 0 && !e.header) return { text: null, rows: 0, done: true };
  const text = csvPage(rows, e.header, e.mask);
  e.header = false;
  if (rows.length > 0) e.cursor = Number(rows[rows.length - 1]![0]);
  return { text, rows: rows.length, done: rows.length === 0 };
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
        source.provider === 'sqlite'
          ? Promise.resolve().then(() => sqliteReader(source.file, m.job))
          : postgresReader(source.url, m.job);
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
