// Webhook signatures as SignalWire and Twilio compute them (docs/webhook.md, Signatures).
// Written here rather than taken from a provider SDK: the only packages that export a validator
// (twilio, @signalwire/compatibility-api) bring a whole REST client with them, and the schemes
// are a few lines each, proven by the published test vectors in test/unit/signature.test.ts.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = ['x-signalwire-signature', 'x-twilio-signature'] as const;

function hmacSha1(key: string, data: string) {
  return createHmac('sha1', key).update(data, 'utf8').digest();
}

/** Form posts (both providers): base64 HMAC-SHA1 of the URL plus every key+value, keys sorted. */
export function formSignature(key: string, url: string, params: [string, string][]): string {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return hmacSha1(key, url + sorted.map(([k, v]) => k + v).join('')).toString('base64');
}

/** SignalWire JSON bodies: hex HMAC-SHA1 of the URL followed by the raw body. */
export function bodySignature(key: string, url: string, rawBody: string): string {
  return hmacSha1(key, url + rawBody).toString('hex');
}

export const sha256Hex = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The URL as signed, with and without the scheme's default port: the providers' own validators
 * accept either, because the provider is not consistent about which one it signs.
 */
export function urlVariants(url: string): string[] {
  const u = new URL(url);
  const defaultPort = u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '';
  const withoutPort = new URL(url);
  withoutPort.port = '';
  const out = new Set<string>([url]);
  if (!u.port || u.port === defaultPort) {
    out.add(withoutPort.toString());
    // URL drops a default port it is given, so the explicit form is written by hand.
    out.add(withoutPort.toString().replace(/^(\w+:\/\/[^/?#]+)/, `$1:${defaultPort}`));
  }
  return [...out];
}

export interface SignedRequest {
  url: string;
  contentType: string;
  rawBody: string;
  /** Signature header values as received (either provider's header, or both). */
  signatures: string[];
}

/** True when any configured key signed this request under any scheme its content type allows. */
export function verifySignature(keys: string[], req: SignedRequest): boolean {
  if (keys.length === 0 || req.signatures.length === 0) return false;
  const isJson = req.contentType === 'application/json';
  const params = isJson ? [] : [...new URLSearchParams(req.rawBody)];
  let matched = false;
  for (const url of urlVariants(req.url)) {
    const bodyHash = new URL(url).searchParams.get('bodySHA256');
    for (const key of keys) {
      const candidates = isJson
        ? [
            bodySignature(key, url, req.rawBody),
            // Twilio's JSON convention: the URL carries the body's SHA-256 and is signed alone.
            ...(bodyHash !== null && same(bodyHash, sha256Hex(req.rawBody))
              ? [formSignature(key, url, [])]
              : []),
          ]
        : [formSignature(key, url, params)];
      for (const sig of req.signatures) {
        // No early return: every comparison runs, so timing says nothing about which was close.
        for (const c of candidates) matched = same(sig, c) || matched;
      }
    }
  }
  return matched;
}
