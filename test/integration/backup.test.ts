// `npm run backup` while the server takes callbacks: the copy holds every callback acknowledged
// before the command started, its figures agree with its calls, and a new server serves it.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { openTestDatabase, TEST_PROVIDER, tempDatabaseUrl, withStore } from '../helpers/db';
import type { CallRow, Snapshot } from '@/lib/common/types';

const ROOT = join(import.meta.dirname, '..', '..');

const servers: RunningServer[] = [];
async function server(opts: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run backup -- ...args`, as an operator types it, with the store's DATABASE_URL. */
function runBackup(databaseUrl: string, args: string[]): Promise<Run> {
  const child = spawn('npm', ['run', 'backup', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What the command printed about its copy. */
function printed(stdout: string) {
  const m =
    /backup written: (.+), ([\d,]+) bytes \(.+\), ([\d,]+) calls, ([\d,]+) callbacks, integrity ok, in ([\d.]+) s/.exec(
      stdout,
    );
  if (!m) throw new Error(`no summary in the output:\n${stdout}`);
  const n = (s: string) => Number(s.replace(/,/g, ''));
  return { file: m[1]!, bytes: n(m[2]!), calls: n(m[3]!), callbacks: n(m[4]!), seconds: Number(m[5]) };
}

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.partial'));

describe.runIf(TEST_PROVIDER === 'sqlite')('npm run backup', () => {
  it('copies the running store: every callback acknowledged before it started, figures equal to the calls', async () => {
    const s = await server();
    const dir = mkdtempSync(join(tmpdir(), 'wallboard-backup-'));
    const file = join(dir, 'calls-backup.db');

    // Several senders until the backup has ended (at most 1,500 callbacks). Every fourth call is
    // reported ringing first, so calls and callbacks differ.
    const acked: { sid: string; status: string }[] = [];
    let sent = 0;
    let done = false;
    const MAX = 1500;
    const post = async (form: Record<string, string>) => {
      const res = await postForm(s.url, form);
      await res.arrayBuffer();
      if (res.status >= 200 && res.status < 300) acked.push({ sid: form.CallSid!, status: form.CallStatus! });
      else throw new Error(`callback answered ${res.status}`);
    };
    const worker = async () => {
      while (!done && sent < MAX) {
        const n = sent++;
        const form = completedCall({ To: n % 2 ? '+18005550100' : '+18005550111' });
        if (n % 4 === 0)
          await post({
            CallSid: form.CallSid!,
            CallStatus: 'ringing',
            To: form.To!,
            Timestamp: form.Timestamp!,
          });
        await post(form);
      }
    };
    const senders = Promise.all(Array.from({ length: 6 }, worker));

    while (acked.length < 100) await new Promise((r) => setTimeout(r, 10));
    const before = [...acked];
    const backup = runBackup(s.databaseUrl, [file]);
    const run = await backup.finally(() => (done = true));
    await senders;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const copy = printed(run.stdout);
    expect(copy.file).toBe(file);
    expect(statSync(file).size).toBe(copy.bytes);
    // One file that stands on its own, and no temporary copy left beside it.
    expect(readdirSync(dir).sort()).toEqual(['calls-backup.db']);
    console.log(
      `backup: ${before.length} callbacks acknowledged before it started, ${acked.length - before.length} while ` +
        `it ran; the copy holds ${copy.calls} calls and ${copy.callbacks} callbacks (${copy.bytes} bytes, ` +
        `${copy.seconds} s)`,
    );
    expect(acked.length).toBeGreaterThan(before.length);

    await s.stop('SIGTERM');
    const restored = await server({ databaseUrl: `file:${file}` });
    const { calls } = (await (await restored.get('/api/calls?limit=5000')).json()) as { calls: CallRow[] };
    const snapshot = (await (await restored.get('/api/dashboard')).json()) as Snapshot;
    const status = new Map(calls.map((c) => [c.callSid, c.status]));

    // Every callback acknowledged before the backup began is in it: a completed one as completed,
    // a ringing one as ringing or, if its completed callback made it in too, completed.
    const missing = before.filter(
      (cb) =>
        !status.has(cb.sid) ||
        (cb.status === 'completed' && status.get(cb.sid) !== 'completed') ||
        (cb.status === 'ringing' && !['ringing', 'completed'].includes(status.get(cb.sid)!)),
    );
    expect(missing).toEqual([]);
    // Nothing that was never sent.
    const sids = new Set(acked.map((cb) => cb.sid));
    expect(calls.filter((c) => !sids.has(c.callSid))).toEqual([]);
    // The totals (rollups) and the calls are from the same moment.
    expect(snapshot.totals.calls).toBe(calls.length);
    expect(snapshot.totals.completed).toBe(calls.filter((c) => c.status === 'completed').length);
    // And what the command printed is what the copy holds.
    expect(calls.length).toBe(copy.calls);
    await restored.stop('SIGTERM');
    const callbacks = await withStore(`file:${file}`, (db) => db.read.callEvent.count());
    expect(callbacks).toBe(copy.callbacks);
  });

  it('refuses to replace an existing file unless --force', async () => {
    const url = await tempDatabaseUrl('sqlite');
    await (await openTestDatabase(url)).close();
    const dir = mkdtempSync(join(tmpdir(), 'wallboard-backup-'));
    const file = join(dir, 'calls.db');
    writeFileSync(file, 'an older backup');

    const refused = await runBackup(url, [file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `backup failed: ${file} exists: choose another name, or add --force to replace it`,
    );
    expect(readFileSync(file, 'utf8')).toBe('an older backup');
    expect(leftovers(dir)).toEqual([]);

    const forced = await runBackup(url, [file, '--force']);
    expect(forced.code).toBe(0);
    expect(printed(forced.stdout)).toMatchObject({ file, calls: 0, callbacks: 0 });
    expect(readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    expect(leftovers(dir)).toEqual([]);
  });

  it('sends a PostgreSQL store to pg_dump with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wallboard-backup-'));
    const file = join(dir, 'calls.db');
    const run = await runBackup('postgresql://root@127.0.0.1:5432/wallboard', [file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('back it up with pg_dump');
    expect(run.stderr).toContain('pg_dump --format=custom --file=calls.dump "$DATABASE_URL"');
    expect(run.stderr).toContain(
      'pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" calls.dump',
    );
    expect(existsSync(file)).toBe(false);
  });
});
