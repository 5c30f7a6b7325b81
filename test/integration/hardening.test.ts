// What an anonymous or hostile client can make the real server do: bodies too large or too slow,
// malformed request targets, foreign Origins on the live feed, internal routes reached through the
// image optimiser. And that every response, whoever answers it, carries the security headers.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm, webhookUrl } from '../helpers/callbacks';
import { tempDatabaseUrl } from '../helpers/db';
import { GET as listCalls } from '@/app/api/calls/route';
import { GET as callEvents } from '@/app/api/calls/[sid]/events/route';
import { PRINCIPAL_HEADER } from '@/lib/auth/access';
import { seed } from '@/scripts/seed';

const KIB = 1024;
const MIB = 1024 * KIB;
/** The cap on every body but a callback's, as the gate states it. */
const FORM_LIMIT = 16 * KIB;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

function expectSecurityHeaders(headers: Headers | Record<string, string>, what: string) {
  const get = (k: string) => (headers instanceof Headers ? headers.get(k) : (headers[k] ?? null));
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(get(k), `${k} on ${what}`).toBe(v);
  expect(get('permissions-policy'), `permissions-policy on ${what}`).toContain('camera=()');
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte sent to the connection's close. */
  closedAfter: number;
}

/**
 * Sends bytes as they are (no client normalising the path), then `rest` after `pauseMs` if given,
 * and reads until the server closes the connection or `giveUpMs` passes.
 */
