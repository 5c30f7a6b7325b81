import { getRuntime } from '@/lib/runtime';
import { cappedBody } from '@/lib/auth/route';

export const dynamic = 'force-dynamic';

/**
 * Only the Better Auth endpoints the pages use are reachable over HTTP; everything else
 * (its admin, session-listing and profile endpoints) is used from the server, through the
 * product's own routes, or not at all.
 */
const EXPOSED = new Set(['/api/auth/sign-in/username', '/api/auth/sign-out']);

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (request.method !== 'POST' || !EXPOSED.has(path)) {
    return Response.json({ error: 'not found' }, { status: 404 });
  }
  // Better Auth reads the whole body: it is handed one only once that is known to be small.
  const bytes = await cappedBody(request);
  if (bytes instanceof Response) return bytes;
  const capped = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: bytes.byteLength > 0 ? bytes : null,
  });
  const response = await getRuntime().auth.handler(capped);
  if (!response.ok || path !== '/api/auth/sign-in/username') return response;
  // The session token belongs in the httpOnly cookie only, never where page scripts can read it.
  const body = (await response.json()) as { token?: unknown; user?: { id?: string; name?: string } };
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return Response.json({ ok: true, user: { name: body.user?.name } }, { status: response.status, headers });
}

export { handle as GET, handle as POST };
