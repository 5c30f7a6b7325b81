import type { Runtime } from '../runtime';
import { signingKeys, signingMode, UNCONFIGURED_MESSAGE, type Config } from '../config';
import { SIGNATURE_HEADERS, verifySignature } from './signature';
import { isOverloaded } from '../calls/overload';
import { BadRequest, parseBody, readCapped } from './body';
import { validateCallback } from './schema';
import { publicBase } from '../auth/policy';

export interface WebhookReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * The URL the provider signed. Behind a proxy or tunnel the server sees another one: PUBLIC_URL
 * names the public origin, or TRUST_PROXY takes it from X-Forwarded-Proto/-Host.
 */
export function signedUrl(req: Request, config: Config): string {
  const { pathname, search } = new URL(req.url);
  const base = publicBase(req.headers, { publicUrl: config.PUBLIC_URL, trustProxy: config.TRUST_PROXY });
  return base + pathname + search;
}

function checkSignature(req: Request, rt: Runtime, bytes: Uint8Array): WebhookReply | null {
  const refused = refusal(req, rt, bytes);
  if (refused) rt.counters.count('signatureFailures');
  return refused;
}

function refusal(req: Request, rt: Runtime, bytes: Uint8Array): WebhookReply | null {
  const signatures = SIGNATURE_HEADERS.map((h) => req.headers.get(h)).filter((s): s is string => Boolean(s));
  if (signatures.length === 0) {
    rt.log.warn({ status: 403 }, 'callback refused: no signature header');
    return { status: 403, body: { error: 'missing X-SignalWire-Signature or X-Twilio-Signature header' } };
  }
  let url: string;
  try {
    url = signedUrl(req, rt.config);
    new URL(url); // throws when a forwarded host is not a host
  } catch {
    // A forwarded host that is not a host (TRUST_PROXY) cannot be the URL the provider signed.
    rt.log.warn({ status: 403 }, 'callback refused: the forwarded host does not make a URL');
    return { status: 403, body: { error: 'signature does not match' } };
  }
  const ok = verifySignature(signingKeys(rt.config), {
    url,
    contentType: (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase(),
    rawBody: new TextDecoder().decode(bytes),
    signatures,
  });
  if (ok) return null;
  // The URL is logged because a proxy rewriting it is the usual cause; the signature never is.
  rt.log.warn({ status: 403, url }, 'callback refused: signature does not match');
  return { status: 403, body: { error: 'signature does not match' } };
}

/** Verify, parse, validate, store: answers 2xx only once the callback is committed. */
export async function receiveCallback(req: Request, rt: Runtime): Promise<WebhookReply> {
  const mode = signingMode(rt.config);
  if (mode === 'unconfigured') return { status: 503, body: { error: UNCONFIGURED_MESSAGE } };
  let fields;
  try {
    const bytes = await readCapped(req, rt.config.WEBHOOK_MAX_BODY_BYTES);
    if (mode === 'enforced') {
      const refused = checkSignature(req, rt, bytes);
      if (refused) return refused;
    }
    fields = parseBody(req.headers.get('content-type'), bytes);
  } catch (e) {
    if (e instanceof BadRequest) {
      rt.counters.count('rejected');
      rt.log.info({ status: e.status, field: e.field, reason: e.message }, 'callback rejected');
      return { status: e.status, body: { error: e.message, field: e.field } };
    }
    throw e;
  }
  const v = validateCallback(fields);
  if (!v.ok) {
    rt.counters.count('rejected');
    rt.log.info({ status: 400, field: v.field, reason: v.message }, 'callback rejected');
    return { status: 400, body: { error: v.message, field: v.field } };
  }
  try {
    const outcome = await rt.ingest.submit(v.callback);
    rt.counters.count(outcome.kind === 'duplicate' ? 'duplicates' : 'accepted');
    rt.log.debug(
      { callSid: v.callback.callSid, status: v.callback.status, outcome: outcome.kind },
      'callback',
    );
    return { status: 200, body: { ok: true, outcome: outcome.kind } };
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