function raw(text: string, opts: { port?: number; giveUpMs?: number } = {}): Promise<RawResponse> {
  const port = opts.port ?? server.port;
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${opts.giveUpMs} ms`));
    }, opts.giveUpMs ?? 10_000);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {}); // a reset after the answer is still an answer
    socket.on('close', () => {
      clearTimeout(giveUp);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body,
        closedAfter: Date.now() - started,
      });
    });
    socket.write(text);
  });
}

const get = (path: string, port = server.port) =>
  raw(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, { port });

/** The server process's resident memory, in bytes. */
function rss(s: RunningServer): number {
  const status = readFileSync(`/proc/${s.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * KIB;
}

/** How many bytes of the body the client had written when the server's answer arrived. */
const sentBeforeAnswer: number[] = [];

/**
 * Streams `total` bytes of body to `path` in 64 KiB writes, declared in Content-Length or, when
 * `chunked`, without one. Resolves with the status, however early the server answered, and notes
 * in `sentBeforeAnswer` how much had been written by then.
 */
function stream(path: string, total: number, chunked: boolean): Promise<number> {
  const piece = Buffer.alloc(64 * KIB, 0x20);
  return new Promise((resolve, reject) => {
    let status = 0;
    let sent = 0;
    const req = httpRequest({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path,
      headers: {
        'Content-Type': 'application/json',
        Origin: server.url,
        ...(chunked ? {} : { 'Content-Length': String(total) }),
      },
    });
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      sentBeforeAnswer.push(sent);
      res.resume();
      res.on('end', () => resolve(status));
    });
    req.on('error', (e) => (status ? resolve(status) : reject(e)));
    const write = () => {
      while (sent < total) {
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('request bodies', () => {
  // Every route that reads a body, with what it takes to reach it.
  const routes: [method: string, path: string, signedIn: boolean][] = [
    ['POST', '/api/pair', false],
    ['POST', '/api/auth/sign-in/username', false],
    ['POST', '/api/auth/sign-out', false],
    ['POST', '/api/account/password', true],
    ['POST', '/api/admin/users', true],
    ['PATCH', '/api/admin/users/some-id', true],
    ['POST', '/api/admin/wallboards', true],
    ['POST', '/api/admin/wallboards/some-id', true],
    ['PUT', '/api/admin/settings', true],
  ];
  const big = JSON.stringify({ code: 'x'.repeat(MIB), username: 'admin', password: 'x' });

  function sendBig(method: string, path: string, signedIn: boolean) {
    return fetch(new URL(path, server.url), {
      method,
      headers: {
        'Content-Type': 'application/json',
        Origin: server.url,
        ...(signedIn ? { cookie: server.cookie } : {}),
      },
      body: big,
    });
  }

  it('refuses a 1 MB body to every route with 413 naming the limit, and keeps small ones working', async () => {
    for (const [method, path, signedIn] of routes) {
      const res = await sendBig(method, path, signedIn);
      expect(res.status, `${method} ${path}`).toBe(413);
      const { error } = (await res.json()) as { error: string };
      expect(error, `${method} ${path}`).toContain(String(FORM_LIMIT));
      expectSecurityHeaders(res.headers, `413 from ${method} ${path}`);
    }
    // The webhook keeps its own, larger limit (WEBHOOK_MAX_BODY_BYTES).
    const callback = await fetch(webhookUrl(server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `CallSid=${'x'.repeat(MIB)}`,
    });
    expect(callback.status).toBe(413);
    expect(((await callback.json()) as { error: string }).error).toContain('32768');
    // A body under the limit still reaches the route.
    const pair = await fetch(new URL('/api/pair', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: server.url },
      body: JSON.stringify({ code: 'NOPE1-NOPE2', padding: 'x'.repeat(FORM_LIMIT - 100) }),
    });
    expect(pair.status).toBe(400);
    expect(((await pair.json()) as { field: string }).field).toBe('code');
  });

  it('refuses a body of unknown length (chunked) with 411', async () => {
    expect(await stream('/api/pair', 256 * KIB, true)).toBe(411);
  });

  it('does not buffer refused bodies: memory stays flat under 1 MB and 64 MB bodies', async () => {
    const allRoutes = async () => {
      for (const [method, path, signedIn] of routes) {
        await (await sendBig(method, path, signedIn)).arrayBuffer();
      }
    };
    const bigOnes = async () => [
      await stream('/api/pair', 64 * MIB, false),
      await stream('/api/auth/sign-in/username', 64 * MIB, false),
      await stream('/api/pair', 64 * MIB, true),
      await stream('/api/auth/sign-in/username', 64 * MIB, true),
    ];
    // Warm up first with the same requests, so that what is measured is what the bodies leave
    // behind, not the heap and the allocator's pools that the first requests of each kind grow
    // (their size differs between machines: 3 MB on one, 24 MB on another).
    for (let i = 0; i < 4; i++) await allRoutes();
    await bigOnes();
    const before = rss(server);
    for (let i = 0; i < 4; i++) await allRoutes();
    sentBeforeAnswer.length = 0;
    const statuses = await bigOnes();
    const grown = rss(server) - before;
    // Refused before the body was read: each answer came before its 64 MB were all sent. What was
    // written by then sits in the kernel's socket buffers, which Linux may grow to the receive
    // maximum (32 MB here, net.ipv4.tcp_rmem) plus the send maximum (4 MB): 4 to 34 MB in runs
    // here. A server that buffered the body answers only after all 64 MB.
    expect(sentBeforeAnswer).toHaveLength(4);
    for (const sent of sentBeforeAnswer) expect(sent).toBeLessThan(48 * MIB);
    console.log(
      `memory: ${(grown / MIB).toFixed(1)} MB more resident after ${routes.length * 4} bodies of 1 MB ` +
        `and 4 of 64 MB (statuses ${statuses.join(', ')}; answered after ` +
        `${sentBeforeAnswer.map((b) => (b / MIB).toFixed(1)).join(', ')} MB of each was sent)`,
    );
    expect(statuses).toEqual([413, 413, 411, 411]);
    // Less than one of the 64 MB bodies: a server that read them grew by 152 to 168 MB here. After
    // the warm-up the resident size still moves with the collector and the allocator, from -11 to
    // +29 MB between runs of the same code, so a tighter bound would fail on noise.
    expect(grown).toBeLessThan(64 * MIB);
    expect((await fetch(new URL('/api/health', server.url))).status).toBe(200);
  });
});

describe('slow requests', () => {
  let slow: RunningServer;
  let exported = 0;
  beforeAll(async () => {
    // SQLite whatever the run's store: the timeouts are the HTTP server's, and seeding is quicker.
    const databaseUrl = await tempDatabaseUrl('sqlite');
    // Enough calls that their CSV outlasts the socket buffers: the export is still being written
    // long after the request timeout.
    exported = 100_000;
    await seed(databaseUrl, exported, 1);
    slow = await startServer({
      databaseUrl,
      env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' },
    });
  }, 120_000);
  afterAll(async () => {
    await slow?.stop();
  });

  // The timeouts are checked once a second: they bite within a second of their value.
  const MARGIN = 1_000 + 1_500;

  it('cuts off a request whose body stalls with 408 once HTTP_REQUEST_TIMEOUT_MS has passed', async () => {
    const res = await raw(
      `POST /api/pair HTTP/1.1\r\nHost: 127.0.0.1:${slow.port}\r\nOrigin: ${slow.url}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"code":`,
      { port: slow.port, giveUpMs: 2_000 + MARGIN + 2_000 },
    );
    expect(res.status).toBe(408);
    expect(res.closedAfter).toBeGreaterThanOrEqual(1_900);
    expect(res.closedAfter).toBeLessThan(2_000 + MARGIN);
    expectSecurityHeaders(res.headers, 'the 408');
    expect(JSON.parse(res.body)).toEqual({ error: expect.stringContaining('2000 ms') });
  });

  it('cuts off a request whose headers stall once HTTP_HEADERS_TIMEOUT_MS has passed', async () => {
    const res = await raw(`GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:${slow.port}\r\nX-Slow: `, {
      port: slow.port,
      giveUpMs: 1_000 + MARGIN + 2_000,
    });
    expect(res.status).toBe(408);
    expect(res.closedAfter).toBeLessThan(1_000 + MARGIN);
  });

  it('does not cut a long export: the timeout covers receiving the request, not the answer', async () => {
    const path = `/api/calls/export?from=${Date.now() - 3 * 86_400_000}`;
    const started = Date.now();
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: slow.port, path, headers: { cookie: slow.cookie } });
      req.on('error', reject);
      req.on('response', (res) => {
        // A client that reads slowly: the server is still writing well after the request timeout.
        res.pause();
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        setTimeout(() => res.resume(), 2_000 + MARGIN);
      });
      req.end();
    });
    const lines = text.trimEnd().split('\n');
    console.log(
      `export: ${(text.length / MIB).toFixed(1)} MB, ${lines.length - 1} rows in ${Date.now() - started} ms`,
    );
    expect(status).toBe(200);
    expect(text.length).toBeGreaterThan(8 * MIB);
    expect(lines.length - 1).toBe(exported);
  });
});

