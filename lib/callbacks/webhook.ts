import type { Runtime } from '../runtime';
import { signingKeys, signingMode, UNCONFIGURED_MESSAGE, type Config } from '../config';
import {
  SHA256_SIGNATURE_HEADER,
  SIGNATURE_HEADERS,
  TWILIO_SIGNATURE_SETTINGS_HEADER,
  twilioSettingsHash,
  verifySignature,
  type HmacHash,
} from './signature';
import { isOverloaded } from '../calls/overload';
import { BadRequest, parseBody, parseQuery, readCapped } from './body';
import { callStateOf } from './call-state';
import { validateCallback } from './schema';
import { publicBase, REQUEST_TARGET_HEADER } from '../auth/policy';

export interface WebhookReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The path and query the provider called, exactly as sent (the gate passes them on). */
function requestTarget(req: Request): string {
  const raw = req.headers.get(REQUEST_TARGET_HEADER);
  if (raw) return raw;
  const { pathname, search } = new URL(req.url);
  return pathname + search;
}

/**
 * The URLs the provider may have signed, the likeliest first: the path and query exactly as
 * received, then as parsed (re-encoded), for a proxy that normalises the URL on its way. Behind a
 * proxy or tunnel the server sees another origin: PUBLIC_URL names the public one, or TRUST_PROXY
 * takes it from X-Forwarded-Proto/-Host.
 */
export function signedUrls(req: Request, config: Config): string[] {
  const { pathname, search } = new URL(req.url);
  const base = publicBase(req.headers, { publicUrl: config.PUBLIC_URL, trustProxy: config.TRUST_PROXY });
  return [...new Set([base + requestTarget(req), base + pathname + search])];
}

function checkSignature(req: Request, rt: Runtime, bytes: Uint8Array): WebhookReply | null {
  const refused = refusal(req, rt, bytes);
  if (refused) rt.counters.count('signatureFailures');
  return refused;
}

/**
 * The signatures to check and the keys to check them with. A Twilio SharedKey setting header
 * means Twilio signed X-Twilio-Signature with the SharedKey, by the algorithm the header names:
 * only TWILIO_SHARED_KEY_SECRET can verify that, as in Twilio's own validator.
 */
function signaturesOf(
  req: Request,
  config: Config,
): { keys: string[]; signatures: string[]; sha256Signatures: string[]; hash: HmacHash } | WebhookReply {
  const present = (h: string) => req.headers.get(h) || null;
  const settings = req.headers.get(TWILIO_SIGNATURE_SETTINGS_HEADER);
  if (settings === null) {
    return {
      keys: signingKeys(config),
      signatures: SIGNATURE_HEADERS.map(present).filter((s): s is string => s !== null),
      sha256Signatures: [present(SHA256_SIGNATURE_HEADER)].filter((s): s is string => s !== null),
      hash: 'sha1',
    };
  }
  const hash = twilioSettingsHash(settings);
  if (hash === null) {
    return {
      status: 403,
      body: { error: 'unsupported signature algorithm in X-Twilio-Webhooks-Signature-Settings' },
    };
  }
  if (!config.TWILIO_SHARED_KEY_SECRET) {
    return {
      status: 403,
      body: { error: 'signed with a Twilio SharedKey: set TWILIO_SHARED_KEY_SECRET to its secret' },
    };
  }
  const twilio = present('x-twilio-signature');
  if (twilio === null) return { status: 403, body: { error: 'missing X-Twilio-Signature header' } };
  return { keys: [config.TWILIO_SHARED_KEY_SECRET], signatures: [twilio], sha256Signatures: [], hash };
}

