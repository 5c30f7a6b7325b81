// Guessing passwords on the real server: wrong sign-ins count per username and address, a
// per-address ceiling stops spraying, and a stolen session cannot guess its own password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startServer, type RunningServer } from '../helpers/server';
import { TEST_PROVIDER } from '../helpers/db';

let server: RunningServer;

// Behind a trusted proxy the client's address is the proxy's X-Forwarded-For hop, so each test
// comes from addresses of its own.
beforeAll(async () => {
  server = await startServer({ env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await server?.stop();
});

function signInFrom(address: string, username: string, password: string, url = server.url) {
  return fetch(new URL('/api/auth/sign-in/username', url), {
    method: 'POST',
    headers: { Origin: url, 'Content-Type': 'application/json', 'X-Forwarded-For': address },
    body: JSON.stringify({ username, password }),
  });
}

/** A supervisor created by the admin; signing in with the one-time password succeeds. */
async function newUser(username: string): Promise<string> {
  const res = await fetch(new URL('/api/admin/users', server.url), {
    method: 'POST',
    headers: { cookie: server.cookie, Origin: server.url, 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, name: username, role: 'supervisor' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { oneTimePassword: string }).oneTimePassword;
}

/** A 429 from the wallboard's own limits: when to retry, in the header and in the message. */
async function expectLimited(res: Response, message: RegExp) {
  expect(res.status).toBe(429);
  const wait = Number(res.headers.get('retry-after'));
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(3600);
  expect(((await res.json()) as { error: string }).error).toMatch(message);
}

// Each wrong password costs a scrypt hash; on a busy 2-core machine that adds up.
describe('sign-in', { timeout: 60_000 }, () => {
  it("locks a username out of one address after 10 wrong passwords, not the address's other users", async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');
    // All at once: guesses racing each other are counted as well as guesses in a row.
    const flood = await Promise.all(
      Array.from({ length: 14 }, (_, i) => signInFrom('10.1.0.1', 'alice', `wrong-${i}`)),
    );
    expect(flood.map((r) => r.status).sort()).toEqual([...Array(10).fill(401), ...Array(4).fill(429)]);
    await expectLimited(await signInFrom('10.1.0.1', 'alice', alice), /too many failed sign-ins/);
    // The username is case-insensitive, so another spelling is the same lock.
    expect((await signInFrom('10.1.0.1', 'ALICE', alice)).status).toBe(429);

    // Everyone else at that address signs in, and Alice does from elsewhere.
    expect((await signInFrom('10.1.0.1', 'bob', bob)).status).toBe(200);
    expect((await signInFrom('10.1.0.2', 'alice', alice)).status).toBe(200);

    // An unknown username gets the same answer: the limit does not tell who exists.
    for (let i = 0; i < 10; i++) expect((await signInFrom('10.1.0.1', 'nobody', `x-${i}`)).status).toBe(401);
    await expectLimited(await signInFrom('10.1.0.1', 'nobody', 'x'), /too many failed sign-ins/);
  });

  it('lets a right password start the count again for that username only', async () => {
    const carol = await newUser('carol');
    for (let i = 0; i < 9; i++)
      expect((await signInFrom('10.3.0.1', 'carol', `wrong-${i}`)).status).toBe(401);
    expect((await signInFrom('10.3.0.1', 'carol', carol)).status).toBe(200);
    for (let i = 0; i < 10; i++)
      expect((await signInFrom('10.3.0.1', 'carol', `again-${i}`)).status).toBe(401);
    expect((await signInFrom('10.3.0.1', 'carol', carol)).status).toBe(429);
  });

  it('stops spraying many usernames from one address after 100 failures, whoever signs in between', async () => {
    const dave = await newUser('dave');
    const erin = await newUser('erin');
    // Ten at a time: each wrong password costs the server a scrypt hash.
    const spray = async (from: number, to: number) => {
      const statuses: number[] = [];
      for (let i = from; i < to; i += 10) {
        const batch = Array.from({ length: Math.min(10, to - i) }, (_, j) =>
          signInFrom('10.2.0.1', `user${i + j}`, 'Summer2026!'),
        );
        for (const res of await Promise.all(batch)) statuses.push(res.status);
      }
      return statuses;
    };
    expect(await spray(0, 60)).toEqual(Array(60).fill(401));
    // A user's success in between takes back nothing the address failed.
    expect((await signInFrom('10.2.0.1', 'dave', dave)).status).toBe(200);
    expect(await spray(60, 100)).toEqual(Array(40).fill(401));
    await expectLimited(await signInFrom('10.2.0.1', 'user100', 'Summer2026!'), /too many failed sign-ins/);
    // Now the whole address waits, even with a right password; other addresses do not.
    expect((await signInFrom('10.2.0.1', 'erin', erin)).status).toBe(429);
    expect((await signInFrom('10.2.0.2', 'erin', erin)).status).toBe(200);
  }, 180_000);

  it('refuses a malformed or oversized sign-in naming the field', async () => {
    const post = (body: string) =>
      fetch(new URL('/api/auth/sign-in/username', server.url), {
        method: 'POST',
        headers: { Origin: server.url, 'Content-Type': 'application/json', 'X-Forwarded-For': '10.4.0.1' },
        body,
      });
    const missing = await post(JSON.stringify({ password: 'x' }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ field: 'username' });
    const number = await post(JSON.stringify({ username: 'x', password: 5 }));
    expect(number.status).toBe(400);
    expect(await number.json()).toMatchObject({ field: 'password' });
    expect((await post(JSON.stringify({ username: 'x', password: 'y'.repeat(5000) }))).status).toBe(413);
  });
});

describe('changing one’s own password', { timeout: 60_000 }, () => {
  it('refuses the current password after 10 wrong ones, from any address', async () => {
    const password = await newUser('frank');
    const cookie = await signIn(server.url, 'frank', password);
    const change = (currentPassword: string, address: string) =>
      fetch(new URL('/api/account/password', server.url), {
        method: 'POST',
        headers: {
          cookie,
          Origin: server.url,
          'Content-Type': 'application/json',
          'X-Forwarded-For': address,
        },
        body: JSON.stringify({ currentPassword, newPassword: 'frank-own-password' }),
      });
    // All at once, each from an address of its own.
    const guesses = await Promise.all(
      Array.from({ length: 15 }, (_, i) => change(`guess-${i}`, `10.5.0.${i + 1}`)),
    );
    expect(guesses.map((r) => r.status).sort()).toEqual([...Array(10).fill(400), ...Array(5).fill(429)]);
    for (const res of guesses.filter((r) => r.status === 400)) {
      expect(await res.json()).toMatchObject({ field: 'currentPassword' });
    }
    await expectLimited(
      guesses.find((r) => r.status === 429)!,
      /too many wrong current passwords/,
    );
    await expectLimited(await change('guess-15', '10.5.1.1'), /too many wrong current passwords/);
    // Even the right one now waits, wherever the session's holder asks from.
    await expectLimited(await change(password, '10.5.1.2'), /too many wrong current passwords/);
    await expectLimited(await change(password, '10.5.1.3'), /too many wrong current passwords/);
    // The password is unchanged: the one-time password still signs in, the new one does not.
    await expect(signIn(server.url, 'frank', 'frank-own-password')).rejects.toThrow(/401/);
    await signIn(server.url, 'frank', password);

    // Another user's change is not held up.
    const grace = await newUser('grace');
    const theirs = await signIn(server.url, 'grace', grace);
    const changed = await fetch(new URL('/api/account/password', server.url), {
      method: 'POST',
      headers: { cookie: theirs, Origin: server.url, 'Content-Type': 'application/json' },
      body: JSON.stringify({ currentPassword: grace, newPassword: 'grace-own-password' }),
    });
    expect(changed.status).toBe(200);
  });
});

describe.runIf(TEST_PROVIDER === 'postgresql')('two instances on one PostgreSQL', () => {
  it('count the same failures', async () => {
    const second = await startServer({ databaseUrl: server.databaseUrl, env: { TRUST_PROXY: 'true' } });
    try {
      const heidi = await newUser('heidi');
      const ivan = await newUser('ivan');
      const instances = [server.url, second.url];
      for (let i = 0; i < 10; i++) {
        expect((await signInFrom('10.6.0.1', 'heidi', `wrong-${i}`, instances[i % 2])).status).toBe(401);
      }
      for (const url of instances)
        expect((await signInFrom('10.6.0.1', 'heidi', heidi, url)).status).toBe(429);
      expect((await signInFrom('10.6.0.1', 'ivan', ivan, second.url)).status).toBe(200);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
