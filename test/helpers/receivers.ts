// Receivers of alert notifications on loopback, as users run them: an HTTP endpoint that records
// each request, and a webhook that verifies the signature as docs/alerts.md shows.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** The webhook secret the receivers check by default. */
export const SECRET = 'whsec-0123456789abcdef';

export interface Request {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  raw: string;
}

export type Handler = (req: Request, res: ServerResponse, n: number) => void;

const closers: (() => Promise<void>)[] = [];

/** Registers a receiver's close for closeReceivers; returns it, to close that one early. */
export function onClose(close: () => Promise<void>): () => Promise<void> {
  let closed: Promise<void> | null = null;
  const once = () => (closed ??= close());
  closers.push(once);
  return once;
}

/** Closes every receiver opened so far (in afterEach or afterAll). */
export async function closeReceivers(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close()));
}

/** An HTTP receiver on loopback; records each request before `handle` answers it. */
export async function receiver(handle: Handler, path = '/hook') {
  const requests: Request[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const r = { path: req.url ?? '', headers: req.headers, body, raw: body.toString('utf8') };
      requests.push(r);
      handle(r, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = onClose(async () => {
    // A receiver that never answered still holds its connection.
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${path}`, requests, close };
}

export const answer = (status: number, body = '', headers: Record<string, string> = {}) =>
  ((_req: Request, res: ServerResponse) => {
    res.writeHead(status, headers).end(body);
  }) satisfies Handler;

/** The receiver's check, as docs/alerts.md shows it: HMAC over `<timestamp>.<raw body>`, 5 minutes. */
export function verified(secret: string, headers: IncomingHttpHeaders, body: Buffer): boolean {
  const timestamp = headers['x-wallboard-timestamp'];
  const signature = headers['x-wallboard-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d+$/.test(timestamp))
    return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A user's webhook: 204 for a verified delivery, 401 otherwise. */
export async function webhookReceiver(secret = SECRET) {
  const got: { verified: boolean; body: unknown }[] = [];
  const r = await receiver((req, res) => {
    const ok = verified(secret, req.headers, req.body);
    got.push({ verified: ok, body: JSON.parse(req.raw) });
    res.writeHead(ok ? 204 : 401).end(ok ? undefined : 'bad signature');
  });
  return { ...r, got };
}
