import type { Runtime } from '../runtime';
import { isOverloaded } from '../calls/ingest';
import { BadRequest, parseBody, readCapped } from './body';
import { validateCallback } from './schema';

export interface WebhookReply {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** Verify, parse, validate, store: answers 2xx only once the callback is committed. */
export async function receiveCallback(req: Request, rt: Runtime): Promise<WebhookReply> {
  let fields;
  try {
    const bytes = await readCapped(req, rt.config.WEBHOOK_MAX_BODY_BYTES);
    fields = parseBody(req.headers.get('content-type'), bytes);
  } catch (e) {
    if (e instanceof BadRequest) {
      rt.log.info({ status: e.status, field: e.field, reason: e.message }, 'callback rejected');
      return { status: e.status, body: { error: e.message, field: e.field } };
    }
    throw e;
  }
  const v = validateCallback(fields);
  if (!v.ok) {
    rt.log.info({ status: 400, field: v.field, reason: v.message }, 'callback rejected');
    return { status: 400, body: { error: v.message, field: v.field } };
  }
  try {
    const outcome = await rt.ingest.submit(v.callback);
    rt.log.debug(
      { callSid: v.callback.callSid, status: v.callback.status, outcome: outcome.kind },
      'callback',
    );
    return { status: 200, body: { ok: true, outcome: outcome.kind } };
  } catch (e) {
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
