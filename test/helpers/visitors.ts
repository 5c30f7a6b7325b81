// What the access tests do as people and TVs would: send JSON from the site's own pages, open the
// live feed, pair a TV, create a supervisor. Each takes the running server when called.
import { expect } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { signIn, type RunningServer } from './server';

export function asVisitors(server: () => RunningServer) {
  /** Sends JSON as the site's own pages do (same Origin), with a session cookie if given. */
  function send(
    method: string,
    path: string,
    cookie: string,
    payload?: unknown,
    origin = server().url,
  ): Promise<Response> {
    return fetch(new URL(path, server().url), {
      method,
      redirect: 'manual',
      headers: {
        cookie,
        Origin: new URL(origin).origin,
        ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
  }

  function socketFor(cookie: string, origin?: string): Promise<Socket> {
    const socket = connect(server().url, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie, ...(origin ? { Origin: origin } : {}) },
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
  }

  /** A supervisor created by the admin, signed in with their own password. */
  async function supervisor(username: string): Promise<string> {
    const created = await send('POST', '/api/admin/users', server().cookie, {
      username,
      name: username,
      role: 'supervisor',
    });
    expect(created.status).toBe(201);
    const { oneTimePassword } = (await created.json()) as { oneTimePassword: string };
    const first = await signIn(server().url, username, oneTimePassword);
    // A one-time password opens nothing but the change-password page.
    expect((await send('GET', '/api/dashboard', first)).status).toBe(403);
    await expect(socketFor(first)).rejects.toThrow('unauthorized');
    const page = await send('GET', '/', first);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/account/password');
    const changed = await send('POST', '/api/account/password', first, {
      currentPassword: oneTimePassword,
      newPassword: `${username}-own-password`,
    });
    expect(changed.status).toBe(200);
    return changed.headers.getSetCookie()[0]!.split(';')[0]!;
  }

  async function pairTv(name: string): Promise<{ id: string; cookie: string }> {
    const res = await send('POST', '/api/admin/wallboards', server().cookie, { name });
    expect(res.status).toBe(201);
    const { id, code, qr } = (await res.json()) as { id: string; code: string; qr: string };
    expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(qr).toMatch(/^data:image\/svg\+xml;base64,/);
    const paired = await send('POST', '/api/pair', '', { code });
    expect(paired.status).toBe(200);
    const cookie = paired.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    // The code is spent.
    expect((await send('POST', '/api/pair', '', { code })).status).toBe(400);
    return { id, cookie: cookie.split(';')[0]! };
  }

  return { send, socketFor, supervisor, pairTv };
}
