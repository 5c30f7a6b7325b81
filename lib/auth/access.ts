// The gate every HTTP request passes before Next.js sees it (server.ts), and the same identity
// check for socket.io handshakes: one place decides who is asking and what they may reach.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth } from './auth';
import { parseLines, type Wallboards } from './tv';
import type { PrivacySettings } from '../common/privacy';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { Limiter } from './limits';
import { decide, isPublic, isSiteOrigin, REQUEST_TARGET_HEADER, siteOrigin, type Principal } from './policy';
import { pagePolicy } from '../security/headers';

const TV_COOKIE = 'wallboard_tv';
/** Set by the gate on every request it lets through, after removing any the client sent. */
export const PRINCIPAL_HEADER = 'x-wallboard-principal';
const WEBHOOK_PATH = '/api/webhooks/call-status';
const BENCH_NOOP_PATH = '/api/bench/noop';
/**
 * The largest body of any request but a callback (which has WEBHOOK_MAX_BODY_BYTES): the forms of
 * sign-in, pairing, passwords and the admin pages are a few hundred bytes.
 */
export const FORM_MAX_BODY_BYTES = 16 * 1024;

/** The TV's cookie. 400 days is the longest a browser keeps one; every page load renews it. */
export function tvCookie(secret: string, secure: boolean): string {
  return `${TV_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${400 * 86400}${secure ? '; Secure' : ''}`;
}

export function cookieValue(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null; // a malformed cookie is no cookie, not an error
      }
    }
  }
  return null;
}

export function toHeaders(raw: IncomingMessage['headers']): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
  }
  return h;
}

export interface Access {
  /**
   * Who sent these headers: a signed-in user, a paired TV, or nobody. `fresh` skips the short
   * cache of TV tokens (socket.io handshakes and rechecks: a revoked TV must not reconnect).
   */
  resolve(headers: Headers, fresh?: boolean): Promise<{ principal: Principal | null; setCookie: string[] }>;
  /** Applies the policy; false when it answered the request itself. */
  gate(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The site's own origin as a browser on it would send it. */
  originOf(req: IncomingMessage): string;
}

/**
 * The address rate limits and session records key on. Only a trusted proxy may name it, and only
 * its own hop counts: the rightmost X-Forwarded-For entry is the one the proxy appended, the ones
 * before it are whatever the client sent.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const socket = req.socket.remoteAddress ?? '';
  if (!trustProxy) return socket;
  const hops = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return hops.at(-1) ?? socket;
}

/** The pathname decoded; null when it is malformed or decodes into a traversal or a separator. */
export function decodedPath(pathname: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path !== pathname && /\/\.\.?(\/|$)|\\|\/\/|[\x00-\x1f]/.test(path)) return null;
  return path;
}

/**
 * The request target as a URL on this site; null when it would be read as another host: "//x/admin"
 * (and "/\\x/admin", backslashes being slashes to the URL parser) names host x with path /admin,
 * and "//" does not parse at all.
 */
export function requestUrl(target: string | undefined): URL | null {
  const raw = target ?? '/';
  const second = raw.charCodeAt(1);
  if (raw.charCodeAt(0) === 47 && (second === 47 || second === 92)) return null;
  try {
    return new URL(raw, 'http://localhost');
  } catch {
    return null;
  }
}

/**
 * Refuses a body over `limit` from its headers alone, before a byte of it is read. A body without
 * Content-Length (chunked) is refused outright: the site's pages always send one, and counting
 * bytes would mean reading the body here, on every request. A refused body is read and discarded
 * by Node (never buffered) until it ends or the request timeout cuts it.
 */
export function bodyRefusal(
  headers: IncomingMessage['headers'],
  limit: number,
): { status: 411 | 413; error: string } | null {
  const declared = headers['content-length'];
  if (declared === undefined) {
    if (headers['transfer-encoding'] === undefined) return null;
    return {
      status: 411,
      error: `send a Content-Length: bodies of unknown length are refused (limit ${limit} bytes)`,
    };
  }
  const size = Number(declared);
  return size > limit ? { status: 413, error: `body is ${size} bytes; the limit is ${limit}` } : null;
}

/** What a paired TV asks for its board: the page and its snapshots, rate limited per TV. */
const TV_SNAPSHOT_PATHS = new Set(['/', '/api/dashboard']);

