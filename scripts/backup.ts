// A consistent copy of the SQLite store, taken while the server runs.
// Usage: npm run backup -- FILE [--force]
// The store is the one DATABASE_URL names, read as the server reads it. SQLite's online backup API
// copies every page inside one read transaction, so the copy is the store as of one commit, and in
// WAL mode the server's writes go on meanwhile. The copy is written under a temporary name beside
// FILE, checked (PRAGMA integrity_check) and renamed to FILE only then. A PostgreSQL store is
// backed up with pg_dump: this prints the commands and exits 2.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../lib/config';
import { providerOf, sqlitePath } from '../lib/db/adapters';
import { formatBytes } from '../lib/common/admin';

/** A refusal or failure, said in one line. */
export class BackupError extends Error {}

export interface BackupResult {
  file: string;
  bytes: number;
  /** Counted in the copy. */
  calls: number;
  callbacks: number;
  seconds: number;
}

/** pg_dump and pg_restore as the docs give them: one dump holds every instance's data. */
export const PG_COMMANDS = [
  'pg_dump --format=custom --file=calls.dump "$DATABASE_URL"',
  'pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" calls.dump',
];

/** The copy's temporary name, in FILE's directory so that the rename cannot cross file systems. */
const partialName = (target: string) => join(dirname(target), `.${basename(target)}.${process.pid}.partial`);

function removeCopy(file: string) {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}

/** Makes a finished rename survive a power cut (where the platform can sync a directory). */
function syncDirectory(dir: string) {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a directory for syncing; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Copies the SQLite file `source` to `target` (refusing an existing one unless `force`). */
export async function backupSqlite(source: string, target: string, force = false): Promise<BackupResult> {
  const started = performance.now();
  const from = resolve(source);
  const to = resolve(target);
  if (to === from) throw new BackupError(`${to} is the store itself: choose another file`);
  if (!existsSync(from)) throw new BackupError(`no store at ${from}: check DATABASE_URL`);
  if (existsSync(to)) {
    if (statSync(to).isDirectory()) throw new BackupError(`${to} is a directory: name the file to write`);
    if (!force) throw new BackupError(`${to} exists: choose another name, or add --force to replace it`);
  }
  if (!existsSync(dirname(to))) throw new BackupError(`no directory ${dirname(to)}: create it first`);

  const partial = partialName(to);
  removeCopy(partial);
  try {
    // Opened for writing (SQLite falls back to reading where the file is write-protected) though
    // only read: then, when the server is stopped, closing removes the -wal and -shm files that
    // opening made, as the server's own close does, and leaves the store as it was found.
    const store = new BetterSqlite3(from, { fileMustExist: true, timeout: 10_000 });
    try {
      // better-sqlite3 steps 100 pages per turn of the event loop by default, and SQLite starts
      // again whenever another connection commits between two steps: on a busy store it might
      // never finish. Its first step copies nothing; the progress callback then sets the size of
      // the next step to every page, so the copy is made in one step, inside one read transaction.
      await store.backup(partial, { progress: () => 0x7fffffff });
    } finally {
      store.close();
    }

    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    let calls: number;
    let callbacks: number;
    try {
      // The store is in WAL mode and so is its copy: a rollback journal makes the copy one file
      // that stands on its own. The server switches it back to WAL when it opens it.
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('integrity_check') as { integrity_check: string }[];
      const verdict = check.map((r) => r.integrity_check).join('; ');
      if (verdict !== 'ok') throw new BackupError(`the copy failed its integrity check: ${verdict}`);
      const count = (table: string) =>
        (copy.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
      calls = count('Call');
      callbacks = count('CallEvent');
    } finally {
      copy.close();
    }
    const fd = openSync(partial, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, to);
    syncDirectory(dirname(to));
    return {
      file: to,
      bytes: statSync(to).size,
      calls,
      callbacks,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (e) {
    removeCopy(partial);
    throw e;
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { force: { type: 'boolean', default: false } }, allowPositionals: true });
  } catch (e) {
    console.error(`backup: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const [file, ...extra] = args.positionals;
  if (!file || extra.length > 0) {
    console.error('usage: npm run backup -- FILE [--force]');
    return 2;
  }
  try {
    const url = loadConfig().DATABASE_URL;
    if (providerOf(url) === 'postgresql') {
      console.error(
        [
          'backup: DATABASE_URL is a PostgreSQL database: back it up with pg_dump, not this command:',
          ...PG_COMMANDS.map((c) => `  ${c}`),
          '(the second restores the dump; see docs/operations.md, "Backups and restore")',
        ].join('\n'),
      );
      return 2;
    }
    const r = await backupSqlite(sqlitePath(url), file, args.values.force);
    const n = (v: number) => v.toLocaleString('en-US');
    console.log(
      `backup written: ${r.file}, ${n(r.bytes)} bytes (${formatBytes(r.bytes)}), ${n(r.calls)} calls, ` +
        `${n(r.callbacks)} callbacks, integrity ok, in ${r.seconds.toFixed(1)} s`,
    );
    return 0;
  } catch (e) {
    // One line, whatever the error says.
    console.error(`backup failed: ${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ')}`);
    return 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
