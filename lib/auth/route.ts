// Small helpers the access-controlled route handlers share.
import type { z } from 'zod';
import { FORM_MAX_BODY_BYTES, principalFromHeaders } from './access';
import { BadRequest, readCapped } from '../callbacks/body';
import type { Principal } from './policy';
import type { AccountError } from './accounts';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'Cache-Control': 'no-store', ...headers } });

type User = Extract<Principal, { kind: 'user' }>;

/** The signed-in person (not a TV); the gate has already applied the path's policy. */
function userOf(request: Request, role?: 'admin'): User | Response {
  const p = principalFromHeaders(request.headers);
  if (!p) return json(401, { error: 'sign-in required' });
  if (p.kind !== 'user') return json(403, { error: 'a wallboard TV can only view the board' });
  if (role && p.role !== role) return json(403, { error: 'admins only' });
  return p;
}

function invalid(error: z.ZodError): Response {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  return json(400, { error: `${field}: ${issue.message}`, field });
}

/** The URL's query parameters validated by `schema`; a 400 naming the field otherwise. */
export function query<T extends z.ZodType>(request: Request, schema: T): z.infer<T> | Response {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  return parsed.success ? parsed.data : invalid(parsed.error);
}

/**
 * The body's bytes, at most FORM_MAX_BODY_BYTES of them; a 413 naming the limit beyond. The gate
 * refuses larger bodies by their headers already; this holds wherever a request comes from.
 */
export async function cappedBody(request: Request): Promise<Uint8Array<ArrayBuffer> | Response> {
  try {
    return await readCapped(request, FORM_MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof BadRequest) return json(e.status, { error: e.message });
    throw e;
  }
}

/** A JSON body validated by `schema`; a 4xx naming the field otherwise. */
export async function body<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T> | Response> {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return json(415, { error: 'send JSON (Content-Type: application/json)' });
  }
  const bytes = await cappedBody(request);
  if (bytes instanceof Response) return bytes;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return json(400, { error: 'the body is not valid JSON' });
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : invalid(parsed.error);
}

/** 429 for a refused attempt: when to try again, in the header and in words. */
export function tooMany(retryAfterSeconds: number, what: string): Response {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait =
    retryAfterSeconds < 60 ? `${retryAfterSeconds} seconds` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return json(429, { error: `${what}: try again in ${wait}` }, { 'Retry-After': String(retryAfterSeconds) });
}

function accountError(e: unknown): Response {
  // By name, not instanceof: the error comes from the server's copy of the module, not the bundle's.
  if (e instanceof Error && (e.name === 'AccountError' || e.name === 'AlertInputError')) {
    const err = e as AccountError;
    return json(err.status, { error: err.message, field: err.field });
  }
  // A line-scoped viewer asking for another line or direction (lib/auth/scope.ts).
  if (e instanceof Error && e.name === 'OutOfScope') {
    const { field, status } = e as Error & { field: string; status: 400 | 403 };
    return json(status, { error: `${field}: ${e.message}`, field });
  }
  throw e;
}

/**
 * Who a route serves: anyone (a public route: the webhook's health, pairing), people and paired
 * TVs (`viewer`), people only (`user`), or admins.
 */
export type Audience = 'anyone' | 'viewer' | 'user' | 'admin';
type Caller<A extends Audience> = A extends 'anyone'
  ? Principal | null
  : A extends 'viewer'
    ? Principal
    : User;

interface RouteInput<A extends Audience, Q, B, P> {
  request: Request;
  who: Caller<A>;
  query: Q;
  body: B;
  params: P;
}

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * Every access-controlled route handler, one way: the caller's permission (the gate has applied
 * the path's policy already; this holds wherever a request comes from), then the path parameters,
 * query and JSON body parsed with zod (a 4xx naming the field), then the handler, whose plain
 * value is answered as JSON (a Response as it is). An AccountError becomes its 4xx, the same
 * `{ error, field }` shape as every other refusal. Permission comes before parsing so that a caller
 * who may not use a route learns nothing of what it takes.
 */
export function withUser<
  A extends Audience,
  Q extends Schema = undefined,
  B extends Schema = undefined,
  P extends Schema = undefined,
>(
  audience: A,
  schemas: { query?: Q; body?: B; params?: P },
  handler: (input: RouteInput<A, Parsed<Q>, Parsed<B>, Parsed<P>>) => Promise<unknown>,
) {
  return async (
    request: Request,
    ctx: { params: Promise<Record<string, string | string[]>> } = { params: Promise.resolve({}) },
  ) => {
    let who: Principal | null | Response;
    if (audience === 'anyone') {
      who = principalFromHeaders(request.headers);
    } else if (audience === 'viewer') {
      who = principalFromHeaders(request.headers) ?? json(401, { error: 'sign-in required' });
    } else {
      who = userOf(request, audience === 'admin' ? 'admin' : undefined);
    }
    if (who instanceof Response) return who;
    const input = { request, who: who as Caller<A> } as RouteInput<A, Parsed<Q>, Parsed<B>, Parsed<P>>;
    if (schemas.params) {
      const parsed = schemas.params.safeParse(await ctx.params);
      if (!parsed.success) return invalid(parsed.error);
      input.params = parsed.data as Parsed<P>;
    }
    if (schemas.query) {
      const q = query(request, schemas.query);
      if (q instanceof Response) return q;
      input.query = q as Parsed<Q>;
    }
    if (schemas.body) {
      const b = await body(request, schemas.body);
      if (b instanceof Response) return b;
      input.body = b as Parsed<B>;
    }
    try {
      const result = await handler(input);
      return result instanceof Response ? result : json(200, result);
    } catch (e) {
      return accountError(e);
    }
  };
}
