// Starts the real production server (server.ts over the `next build` output) on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningServer {
  url: string;
  port: number;
  dbFile: string;
  logs: string[];
  child: ChildProcess;
  /** Sends the signal and waits for the process to exit; resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDbFile(name = 'calls.db'): string {
  return join(mkdtempSync(join(tmpdir(), 'wallboard-test-')), name);
}

export async function startServer(opts: { dbFile?: string; env?: Record<string, string> } = {}) {
  const dbFile = opts.dbFile ?? tempDbFile();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: `file:${dbFile}`,
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('\n')}`)), 45_000);
    createInterface({ input: child.stderr! }).on('line', (l) => logs.push(l));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'listening' && entry.port) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // Next.js prints a few plain lines of its own.
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    dbFile,
    logs,
    child,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return server;
}
