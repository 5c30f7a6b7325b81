// Who may reach what. The custom server applies this to every HTTP request before Next.js sees
// it, and test/integration/access.test.ts checks it against the build's own route list, so a new
// route is refused to anonymous visitors unless it is added to PUBLIC_ROUTES below on purpose.

import type { Role } from '../common/admin';
import type { NumberView } from '../common/privacy';
export type { Role };

export type Principal =
  | {
      kind: 'user';
      userId: string;
      sessionId: string;
      username: string;
      name: string;
      role: Role;
      /** Set on a generated password: everything but changing it is refused until it is changed. */
      mustChangePassword: boolean;
      /** The lines (To numbers) this person sees; null: every line. Admins see every line. */
      lines: string[] | null;
      /** How this person sees callers' numbers: admins in full, supervisors per the privacy settings. */
      numbers: NumberView;
    }
  /** A paired TV: views the board, nothing else. */
  | {
      kind: 'tv';
      tvId: string;
      name: string;
      /** The lines this TV shows; null: every line. */
      lines: string[] | null;
      numbers: Exclude<NumberView, 'reveal'>;
    };

/** Reachable without signing in, and what protects each instead. */
export const PUBLIC_ROUTES: { path: string; prefix?: boolean; protectedBy: string }[] = [
  { path: '/api/webhooks/call-status', protectedBy: 'the provider signature (SignalWire/Twilio HMAC)' },
  { path: '/api/health', protectedBy: 'nothing: says only ok or unavailable, for balancers and monitors' },
  { path: '/login', protectedBy: 'nothing: the sign-in page' },
  { path: '/pair', protectedBy: 'nothing: the TV pairing page' },
  { path: '/api/pair', protectedBy: 'a one-time pairing code an admin created, valid 15 minutes' },
  {
    path: '/api/auth/sign-in/username',
    protectedBy:
      'the password; 10 wrong ones per username and address per 15 minutes, 100 per address per hour',
  },
  { path: '/api/auth/sign-out', protectedBy: 'nothing: ends the session it is sent with' },
  { path: '/_next/static/', prefix: true, protectedBy: 'nothing: compiled scripts and styles, no data' },
  { path: '/favicon.ico', protectedBy: 'nothing' },
  {
    path: '/metrics',
    protectedBy: 'the METRICS_TOKEN bearer token; 404 unless METRICS_TOKEN is set',
  },
  { path: '/api/bench/noop', protectedBy: 'off (404) unless BENCH_ROUTES=on; does nothing' },
];

export function isPublic(path: string): boolean {
  return PUBLIC_ROUTES.some((r) => (r.prefix ? path.startsWith(r.path) : path === r.path));
}

/** What a signed-in principal needs beyond being signed in. */
function requirement(path: string): 'any' | 'user' | 'admin' {
  if (path === '/admin' || path.startsWith('/admin/') || path.startsWith('/api/admin/')) return 'admin';
  // TVs view the board (its snapshot and live feed); paging through the calls or exporting them
  // in bulk, and account pages, are for people.
  if (path.startsWith('/api/calls') || path === '/account' || path.startsWith('/account/')) return 'user';
  if (path.startsWith('/api/account/')) return 'user';
  // A TV sees the open alerts (GET /api/alerts); acknowledging, history pages and exports are for people.
  if (path.startsWith('/api/alerts/') || path === '/alerts' || path.startsWith('/alerts/')) return 'user';
  return 'any';
}

const PASSWORD_PAGE = '/account/password';
const PASSWORD_CHANGE_PATHS = [PASSWORD_PAGE, '/api/account/password'];

export type Decision =
  { allow: true } | { allow: false; status: 401 | 403; error: string; redirect?: string };

const isApi = (path: string) => path.startsWith('/api/');

/** The decision for one request; `path` is the URL's pathname. */
export function decide(path: string, principal: Principal | null): Decision {
  if (isPublic(path)) return { allow: true };
  if (!principal) {
    return {
      allow: false,
      status: 401,
      error: 'sign-in required',
      redirect: isApi(path) ? undefined : '/login',
    };
  }
  const need = requirement(path);
  if (principal.kind === 'tv') {
    if (need === 'any') return { allow: true };
    return { allow: false, status: 403, error: 'a wallboard TV can only view the board' };
  }
  if (principal.mustChangePassword && !PASSWORD_CHANGE_PATHS.includes(path)) {
    return {
      allow: false,
      status: 403,
      error: 'change your one-time password first',
      redirect: isApi(path) ? undefined : PASSWORD_PAGE,
    };
  }
  if (need === 'admin' && principal.role !== 'admin') {
    return { allow: false, status: 403, error: 'admins only' };
  }
  return { allow: true };
}

/** A `next` parameter is followed only to a path on this site, never to another origin. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || /[\x00-\x20\\]/.test(next)) return '/';
  const base = 'http://wallboard.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  return url.origin === base ? url.pathname + url.search + url.hash : '/';
}

/**
 * The request target (path and query) exactly as the client sent it, which the gate hands to the
 * webhook: a provider signs the URL it called byte for byte, and parsing it into a URL re-encodes
 * some characters (a `'` in the query becomes `%27`). The gate drops any such header a client sends.
 */
export const REQUEST_TARGET_HEADER = 'x-wallboard-request-target';

export interface PublicAddress {
  publicUrl?: string;
  trustProxy: boolean;
}

/**
 * Where the site is, as providers and browsers reach it: PUBLIC_URL (with its path, without a
 * trailing slash), else the request's Host and, with TRUST_PROXY, the proxy's
 * X-Forwarded-Proto/Host. The webhook's signature check adds the path the provider called; the
 * CSRF and live-feed checks take its origin (siteOrigin).
 */
export function publicBase(headers: Headers, opts: PublicAddress): string {
  if (opts.publicUrl) return opts.publicUrl.replace(/\/+$/, '');
  const forwarded = (name: string) =>
    opts.trustProxy ? headers.get(name)?.split(',')[0]?.trim() : undefined;
  const proto = forwarded('x-forwarded-proto') || 'http';
  return `${proto}://${forwarded('x-forwarded-host') || headers.get('host') || 'localhost'}`;
}

/** The site's origin as a browser on it sees it (see publicBase). */
export function siteOrigin(headers: Headers, opts: PublicAddress): string {
  const base = publicBase(headers, opts);
  return opts.publicUrl ? new URL(base).origin : base;
}

/**
 * Whether an Origin header names the site: the same scheme, host and port. A browser sends the
 * origin serialised (lower-case, no default port, no path), so anything else (a userinfo, a path,
 * "null", a malformed value) is not the site, even where its host matches.
 */
export function isSiteOrigin(origin: string, site: string): boolean {
  if (!URL.canParse(origin) || !URL.canParse(site)) return false;
  const from = new URL(origin).origin;
  return from === origin && from === new URL(site).origin;
}
