// Access control on the real server: who may reach what, by session, role and TV token.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startServer, ADMIN_PASSWORD, type RunningServer } from '../helpers/server';
import { TEST_KEY } from '../helpers/callbacks';
import { isPublic, PUBLIC_ROUTES } from '@/lib/auth/policy';
import { withStore } from '../helpers/db';
import { asVisitors } from '../helpers/visitors';

const root = join(import.meta.dirname, '..', '..');
let server: RunningServer;
const { send, socketFor, supervisor, pairTv } = asVisitors(() => server);

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('without a session', () => {
  // The build's own route list: a route added later is covered without editing this test.
  const manifest = JSON.parse(
    readFileSync(join(root, '.next', 'app-path-routes-manifest.json'), 'utf8'),
  ) as Record<string, string>;
  const routes = [...new Set(Object.values(manifest))]
    .filter((r) => !r.startsWith('/_'))
    .map((r) => r.replace(/\[\.\.\.[^\]]+\]/g, 'get-session').replace(/\[[^\]]+\]/g, 'some-id'));

  it('finds the app routes in the build', () => {
    for (const known of [
      '/',
      '/admin',
      '/api/dashboard',
      '/api/calls',
      '/api/calls/export',
      '/api/admin/users',
    ]) {
      expect(routes).toContain(known);
    }
  });

  it('refuses every route that is not public on purpose: pages redirect to sign-in, APIs answer 401', async () => {
    const checked: string[] = [];
    for (const route of routes.filter((r) => !isPublic(r))) {
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
        const res = await send(method, route, '', method === 'GET' ? undefined : {});
        if (route.startsWith('/api/')) {
          expect(res.status, `${method} ${route}`).toBe(401);
          expect(((await res.json()) as { error: string }).error).toBe('sign-in required');
        } else if (method === 'GET') {
          expect(res.status, `${method} ${route}`).toBe(303);
          expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(route)}`);
        } else {
          expect(res.status, `${method} ${route}`).toBe(401);
        }
        checked.push(`${method} ${route}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(4 * 11);
  });

  it('keeps only the webhook, health, sign-in, pairing and token-guarded metrics public', () => {
    expect(PUBLIC_ROUTES.map((r) => r.path)).toEqual([
      '/api/webhooks/call-status',
      '/api/health',
      '/login',
      '/pair',
      '/api/pair',
      '/api/auth/sign-in/username',
      '/api/auth/sign-out',
      '/_next/static/',
      '/favicon.ico',
      '/metrics',
      '/api/bench/noop',
    ]);
  });

  it('refuses a socket.io handshake', async () => {
    await expect(socketFor('')).rejects.toThrow('unauthorized');
    await expect(socketFor('wallboard.session_token=forged.value')).rejects.toThrow('unauthorized');
  });
});