function refusal(req: Request, rt: Runtime, bytes: Uint8Array): WebhookReply | null {
  const signed = signaturesOf(req, rt.config);
  if ('status' in signed) {
    rt.log.warn({ status: signed.status }, `callback refused: ${String(signed.body.error)}`);
    return signed;
  }
  const { keys, signatures, sha256Signatures, hash } = signed;
  if (signatures.length + sha256Signatures.length === 0) {
    rt.log.warn({ status: 403 }, 'callback refused: no signature header');
    return { status: 403, body: { error: 'missing X-SignalWire-Signature or X-Twilio-Signature header' } };
  }
  let urls: string[];
  try {
    urls = signedUrls(req, rt.config);
    for (const url of urls) new URL(url); // throws when a forwarded host is not a host
  } catch {
    // A forwarded host that is not a host (TRUST_PROXY) cannot be the URL the provider signed.
    rt.log.warn({ status: 403 }, 'callback refused: the forwarded host does not make a URL');
    return { status: 403, body: { error: 'signature does not match' } };
  }
  // A GET callback carries its fields in the signed URL's query: the signature covers the URL alone.
  const contentType =
    req.method === 'GET' ? '' : (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const rawBody = new TextDecoder().decode(bytes);
  const ok = urls.some((url) =>
    verifySignature(keys, { url, contentType, rawBody, signatures, sha256Signatures, hash }),
  );
  if (ok) return null;
  // The URL is logged because a proxy rewriting it is the usual cause; the signature never is,
  // nor the query's values (a GET callback carries the callers' numbers there) or credentials.
  rt.log.warn({ status: 403, url: urlForLog(urls[0]!) }, 'callback refused: signature does not match');
  return { status: 403, body: { error: 'signature does not match' } };
}

/** A URL with any credentials and every query value left out: what the log may show of it. */
export function urlForLog(url: string): string {
  const u = new URL(url);
  if (u.username || u.password) {
    u.username = '***';
    u.password = '';
  }
  const keys = [...new Set(u.searchParams.keys())];
  u.search = '';
  return (
    u.toString() + (keys.length > 0 ? `?${keys.map((k) => `${encodeURIComponent(k)}=…`).join('&')}` : '')
  );
}

/** Verify, parse, validate, store: answers 2xx only once the callback is committed. */
export async function receiveCallback(req: Request, rt: Runtime): Promise<WebhookReply> {
  const mode = signingMode(rt.config);
  if (mode === 'unconfigured') return { status: 503, body: { error: UNCONFIGURED_MESSAGE } };
  let fields;
  try {
    // Both providers can send status callbacks as GET, their fields in the query string.
    const get = req.method === 'GET';
    if (get && requestTarget(req).length > rt.config.WEBHOOK_MAX_BODY_BYTES) {
      throw new BadRequest(
        413,
        null,
        `the URL is over the limit of ${rt.config.WEBHOOK_MAX_BODY_BYTES} bytes`,
      );
    }
    const bytes = get ? new Uint8Array() : await readCapped(req, rt.config.WEBHOOK_MAX_BODY_BYTES);
    if (mode === 'enforced') {
      const refused = checkSignature(req, rt, bytes);
      if (refused) return refused;
    }
    fields = get ? parseQuery(new URL(req.url).search) : parseBody(req.headers.get('content-type'), bytes);
  } catch (e) {
    if (e instanceof BadRequest) {
      rt.counters.count('rejected');
      rt.log.info({ status: e.status, field: e.field, reason: e.message }, 'callback rejected');
      return { status: e.status, body: { error: e.message, field: e.field } };
    }
    throw e;
  }
  if (callStateOf(fields) === 'ending') return { status: 200, body: { ok: true, outcome: 'ignored' } };
  const v = validateCallback(fields);
  if (!v.ok) {
    rt.counters.count('rejected');
    rt.log.info({ status: 400, field: v.field, reason: v.message }, 'callback rejected');
    return { status: 400, body: { error: v.message, field: v.field } };
  }
  try {
    const outcome = await rt.ingest.submit(v.callback);
    rt.counters.count(outcome.kind === 'duplicate' ? 'duplicates' : 'accepted');
    const { dropped } = v.callback;
    // Per callback, as `accepted` counts: a retry of one with a dropped field is not a second one.
    if (dropped.length > 0 && outcome.kind !== 'duplicate') {
      for (const d of dropped) rt.counters.drop(d.field);
      rt.log.info({ callSid: v.callback.callSid, dropped }, 'callback stored without malformed fields');
    }
    rt.log.debug(
      { callSid: v.callback.callSid, status: v.callback.status, outcome: outcome.kind },
      'callback',
    );
    return {
      status: 200,
      body:
        dropped.length > 0
          ? { ok: true, outcome: outcome.kind, dropped }
          : { ok: true, outcome: outcome.kind },
    };
  } catch (e) {
    rt.counters.count('deferred');
    if (isOverloaded(e)) {
      rt.log.warn({ backlog: rt.ingest.backlog }, 'ingest queue full: asking the provider to retry');
      return {
        status: 503,
        body: { error: 'busy: retry later' },
        headers: { 'Retry-After': '1' },
      };
    }
    rt.log.error({ err: e }, 'callback could not be stored');
    return {
      status: 503,
      body: { error: 'the store is unavailable: retry later' },
      headers: { 'Retry-After': '5' },
    };
  }
}
