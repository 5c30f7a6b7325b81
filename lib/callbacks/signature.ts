// Webhook signatures as SignalWire and Twilio compute them (docs/webhook.md, Signatures).
// Written here rather than taken from a provider SDK: the only packages that export a validator
// (twilio, @signalwire/compatibility-api) bring a whole REST client with them, and the schemes
// are a few lines each, proven by the published test vectors in test/unit/signature.test.ts.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The SHA-1 signature headers: SignalWire's, and Twilio's (which SignalWire also sends on cXML). */
export const SIGNATURE_HEADERS = ['x-signalwire-signature', 'x-twilio-signature'] as const;

/** SignalWire's HMAC-SHA256 signature, sent beside the SHA-1 one on SWML and RELAY requests. */
export const SHA256_SIGNATURE_HEADER = 'x-signalwire-sha256-signature';

/**
 * Present when Twilio signed with a SharedKey (a Webhook Setting) instead of the Auth Token:
 * `key=<SharedKey id>,algorithm=HMAC_SHA256`. The signature stays in X-Twilio-Signature.
 */
export const TWILIO_SIGNATURE_SETTINGS_HEADER = 'x-twilio-webhooks-signature-settings';

export type HmacHash = 'sha1' | 'sha256';

function hmac(hash: HmacHash, key: string, data: string) {
  return createHmac(hash, key).update(data, 'utf8').digest();
}

/**
 * Form posts (both providers): base64 HMAC of the URL plus every key+value, keys sorted. SHA-1,
 * unless a Twilio SharedKey setting names HMAC-SHA256.
 */
export function formSignature(
  key: string,
  url: string,
  params: [string, string][],
  hash: HmacHash = 'sha1',
): string {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return hmac(hash, key, url + sorted.map(([k, v]) => k + v).join('')).toString('base64');
}

/** SignalWire JSON bodies: hex HMAC-SHA1 of the URL followed by the raw body. */
export function bodySignature(key: string, url: string, rawBody: string): string {
  return hmac('sha1', key, url + rawBody).toString('hex');
}

/** X-SignalWire-SHA256-Signature: the same message as bodySignature, hex HMAC-SHA256. */
export function bodySignatureSha256(key: string, url: string, rawBody: string): string {
  return hmac('sha256', key, url + rawBody).toString('hex');
}

export const sha256Hex = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

/**
 * The hash a Twilio SharedKey setting header names (its `algorithm=`; none means HMAC_SHA1, as
 * Twilio's own package reads it), or null for an algorithm this server does not know.
 */
export function twilioSettingsHash(header: string): HmacHash | null {
  let algorithm = '';
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === 'algorithm') {
      algorithm = part.slice(eq + 1).trim();
      if (algorithm) break;
    }
  }
  switch (algorithm.toUpperCase()) {
    case '':
    case 'HMAC_SHA1':
      return 'sha1';
    case 'HMAC_SHA256':
      return 'sha256';
    default:
      return null;
  }
}

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
  /** SHA-1 signature header values as received (either provider's header, or both). */
  signatures: string[];
  /** X-SignalWire-SHA256-Signature values: hex HMAC-SHA256 of the URL followed by the raw body. */
  sha256Signatures?: string[];
  /**
   * The hash `signatures` were made with: SHA-1, unless a Twilio SharedKey setting names
   * HMAC-SHA256. A SharedKey signature is Twilio's, so it is checked only as Twilio signs.
   */
  hash?: HmacHash;
}

/**
 * True when any configured key signed this request under any scheme its content type allows. One
 * signature that verifies is enough, whichever header carries it: SignalWire's own validators
 * check X-SignalWire-SHA256-Signature first and, when it is missing or does not match, let the
 * SHA-1 header decide.
 */
export function verifySignature(keys: string[], req: SignedRequest): boolean {
  const sha256Signatures = req.sha256Signatures ?? [];
  if (keys.length === 0 || req.signatures.length + sha256Signatures.length === 0) return false;
  const hash = req.hash ?? 'sha1';
  const isJson = req.contentType === 'application/json';
  const params = isJson ? [] : [...new URLSearchParams(req.rawBody)];
  let matched = false;
  for (const url of urlVariants(req.url)) {
    const bodyHash = new URL(url).searchParams.get('bodySHA256');
    for (const key of keys) {
      const candidates = isJson
        ? [
            // SignalWire's hex scheme is SHA-1 only; a SharedKey (SHA-256) signature is Twilio's.
            ...(hash === 'sha1' ? [bodySignature(key, url, req.rawBody)] : []),
            // Twilio's JSON convention: the URL carries the body's SHA-256 and is signed alone.
            ...(bodyHash !== null && same(bodyHash, sha256Hex(req.rawBody))
              ? [formSignature(key, url, [], hash)]
              : []),
          ]
        : [formSignature(key, url, params, hash)];
      // No early return: every comparison runs, so timing says nothing about which was close.
      for (const sig of req.signatures) {
        for (const c of candidates) matched = same(sig, c) || matched;
      }
      // SignalWire's SHA-256 header signs the URL and the raw body whatever the content type, and is
      // compared with that alone: a SHA-1 signature placed in it does not count.
      if (sha256Signatures.length > 0) {
        const expected = bodySignatureSha256(key, url, req.rawBody);
        for (const sig of sha256Signatures) matched = same(sig, expected) || matched;
      }
    }
  }
  return matched;
}