describe('roles', () => {
  it('lets a supervisor view and export, but not reach admin actions', async () => {
    const cookie = await supervisor('sam');
    expect((await send('GET', '/api/dashboard', cookie)).status).toBe(200);
    expect((await send('GET', '/api/calls/export', cookie)).status).toBe(200);
    expect((await send('GET', '/', cookie)).status).toBe(200);
    for (const [method, path, payload] of [
      ['GET', '/admin', undefined],
      ['GET', '/api/admin/users', undefined],
      ['POST', '/api/admin/users', { username: 'mallory', name: 'M', role: 'admin' }],
      ['POST', '/api/admin/wallboards', { name: 'sneaky' }],
      ['DELETE', '/api/admin/users/some-id', undefined],
    ] as const) {
      expect((await send(method, path, cookie, payload)).status, `${method} ${path}`).toBe(403);
    }
    // Better Auth's own endpoints beyond sign-in and sign-out are not reachable at all.
    for (const path of ['/api/auth/admin/create-user', '/api/auth/admin/set-role', '/api/auth/update-user']) {
      const res = await send('POST', path, cookie, {
        email: 'mallory@users.invalid',
        role: 'admin',
        userId: 'x',
      });
      expect(res.status, path).toBe(404);
    }
    expect((await send('GET', '/api/auth/get-session', cookie)).status).toBe(404);
    const users = (await (await send('GET', '/api/admin/users', server.cookie)).json()) as {
      users: { username: string }[];
    };
    expect(users.users.map((u) => u.username)).not.toContain('mallory');
    // Encoded paths are judged as Next.js routes them: /%61dmin is /admin.
    // (The URL parser already folds /%2e%2e/admin into /admin.)
    for (const path of ['/%61dmin', '/%61pi/admin/users', '/api/%61dmin/users', '/%2e%2e/admin']) {
      expect((await send('GET', path, cookie)).status, path).toBe(403);
    }
    for (const path of ['/_next/static/..%2F..%2Fadmin', '/a%5C..%5Cadmin', '/%E0']) {
      expect((await send('GET', path, cookie)).status, path).toBe(400);
    }
  });

  it('signs in a user whose name has dots, dashes and underscores, as the admin page accepts', async () => {
    const cookie = await supervisor('jo-ann.smith_2');
    expect((await send('GET', '/api/dashboard', cookie)).status).toBe(200);
  });

  it('resets a password to a new one-time one and changes a role, ending the user’s sessions', async () => {
    const cookie = await supervisor('pat');
    const list = (await (await send('GET', '/api/admin/users', server.cookie)).json()) as {
      users: { id: string; username: string }[];
    };
    const pat = list.users.find((u) => u.username === 'pat')!;
    const reset = await send('PATCH', `/api/admin/users/${pat.id}`, server.cookie, { resetPassword: true });
    expect(reset.status).toBe(200);
    const { oneTimePassword } = (await reset.json()) as { oneTimePassword: string };
    expect((await send('GET', '/api/dashboard', cookie)).status).toBe(401);
    await expect(signIn(server.url, 'pat', 'pat-own-password')).rejects.toThrow(/401/);
    const again = await signIn(server.url, 'pat', oneTimePassword);
    expect((await send('GET', '/api/dashboard', again)).status).toBe(403); // must change it first
    expect((await send('PATCH', `/api/admin/users/${pat.id}`, server.cookie, { role: 'admin' })).status).toBe(
      200,
    );
    expect((await send('GET', '/api/account/password', again)).status).toBe(401);
    // The acting admin cannot demote themselves, and a role must be one of the two.
    const me = list.users.find((u) => u.username === 'admin')!;
    expect(
      (await send('PATCH', `/api/admin/users/${me.id}`, server.cookie, { role: 'supervisor' })).status,
    ).toBe(409);
    const bad = await send('PATCH', `/api/admin/users/${pat.id}`, server.cookie, { role: 'owner' });
    expect(bad.status).toBe(400);
  });

  it('ends a removed user’s session and live connection', async () => {
    const cookie = await supervisor('rita');
    const socket = await socketFor(cookie);
    const gone = new Promise<string>((r) => socket.once('disconnect', r));
    const list = (await (await send('GET', '/api/admin/users', server.cookie)).json()) as {
      users: { id: string; username: string }[];
    };
    const rita = list.users.find((u) => u.username === 'rita')!;
    expect((await send('DELETE', `/api/admin/users/${rita.id}`, server.cookie)).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect((await send('GET', '/api/dashboard', cookie)).status).toBe(401);
  });
});

describe('wallboard TVs', () => {
  it('view the board and its live feed, but cannot export or change anything', async () => {
    const tv = await pairTv('Floor 1');
    expect((await send('GET', '/api/dashboard', tv.cookie)).status).toBe(200);
    const page = await send('GET', '/', tv.cookie);
    expect(page.status).toBe(200);
    // Each page load renews the TV's cookie, so it never lapses while the wallboard is valid.
    expect(page.headers.getSetCookie().join()).toMatch(/wallboard_tv=.*Max-Age=34560000/);
    expect((await send('GET', '/api/calls/export', tv.cookie)).status).toBe(403);
    expect((await send('GET', '/admin', tv.cookie)).status).toBe(403);
    expect((await send('POST', '/api/admin/wallboards', tv.cookie, { name: 'x' })).status).toBe(403);
    expect((await send('POST', '/api/account/password', tv.cookie, {})).status).toBe(403);
    expect((await send('GET', '/api/calls?limit=5000', tv.cookie)).status).toBe(403);
    expect((await send('GET', '/%61dmin', tv.cookie)).status).toBe(403);
    const html = await (await send('GET', '/', tv.cookie)).text();
    expect(html).not.toContain('data-testid="export-csv"');
    (await socketFor(tv.cookie)).close();
  });

  it('are signed out and disconnected when revoked', async () => {
    const tv = await pairTv('Floor 2');
    const socket = await socketFor(tv.cookie);
    const gone = new Promise<string>((r) => socket.once('disconnect', r));
    const started = Date.now();
    expect((await send('DELETE', `/api/admin/wallboards/${tv.id}`, server.cookie)).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await send('GET', '/api/dashboard', tv.cookie)).status).toBe(401);
    await expect(socketFor(tv.cookie)).rejects.toThrow('unauthorized');
  });

  it('hand the wallboard to a new TV with a new code, signing the old one out', async () => {
    const old = await pairTv('Floor 3');
    const socket = await socketFor(old.cookie);
    const gone = new Promise<string>((r) => socket.once('disconnect', r));
    const renewed = await send('POST', `/api/admin/wallboards/${old.id}`, server.cookie);
    expect(renewed.status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect((await send('GET', '/api/dashboard', old.cookie)).status).toBe(401);
    const { code } = (await renewed.json()) as { code: string };
    const paired = await send('POST', '/api/pair', '', { code });
    const cookie = paired.headers.getSetCookie()[0]!.split(';')[0]!;
    expect((await send('GET', '/api/dashboard', cookie)).status).toBe(200);
  });
});

describe('cross-site requests', () => {
  it('refuses state changes from another origin, even with a valid session', async () => {
    const evil = 'http://evil.example';
    const forged = await send(
      'POST',
      '/api/admin/users',
      server.cookie,
      { username: 'eve', name: 'Eve', role: 'admin' },
      evil,
    );
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toBe('cross-site request refused');
    const viaFetchMetadata = await fetch(new URL('/api/admin/wallboards', server.url), {
      method: 'POST',
      headers: { cookie: server.cookie, 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'forged' }),
    });
    expect(viaFetchMetadata.status).toBe(403);
    const signOut = await send('POST', '/api/auth/sign-out', server.cookie, {}, evil);
    expect(signOut.status).toBe(403);
    await expect(socketFor(server.cookie, evil)).rejects.toThrow('unauthorized');
    const users = (await (await send('GET', '/api/admin/users', server.cookie)).json()) as {
      users: { username: string }[];
    };
    expect(users.users.map((u) => u.username)).not.toContain('eve');
    const boards = (await (await send('GET', '/api/admin/wallboards', server.cookie)).json()) as {
      wallboards: { name: string }[];
    };
    expect(boards.wallboards.map((w) => w.name)).not.toContain('forged');
  });
});

