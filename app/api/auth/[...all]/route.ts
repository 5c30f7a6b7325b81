import { z } from 'zod';
import { getRuntime } from '@/lib/runtime';
import { cappedBody, json, tooMany } from '@/lib/auth/route';
import { BadRequest, readCapped } from '@/lib/callbacks/body';

export const dynamic = 'force-dynamic';

const SIGN_IN = '/api/auth/sign-in/username';

/**
 * Only the Better Auth endpoints the pages use are reachable over HTTP; everything else
 * (its admin, session-listing and profile endpoints) is used from the server, through the
 * product's own routes, or not at all.
 */
const EXPOSED = new Set([SIGN_IN, '/api/auth/sign-out']);

/** Many times a username and a password of the longest lengths allowed. */
const SIGN_IN_BODY_LIMIT = 4096;

const Credentials = z.looseObject({
  username: z.string('required'),
  password: z.string('required'),
});

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (request.method !== 'POST' || !EXPOSED.has(path)) {
    return Response.json({ error: 'not found' }, { status: 404 });
  }
  if (path === SIGN_IN) return signIn(request);
  // Better Auth reads the whole body: it is handed one only once that is known to be small.
  const bytes = await cappedBody(request);
  if (bytes instanceof Response) return bytes;
  return getRuntime().auth.handler(
    new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: bytes.byteLength > 0 ? bytes : null,
    }),
  );
}

/**
 * Wrong passwords are counted per username and address (lib/auth/limits.ts) before Better Auth
 * sees the request: its own limiter counts every request per address only, so one person guessing
 * would lock out everyone who shares their address.
 */
async function signIn(request: Request): Promise<Response> {
  const { auth, limits } = getRuntime();
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return json(415, { error: 'send JSON (Content-Type: application/json)' });
  }
  let text: string;
  let raw: unknown;
  try {
    text = new TextDecoder().decode(await readCapped(request, SIGN_IN_BODY_LIMIT));
    raw = JSON.parse(text);
  } catch (e) {
    if (e instanceof BadRequest) return json(e.status, { error: e.message });
    return json(400, { error: 'the body is not valid JSON' });
  }
  const parsed = Credentials.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    return json(400, { error: `${field}: ${issue.message}`, field });
  }
  const { username } = parsed.data;
  // The gate put the client's address here (or the trusted proxy's view of it).
  const address = request.headers.get('x-forwarded-for') ?? '';
  // The same answer whether or not the username exists.
  const verdict = await limits.signInStarted(username, address);
  if (!verdict.ok) return tooMany(verdict.retryAfterSeconds, 'too many failed sign-ins');

  const headers = new Headers(request.headers);
  headers.delete('content-length');
  let response: Response;
  try {
    response = await auth.handler(new Request(request.url, { method: 'POST', headers, body: text }));
  } catch (e) {
    await limits.signInUnchecked(username, address);
    throw e;
  }
  if (!response.ok) {
    // A server error or Better Auth's flood guard judged no password; anything else was a failure,
    // already counted.
    if (response.status === 429 || response.status >= 500) await limits.signInUnchecked(username, address);
    return response;
  }
  await limits.signInSucceeded(username, address);
  // The session token belongs in the httpOnly cookie only, never where page scripts can read it.
  const body = (await response.json()) as { token?: unknown; user?: { id?: string; name?: string } };
  const answer = new Headers(response.headers);
  answer.delete('content-length');
  return Response.json(
    { ok: true, user: { name: body.user?.name } },
    { status: response.status, headers: answer },
  );
}

export { handle as GET, handle as POST };
