// Reads a callback body into flat string fields, whatever the provider's encoding.
import { parse as parseJsonTree } from '@humanwhocodes/momoa';
import { callStateFields } from './call-state';

export class BadRequest extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

export type Fields = Record<string, string>;

const MAX_FIELDS = 200;

/** Reads at most `limit` bytes; larger bodies are refused before any parsing. */
export async function readCapped(req: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new BadRequest(413, null, `body is ${declared} bytes; the limit is ${limit}`);
  }
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new BadRequest(413, null, `body is over the limit of ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequest(400, null, 'body is not valid UTF-8');
  }
}

/**
 * Fields from name-value pairs: each name at most once, at most MAX_FIELDS of them. Counted as they
 * come: asking the object its size for each field cost a callback's parse the square of its fields.
 */
function fieldsOf(pairs: Iterable<readonly [string, string]>): Fields {
  const fields: Fields = Object.create(null);
  let count = 0;
  for (const [key, value] of pairs) {
    if (Object.hasOwn(fields, key)) {
      throw new BadRequest(400, key, `field ${key} appears more than once`);
    }
    if (++count > MAX_FIELDS) throw new BadRequest(400, null, `more than ${MAX_FIELDS} fields`);
    fields[key] = value;
  }
  return fields;
}

function parseForm(text: string): Fields {
  return fieldsOf(new URLSearchParams(text));
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonNode = ReturnType<typeof parseJsonTree>['body'];

// JSON.parse keeps the last of duplicate keys silently; a syntax tree shows every one of them.
function valueOf(node: JsonNode, path: string): Json {
  switch (node.type) {
    case 'Object': {
      const out: { [key: string]: Json } = Object.create(null);
      for (const { name, value } of node.members) {
        const key = name.type === 'String' ? name.value : name.name;
        const at = path ? `${path}.${key}` : key;
        if (Object.hasOwn(out, key)) throw new BadRequest(400, at, `field ${at} appears more than once`);
        out[key] = valueOf(value, at);
      }
      return out;
    }
    case 'Array':
      return node.elements.map((e, i) => valueOf(e.value, `${path}.${i}`));
    case 'String':
    case 'Number':
    case 'Boolean':
      return node.value;
    case 'Null':
      return null;
    default:
      throw new BadRequest(400, path || null, 'body is not valid JSON');
  }
}

const NOT_A_CALLBACK = 'not a SignalWire or Twilio status callback';

function parseJson(text: string): Fields {
  let doc;
  try {
    doc = parseJsonTree(text, { mode: 'json', ranges: false, tokens: false });
  } catch {
    throw new BadRequest(400, null, 'body is not valid JSON');
  }
  if (doc.body.type !== 'Object') {
    throw new BadRequest(400, null, `${NOT_A_CALLBACK}: the JSON body must be an object of fields`);
  }
  const body = valueOf(doc.body, '') as { [key: string]: Json };
  const nested = Object.entries(body).find(([, v]) => typeof v === 'object' && v !== null);
  if (nested) {
    // SignalWire's call-state events (SWML, RELAY) nest the call: read onto the same fields.
    const fields = callStateFields(body);
    if (!fields) {
      throw new BadRequest(
        400,
        nested[0],
        `${NOT_A_CALLBACK}: field ${nested[0]} holds ${Array.isArray(nested[1]) ? 'a list' : 'an object'}, ` +
          'and the body is not a SignalWire call-state event (params.call_id and params.call_state)',
      );
    }
    if (Object.keys(fields).length > MAX_FIELDS)
      throw new BadRequest(400, null, `more than ${MAX_FIELDS} fields`);
    return fields;
  }
  // null is "not reported", as an empty form field is.
  return fieldsOf(
    Object.entries(body).map(([key, value]) => [key, value === null ? '' : String(value)] as const),
  );
}

/** A GET callback's fields: its query string. */
export function parseQuery(search: string): Fields {
  const query = search.replace(/^\?/, '');
  if (query === '')
    throw new BadRequest(400, null, 'a GET callback carries its fields in the query string; it has none');
  return parseForm(query);
}

/** Parses by Content-Type: form-encoded (what SignalWire and Twilio send) or JSON. */
export function parseBody(contentType: string | null, bytes: Uint8Array): Fields {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' && type !== 'application/json') {
    throw new BadRequest(
      415,
      null,
      `Content-Type must be application/x-www-form-urlencoded or application/json, not ${type || 'missing'}`,
    );
  }
  if (bytes.byteLength === 0) throw new BadRequest(400, null, 'body is empty');
  const text = decodeUtf8(bytes);
  return type === 'application/json' ? parseJson(text) : parseForm(text);
}
