// SignalWire's call-state callbacks (SWML `connect` with `call_state_url`, RELAY and Call Fabric
// `calling.call.state` events), read onto the fields a cXML status callback carries, so that both
// formats feed one board. The shape and the state names are in docs/webhook.md.
/** Flat string fields, as body.ts reads every callback. */
type Fields = Record<string, string>;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The call a body reports on: `params` of a call-state event, or `call` of a SWML request. */
function callOf(body: JsonObject): JsonObject | null {
  for (const key of ['params', 'call'] as const) {
    const c = body[key];
    if (isObject(c) && typeof c.call_id === 'string' && typeof c.call_state === 'string') return c;
  }
  return null;
}

/**
 * The call state a parsed call-state body reported, if it is one. `ending` says no more than
 * `answered` did and `ended` will: the webhook acknowledges it without storing it, so that it is
 * neither a second event of the call nor counted as a retry.
 */
export function callStateOf(fields: Fields): string | undefined {
  return fields['params.call_state'] ?? fields['call.call_state'];
}

const text = (v: Json | undefined): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** Epoch milliseconds from a call-state time (ms in `params`; seconds with a fraction at the top). */
const millis = (v: Json | undefined, unit: 'ms' | 's' = 'ms'): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0
    ? unit === 's'
      ? Math.round(v * 1000)
      : v
    : undefined;

/**
 * How an ended call ended, in the cXML status names: answered calls completed; the others by the
 * `end_reason` SignalWire gives.
 */
function endedStatus(answered: boolean, reason: string | undefined): string {
  if (answered) return 'completed';
  switch (reason) {
    case 'busy':
    case 'decline':
      return 'busy';
    case 'noAnswer':
    case 'timeout':
      return 'no-answer';
    case 'cancel':
    case 'hangup':
      // Hung up before anyone answered: the caller gave up.
      return 'canceled';
    default:
      return 'failed';
  }
}

/** The cXML status a call state stands for; `ending` is still in progress until `ended`. */
function statusOf(state: string, answered: boolean, reason: string | undefined): string {
  switch (state) {
    case 'created':
      return 'initiated';
    case 'ringing':
      return 'ringing';
    case 'answered':
    case 'ending':
      return answered || state === 'answered' ? 'in-progress' : 'ringing';
    case 'ended':
      return endedStatus(answered, reason);
    default:
      // Not a state this product knows: validation names it.
      return state;
  }
}

/** A call-state event's order: a retry or a late delivery is recognised as for SequenceNumber. */
const ORDER: Record<string, number> = { created: 0, ringing: 1, answered: 2, ending: 3, ended: 4 };

/** Every value of the body under its dotted path, as text: the raw callback the store keeps. */
function flatten(value: Json, path: string, out: Fields) {
  if (isObject(value)) for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${path}.${i}`, out));
  else out[path] = value === null ? '' : String(value);
}

/**
 * The fields of a cXML status callback for a call-state body, beside its raw values under their
 * dotted paths; null when the body is not a call-state callback.
 */
export function callStateFields(body: JsonObject): Fields | null {
  const call = callOf(body);
  if (!call) return null;
  const device = isObject(call.device) ? call.device : {};
  const deviceParams = isObject(device.params) ? device.params : {};
  const parent = isObject(call.parent) ? call.parent : {};
  const state = String(call.call_state);
  const start = millis(call.start_time);
  const answer = millis(call.answer_time);
  const end = millis(call.end_time);
  const at =
    (state === 'ended' || state === 'ending' ? end : state === 'answered' ? answer : undefined) ??
    millis(body.timestamp, 's') ??
    start;
  const fields: Fields = Object.create(null);
  flatten(body, '', fields);
  const set = (key: string, v: string | undefined) => {
    if (v !== undefined && v !== '') fields[key] = v;
  };
  set('CallSid', call.call_id as string);
  set('CallStatus', statusOf(state, answer !== undefined, text(call.end_reason)));
  set('AccountSid', text(body.project_id) ?? text(call.project_id));
  set('From', text(deviceParams.from_number) ?? text(call.from_number) ?? text(call.from));
  set('To', text(deviceParams.to_number) ?? text(call.to_number) ?? text(call.to));
  set('Direction', text(call.direction));
  set('ParentCallSid', text(parent.call_id));
  if (at !== undefined) {
    // A time no date can hold is passed on as sent, for validation to drop and name.
    const date = new Date(at);
    set('Timestamp', Number.isFinite(date.getTime()) ? date.toISOString() : String(at));
  }
  if (state === 'ended') {
    // Talk time, as CallDuration is: from the answer to the end; an unanswered call talked 0 s,
    // and an answered one whose end is not given has no known duration.
    if (answer === undefined) set('CallDuration', '0');
    else if (end !== undefined) set('CallDuration', String(Math.max(0, Math.round((end - answer) / 1000))));
  }
  if (state in ORDER) set('SequenceNumber', String(ORDER[state]));
  return fields;
}