describe('security headers and secrets', () => {
  it('sends a nonce CSP that the page’s scripts carry, and forbids framing and sniffing', async () => {
    const res = await send('GET', '/', server.cookie);
    const csp = res.headers.get('content-security-policy')!;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
  });

  it('never puts a secret into a page or the client bundle', async () => {
    const secret = await withStore(
      server.databaseUrl,
      async (db) => (await db.read.setting.findUniqueOrThrow({ where: { key: 'auth.secret' } })).value,
    );
    const token = decodeURIComponent(server.cookie.split('=')[1]!).split('.')[0]!;
    const secrets = [TEST_KEY, ADMIN_PASSWORD, secret, token];
    const pages = await Promise.all(
      ['/', '/admin', '/login', '/account/password'].map(async (p) =>
        (await send('GET', p, server.cookie)).text(),
      ),
    );
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(readFileSync(p, 'utf8'));
      }
    };
    walk(join(root, '.next', 'static'));
    expect(files.length).toBeGreaterThan(5);
    for (const text of [...pages, ...files]) for (const s of secrets) expect(text.includes(s)).toBe(false);
  });
});

describe('sign-in', () => {
  it('slows down repeated failed sign-ins', async () => {
    // A server of its own: the limits count per username and client address, and every test here
    // comes from one address.
    const own = await startServer({ signIn: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(new URL('/api/auth/sign-in/username', own.url), {
          method: 'POST',
          headers: { Origin: own.url, 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: `wrong-${i}` }),
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
      // The right password is refused too while the limit lasts.
      await expect(signIn(own.url, 'admin', ADMIN_PASSWORD)).rejects.toThrow(/429/);
    } finally {
      await own.stop();
    }
  });
});

describe('first start', () => {
  it('creates an admin with a one-time password printed once, which must be changed first', async () => {
    const fresh = await startServer({ env: { ADMIN_PASSWORD: '' }, signIn: false });
    try {
      const banner = fresh.logs.join('\n');
      const password = /one-time password: (\S+)/.exec(banner)![1]!;
      expect(banner).toContain('username: admin');
      const cookie = await signIn(fresh.url, 'admin', password);
      const home = await fetch(new URL('/', fresh.url), { headers: { cookie }, redirect: 'manual' });
      expect(home.headers.get('location')).toBe('/account/password');
      const changed = await fetch(new URL('/api/account/password', fresh.url), {
        method: 'POST',
        headers: { cookie, Origin: fresh.url, 'Content-Type': 'application/json' },
        body: JSON.stringify({ currentPassword: password, newPassword: 'a-much-better-password' }),
      });
      expect(changed.status).toBe(200);
      const renewed = changed.headers.getSetCookie()[0]!.split(';')[0]!;
      expect(
        (await fetch(new URL('/api/dashboard', fresh.url), { headers: { cookie: renewed } })).status,
      ).toBe(200);
      await expect(signIn(fresh.url, 'admin', password)).rejects.toThrow(/401/);
      // Not logged anywhere else: the JSON log lines never carry it.
      expect(fresh.logs.filter((l) => l.startsWith('{') && l.includes(password))).toEqual([]);
    } finally {
      await fresh.stop();
    }
    // A restart on the same store creates no second admin and prints no password.
    const again = await startServer({
      databaseUrl: fresh.databaseUrl,
      env: { ADMIN_PASSWORD: '' },
      signIn: false,
    });
    try {
      expect(again.logs.join('\n')).not.toContain('one-time password');
    } finally {
      await again.stop();
    }
  });
});
