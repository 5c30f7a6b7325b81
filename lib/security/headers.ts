// Response headers that hold for every response. The CSP carries a fresh nonce per request:
// Next.js reads it from the request's Content-Security-Policy header and puts it on the scripts
// it renders, so no inline script runs without it.
import { randomBytes } from 'node:crypto';

function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // strict-dynamic: scripts the nonce'd ones load (Next.js chunks) may run, nothing else.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // React and recharts set style attributes; no style sheet comes from elsewhere.
    "style-src 'self' 'unsafe-inline'",
    // data: for the pairing QR code.
    "img-src 'self' data:",
    "font-src 'self'",
    // 'self' covers the socket.io websocket on the same host.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The headers that do not depend on the request: the custom server sets them on every response it
 * sends, whoever writes it (the gate, Next.js, socket.io, Node's own error answers).
 */
export function baseSecurityHeaders(opts: { https: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
  if (opts.https) headers['Strict-Transport-Security'] = 'max-age=31536000';
  return headers;
}

/** A fresh nonce and the page CSP that allows it. */
export function pagePolicy(dev: boolean): { nonce: string; csp: string } {
  const nonce = randomBytes(16).toString('base64');
  return { nonce, csp: contentSecurityPolicy(nonce, dev) };
}
