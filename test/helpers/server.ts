// Starts the real production server (server.ts over the `next build` output) on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServer, type AddressInfo } from 'node:net';
import { TEST_KEY } from './callbacks';
import { tempDatabaseUrl } from './db';

/** The first admin's password in every test server, unless a test sets ADMIN_PASSWORD itself. */
export const ADMIN_PASSWORD = 'test-admin-password-1';

export interface RunningServer {
  url: string;
  /** The first admin's session cookie ("name=value"), signed in through the real endpoint. */
  cookie: string;
  /** GET with the admin's session. */
  get(path: string, init?: RequestInit): Promise<Response>;
  port: number;
  databaseUrl: string;
  logs: string[];
  child: ChildProcess;
  /** Sends the signal and waits for the process to exit; resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Signs in through Better Auth's endpoint, as the login page does; returns the session cookie. */
export async function signIn(url: string, username: string, password: string, origin = url): Promise<string> {
  const res = await fetch(new URL('/api/auth/sign-in/username', url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: new URL(origin).origin },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.includes('session_token='));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.split(';')[0]!;
}

/**
 * A supervisor the admin of `server` creates, who has set their own password; returns their
 * session cookie ("name=value").
 */
export async function createSupervisor(server: RunningServer, username: string): Promise<string> {
  const send = (path: string, cookie: string, payload: unknown) =>
    fetch(new URL(path, server.url), {
      method: 'POST',
      headers: { cookie, Origin: server.url, 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
  const created = await send('/api/admin/users', server.cookie, {
    username,
    name: username,
    role: 'supervisor',
  });
  if (created.status !== 201) throw new Error(`creating ${username} failed: ${created.status}`);
  const { oneTimePassword } = (await created.json()) as { oneTimePassword: string };
  const first = await signIn(server.url, username, oneTimePassword);
  const changed = await send('/api/account/password', first, {
    currentPassword: oneTimePassword,
    newPassword: `${username}-own-password`,
  });
  if (changed.status !== 200) throw new Error(`${username}'s password change failed: ${changed.status}`);
  return changed.headers.getSetCookie()[0]!.split(';')[0]!;
}

export async function startServer(
  opts: { databaseUrl?: string; env?: Record<string, string>; signIn?: boolean; port?: number } = {},
) {
  const databaseUrl = opts.databaseUrl ?? (await tempDatabaseUrl());
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      SIGNALWIRE_SIGNING_KEY: TEST_KEY,
      ADMIN_PASSWORD,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => logs.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => logs.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${logs.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${logs.join('\n')}`);
    }
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  let cookie = '';
  if (opts.signIn !== false) {
    try {
      cookie = await signIn(url, 'admin', opts.env?.ADMIN_PASSWORD ?? ADMIN_PASSWORD, opts.env?.PUBLIC_URL);
    } catch (e) {
      // Never leave a server running behind a failed start.
      child.kill('SIGKILL');
      throw e;
    }
  }
  const server: RunningServer = {
    url,
    cookie,
    get: (path, init = {}) =>
      fetch(new URL(path, url), {
        ...init,
        headers: { cookie, ...(init.headers as Record<string, string>) },
      }),
    port,
    databaseUrl,
    logs,
    child,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  return server;
}