describe('request targets', () => {
  it('answers 400, not 500, to paths that would parse as a host', async () => {
    for (const path of ['//', '//x', '///', '//x/admin', '/\\x/admin']) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body), path).toEqual({ error: 'malformed path' });
      expectSecurityHeaders(res.headers, `GET ${path}`);
    }
    expect(server.logs.filter((l) => l.includes('access check failed'))).toEqual([]);
  });
});

describe('security headers on every response', () => {
  it('on the webhook’s answers', async () => {
    const ok = await postForm(server.url, completedCall());
    expect(ok.status).toBe(200);
    expectSecurityHeaders(ok.headers, 'a stored callback');
    const unsigned = await fetch(webhookUrl(server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(completedCall()).toString(),
    });
    expect(unsigned.status).toBe(403);
    expectSecurityHeaders(unsigned.headers, 'an unsigned callback');
  });

  it('on socket.io’s answers: polling, its refusals and the websocket upgrade', async () => {
    const polling = await fetch(new URL('/socket.io/?EIO=4&transport=polling', server.url));
    expect(polling.status).toBe(200);
    expectSecurityHeaders(polling.headers, 'the polling handshake');
    for (const query of ['EIO=4&transport=bogus', 'EIO=4&transport=polling&sid=unknown', 'EIO=9']) {
      const refused = await fetch(new URL(`/socket.io/?${query}`, server.url));
      expect(refused.status, query).toBe(400);
      expectSecurityHeaders(refused.headers, `socket.io refusing ${query}`);
    }
    const upgrade = await new Promise<Record<string, string>>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: server.port,
        path: '/socket.io/?EIO=4&transport=websocket',
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.headers as Record<string, string>);
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expectSecurityHeaders(upgrade, 'the websocket upgrade');
  });

  it('on the gate’s refusals and the server’s own error answers', async () => {
    const anonymous = await fetch(new URL('/api/dashboard', server.url));
    expect(anonymous.status).toBe(401);
    expectSecurityHeaders(anonymous.headers, 'a 401');
    const crossSite = await fetch(new URL('/api/pair', server.url), {
      method: 'POST',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
    expectSecurityHeaders(crossSite.headers, 'a cross-site refusal');
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.status).toBe(400);
    expectSecurityHeaders(garbage.headers, 'a malformed request');
  });
});

describe('the live feed’s Origin check', () => {
  function socketFor(origin: string): Promise<Socket> {
    const socket = connect(server.url, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: server.cookie, Origin: origin },
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
  }

  it('takes only the site’s exact origin (scheme, host and port), as the CSRF check does', async () => {
    const { port } = server;
    const foreign = [
      `https://127.0.0.1:${port}`,
      `http://evil@127.0.0.1:${port}`,
      `http://127.0.0.1:${port + 1}`,
      `http://127.0.0.1:${port}.evil.example`,
      'null',
      'not an origin',
    ];
    for (const origin of foreign) {
      await expect(socketFor(origin), origin).rejects.toThrow('unauthorized');
    }
    (await socketFor(server.url)).close();
    // The same function judges state-changing requests.
    for (const origin of foreign) {
      const res = await fetch(new URL('/api/admin/wallboards', server.url), {
        method: 'POST',
        headers: { cookie: server.cookie, Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'forged' }),
      });
      expect(res.status, origin).toBe(403);
    }
  });
});

describe('internal routes', () => {
  it('cannot be fetched through the image optimiser', async () => {
    const before = server.logs.length;
    const res = await server.get('/_next/image?url=%2Fapi%2Fcalls&w=64&q=75');
    await res.arrayBuffer();
    expect(res.status).toBe(404);
    // Next.js logs every internal fetch that did not give an image; there was none.
    expect(server.logs.slice(before).filter((l) => l.includes('/api/calls'))).toEqual([]);
  });

  it('refuse a request the gate did not mark with a signed-in person, and a TV', async () => {
    const anonymous = new Request('http://127.0.0.1/api/calls');
    expect((await listCalls(anonymous)).status).toBe(401);
    const params = { params: Promise.resolve({ sid: 'CA1' }) };
    expect((await callEvents(new Request('http://127.0.0.1/api/calls/CA1/events'), params)).status).toBe(401);
    const tv = Buffer.from(JSON.stringify({ kind: 'tv', tvId: 't', name: 'TV' })).toString('base64url');
    const asTv = { headers: { [PRINCIPAL_HEADER]: tv } };
    expect((await listCalls(new Request('http://127.0.0.1/api/calls', asTv))).status).toBe(403);
    expect(
      (await callEvents(new Request('http://127.0.0.1/api/calls/CA1/events', asTv), params)).status,
    ).toBe(403);
  });
});
