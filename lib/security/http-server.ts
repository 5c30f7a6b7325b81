// What the custom server's HTTP layer adds below every route: the security headers on every
// response, and JSON answers carrying them when Node itself refuses a request.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A ServerResponse that starts with `headers` set. Node creates one for every request before any
 * listener runs, so socket.io's answers (polling, handshake refusals) carry them as much as the
 * gate's and Next.js's; a listener could only reach the requests socket.io passes on.
 */
export function responseWithHeaders(headers: Record<string, string>): typeof ServerResponse {
  const entries = Object.entries(headers);
  return class SecureResponse<
    Request extends IncomingMessage = IncomingMessage,
  > extends ServerResponse<Request> {
    constructor(req: Request) {
      super(req);
      for (const [name, value] of entries) this.setHeader(name, value);
    }
  };
}

/**
 * Answers what Node refuses before any listener sees a request (a malformed request, headers too
 * large, a request not received within the timeouts) as the routes would: JSON, with the security
 * headers. Replaces Node's bare default answer.
 */
export function clientErrorAnswer(
  headers: Record<string, string>,
  timeouts: { headersMs: number; requestMs: number },
): (err: Error & { code?: string }, socket: Duplex) => void {
  const common = Object.entries({
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...headers,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return (err, duplex) => {
    // As Node's own answer does: nothing on a connection the client reset, nor where the answer
    // to the request in progress has begun (the peer would read the two as one).
    const socket = duplex as Socket & { _httpMessage?: ServerResponse | null };
    if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, reason, error] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            'Request Timeout',
            `request not received in time: headers within ${timeouts.headersMs} ms, ` +
              `the whole request within ${timeouts.requestMs} ms`,
          ]
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'request headers too large']
          : [400, 'Bad Request', 'malformed HTTP request'];
    const body = JSON.stringify({ error });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\n${common}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  };
}
