// POSTs realistic callbacks to a running wallboard, signed the way SignalWire signs them with
// SIGNALWIRE_SIGNING_KEY (or TWILIO_AUTH_TOKEN) from the environment.
// Usage: npm run simulate -- [--url http://127.0.0.1:3000] [--rate 5] [--minutes 10] [--count N]
//   [--backfill-hours H]   spread the calls over the last H hours, sent as fast as possible
//   [--format cxml|swml]   cXML status callbacks (form posts, the default) or SWML call-state
//                          events (JSON)
// --rate and --count count calls. Each call is sent as SignalWire reports it: every event of the
// call (initiated, ringing, in-progress, then its final status with SequenceNumber 0..3, or the
// call states created, ringing, answered, ending, ended), with the full field set of the final one
// (SIP code, duration, MOS and the inbound audio counters). About 15% of the completed calls are
// forwarded to an agent, which adds a child leg with its own CallSid and ParentCallSid. About 5% of
// callbacks are delivered twice (a provider retry) and 3% of calls get an earlier status after
// their final one, so the board's duplicate and disorder handling shows.
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { bodySignature, formSignature } from '../lib/callbacks/signature';
import { callStateEvents, statusCallbacks, syntheticCall } from '../lib/calls/synthetic';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.WALLBOARD_URL ?? 'http://127.0.0.1:3000' },
    rate: { type: 'string', default: '5' },
    minutes: { type: 'string', default: '10' },
    count: { type: 'string' },
    'backfill-hours': { type: 'string', default: '0' },
    format: { type: 'string', default: 'cxml' },
  },
});

const format = values.format;
if (format !== 'cxml' && format !== 'swml') {
  console.error(`--format is cxml or swml, not ${format}`);
  process.exit(2);
}
const url = new URL('/api/webhooks/call-status', values.url).toString();
const rate = Math.max(0.1, Number(values.rate));
const limit = values.count ? Number(values.count) : Math.round(rate * 60 * Number(values.minutes));
const backfillMs = Number(values['backfill-hours']) * 3_600_000;

const ACCOUNT = randomUUID();
const SPACE = randomUUID();

const key = process.env.SIGNALWIRE_SIGNING_KEY || process.env.TWILIO_AUTH_TOKEN;
if (!key) console.error('no SIGNALWIRE_SIGNING_KEY or TWILIO_AUTH_TOKEN set: sending unsigned callbacks');

/** One request as it goes out, with what the late-delivery race needs to know about it. */
interface Delivery {
  contentType: string;
  body: string;
  signature: string | undefined;
  callSid: string;
  /** The status or call state it reports. */
  state: string;
}

function formDelivery(fields: Record<string, string>): Delivery {
  return {
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(fields).toString(),
    signature: key ? formSignature(key, url, Object.entries(fields)) : undefined,
    callSid: fields.CallSid!,
    state: fields.CallStatus!,
  };
}

function jsonDelivery(event: ReturnType<typeof callStateEvents>[number]): Delivery {
  const body = JSON.stringify(event);
  return {
    contentType: 'application/json',
    body,
    signature: key ? bodySignature(key, url, body) : undefined,
    callSid: event.params.call_id,
    state: event.params.call_state,
  };
}

/** The events an answered or an unanswered call reports before its final one, latest first. */
const EARLIER = ['in-progress', 'answered', 'ringing'];

/**
 * Deliveries race: the inbound call's last event before its final one (in-progress or answered,
 * else ringing) arrives after the final one. The board records it and changes nothing.
 */
function raced(deliveries: Delivery[], parentSid: string): Delivery[] {
  const own = deliveries.filter((d) => d.callSid === parentSid);
  const moved = EARLIER.map((s) => own.find((d) => d.state === s)).find((d) => d !== undefined);
  if (!moved) return deliveries;
  const rest = deliveries.filter((d) => d !== moved);
  const final = rest.indexOf(own.at(-1)!);
  return [...rest.slice(0, final + 1), moved, ...rest.slice(final + 1)];
}

let posts = 0;
let failures = 0;
let dropped = 0;

async function post(d: Delivery) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': d.contentType,
      ...(d.signature ? { 'X-SignalWire-Signature': d.signature } : {}),
    },
    body: d.body,
  });
  const text = await res.text();
  posts++;
  if (res.status >= 300) {
    failures++;
    if (failures === 1)
      console.error(
        `the wallboard answered ${res.status}; is the signing key the same on both sides? ${text}`,
      );
    return;
  }
  // A stored callback with fields left out: the simulator sent something the product calls malformed.
  if (text.includes('"dropped"')) {
    dropped++;
    if (dropped === 1) console.error(`the wallboard dropped fields: ${text}`);
  }
}

const started = Date.now();
for (let i = 0; i < limit; i++) {
  const at = new Date(Date.now() - (backfillMs ? Math.random() * backfillMs : 0));
  const call = syntheticCall(at, Math.random, ACCOUNT);
  let deliveries =
    format === 'swml'
      ? callStateEvents(call, { spaceId: SPACE }).map(jsonDelivery)
      : statusCallbacks(call).map(formDelivery);
  if (Math.random() < 0.03) deliveries = raced(deliveries, call.parent.callSid);
  for (const d of deliveries) {
    await post(d);
    // Providers retry: now and then the same callback arrives twice.
    if (Math.random() < 0.05) await post(d);
  }
  if (!backfillMs) {
    const due = started + ((i + 1) * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
}
console.log(
  JSON.stringify({
    url,
    format,
    calls: limit,
    posts,
    failures,
    dropped,
    seconds: (Date.now() - started) / 1000,
  }),
);