export function createAccess(
  auth: Auth,
  wallboards: Wallboards,
  config: Config,
  dev: boolean,
  log: Logger,
  /** Counts each paired TV's snapshot requests (LIMITS.tvSnapshots). */
  tvSnapshots: Limiter,
  /** The privacy settings in force (who sees callers' numbers), cached briefly by the caller. */
  privacy: () => Promise<PrivacySettings>,
): Access {
  const https = config.PUBLIC_URL?.startsWith('https:') ?? false;

  function originOf(req: IncomingMessage): string {
    return siteOrigin(toHeaders(req.headers), {
      publicUrl: config.PUBLIC_URL,
      trustProxy: config.TRUST_PROXY,
    });
  }

  async function resolve(headers: Headers, fresh = false) {
    const secret = cookieValue(headers.get('cookie'), TV_COOKIE);
    if (secret) {
      const tv = await wallboards.verify(secret, fresh);
      if (tv) {
        const numbers = (await privacy()).tvNumbers;
        const principal: Principal = { kind: 'tv', tvId: tv.id, name: tv.name, lines: tv.lines, numbers };
        return { principal, setCookie: [] };
      }
    }
    if (!headers.get('cookie')?.includes('wallboard.session_token'))
      return { principal: null, setCookie: [] };
    const result = await auth.api.getSession({ headers, returnHeaders: true });
    const setCookie = result.headers.getSetCookie();
    const s = result.response;
    if (!s || s.user.banned) return { principal: null, setCookie };
    const user = s.user as typeof s.user & {
      username?: string | null;
      mustChangePassword?: boolean;
      lines?: string | null;
    };
    const admin = user.role === 'admin';
    return {
      principal: {
        kind: 'user',
        userId: user.id,
        sessionId: s.session.id,
        username: user.username ?? user.name,
        name: user.name,
        role: admin ? 'admin' : 'supervisor',
        mustChangePassword: Boolean(user.mustChangePassword),
        // Admins see everything: they set what the others see.
        lines: admin ? null : parseLines(user.lines),
        numbers: admin ? 'full' : (await privacy()).supervisorNumbers,
      } as Principal,
      setCookie,
    };
  }

  function refuse(res: ServerResponse, status: number, error: string) {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify({ error }));
  }

  async function gate(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    delete req.headers[PRINCIPAL_HEADER];
    delete req.headers[REQUEST_TARGET_HEADER];
    req.headers['x-forwarded-for'] = clientAddress(req, config.TRUST_PROXY);
    const url = requestUrl(req.url);
    if (url === null) {
      refuse(res, 400, 'malformed path');
      return false;
    }
    // Signed by the provider: no cookies, no pages. The benchmark's do-nothing route takes the same
    // path, so that the two are compared like for like. The webhook caps its body itself, at
    // WEBHOOK_MAX_BODY_BYTES, counting bytes as they arrive.
    if (url.pathname === WEBHOOK_PATH || (url.pathname === BENCH_NOOP_PATH && config.BENCH_ROUTES === 'on')) {
      req.headers[REQUEST_TARGET_HEADER] = req.url ?? '/';
      // The answer is some 30 bytes of JSON, which Next.js would gzip for any client that accepts
      // it: per callback a zlib stream, a quarter of a megabyte of native memory allocated and freed,
      // and a 16 KB buffer that outlives the request until the next full collection (at 100
      // callbacks/s, 40 MB of them between two), to save nothing.
      delete req.headers['accept-encoding'];
      return true;
    }
    const oversized = bodyRefusal(req.headers, FORM_MAX_BODY_BYTES);
    if (oversized) {
      refuse(res, oversized.status, oversized.error);
      return false;
    }
    // Decide on the path as Next.js will route it: it decodes %-escapes, so /%61dmin is /admin.
    const path = decodedPath(url.pathname);
    if (path === null) {
      refuse(res, 400, 'malformed path');
      return false;
    }

    // The other security headers are on every response already (server.ts); the CSP's nonce is
    // this request's.
    const { csp } = pagePolicy(dev);
    res.setHeader('Content-Security-Policy', csp);
    req.headers['content-security-policy'] = csp;

    // CSRF: a state-changing request must come from a page of this site. Browsers send Origin
    // with every cross-site POST (and Sec-Fetch-Site where they support it).
    const method = req.method ?? 'GET';
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      const origin = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      if (
        (origin !== undefined && !isSiteOrigin(origin, originOf(req))) ||
        (site && site !== 'same-origin' && site !== 'none')
      ) {
        refuse(res, 403, 'cross-site request refused');
        return false;
      }
    }
    if (isPublic(path)) return true;

    let principal: Principal | null = null;
    try {
      const found = await resolve(toHeaders(req.headers));
      principal = found.principal;
      const setCookie = [...found.setCookie];
      // A paired TV stays signed in for as long as its wallboard is not revoked.
      if (principal?.kind === 'tv' && method === 'GET' && !path.startsWith('/api/')) {
        setCookie.push(tvCookie(cookieValue(req.headers.cookie, TV_COOKIE)!, https));
      }
      if (setCookie.length > 0) res.setHeader('Set-Cookie', setCookie);
    } catch (err) {
      log.error({ err: String(err) }, 'session check failed');
      refuse(res, 503, 'sign-in is unavailable: the store cannot be reached');
      return false;
    }
    const decision = decide(path, principal);
    if (!decision.allow) {
      if (decision.redirect && (method === 'GET' || method === 'HEAD')) {
        const next = decision.redirect === '/login' ? `?next=${encodeURIComponent(path + url.search)}` : '';
        res.statusCode = 303;
        res.setHeader('Location', decision.redirect + next);
        res.setHeader('Cache-Control', 'no-store');
        res.end();
      } else {
        refuse(res, decision.status, decision.error);
      }
      return false;
    }
    if (principal?.kind === 'tv' && TV_SNAPSHOT_PATHS.has(path)) {
      const verdict = await tvSnapshots.consume(principal.tvId);
      if (!verdict.ok) {
        res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
        refuse(res, 429, 'too many board requests from this TV');
        return false;
      }
    }
    if (principal)
      req.headers[PRINCIPAL_HEADER] = Buffer.from(JSON.stringify(principal)).toString('base64url');
    return true;
  }

  return { resolve, gate, originOf };
}

/** The principal the gate attached to a request (route handlers and pages). */
export function principalFromHeaders(headers: Headers): Principal | null {
  const v = headers.get(PRINCIPAL_HEADER);
  if (!v) return null;
  try {
    return JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as Principal;
  } catch {
    return null;
  }
}
