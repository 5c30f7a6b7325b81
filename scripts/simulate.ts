// POSTs realistic status callbacks to a running wallboard, signed the way SignalWire signs them
// with SIGNALWIRE_SIGNING_KEY (or TWILIO_AUTH_TOKEN) from the environment.
// Usage: npm run simulate -- [--url http://127.0.0.1:3000] [--rate 5] [--minutes 10] [--count N]
//   [--backfill-hours H]   spread the calls over the last H hours, sent as fast as possible
// About 5% of callbacks are delivered twice (a provider retry) and 3% of calls get a late,
// earlier status after their final one, so the board's duplicate and disorder handling shows.
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { formSignature } from '../lib/callbacks/signature';
import { syntheticCallback } from '../lib/calls/synthetic';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.WALLBOARD_URL ?? 'http://127.0.0.1:3000' },
    rate: { type: 'string', default: '5' },
    minutes: { type: 'string', default: '10' },
    count: { type: 'string' },
    'backfill-hours': { type: 'string', default: '0' },
  },
});

const url = new URL('/api/webhooks/call-status', values.url).toString();
const rate = Math.max(0.1, Number(values.rate));
const limit = values.count ? Number(values.count) : Math.round(rate * 60 * Number(values.minutes));
const backfillMs = Number(values['backfill-hours']) * 3_600_000;

const ACCOUNT = randomUUID();

const key = process.env.SIGNALWIRE_SIGNING_KEY || process.env.TWILIO_AUTH_TOKEN;
if (!key) console.error('no SIGNALWIRE_SIGNING_KEY or TWILIO_AUTH_TOKEN set: sending unsigned callbacks');

async function post(fields: Record<string, string>): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(key ? { 'X-SignalWire-Signature': formSignature(key, url, Object.entries(fields)) } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

let sent = 0;
let failures = 0;
const started = Date.now();
for (let i = 0; i < limit; i++) {
  const at = new Date(Date.now() - (backfillMs ? Math.random() * backfillMs : 0));
  const fields = syntheticCallback(at, Math.random, ACCOUNT);
  const status = await post(fields);
  sent++;
  if (status >= 300) {
    failures++;
    if (failures === 1)
      console.error(`the wallboard answered ${status}; is the signing key the same on both sides?`);
  }
  // Providers retry: now and then the same callback arrives twice.
  if (Math.random() < 0.05) await post(fields);
  // And deliveries race: now and then an earlier status of the call arrives after its final one,
  // stamped a little earlier. The board records it and changes nothing.
  if (Math.random() < 0.03) {
    const earlier = new Date(at.getTime() - 5_000).toUTCString().replace('GMT', '+0000');
    await post({ ...fields, CallStatus: 'in-progress', Timestamp: earlier, CallDuration: '0' });
  }
  if (!backfillMs) {
    const due = started + ((i + 1) * 1000) / rate;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
}
console.log(JSON.stringify({ url, sent, failures, seconds: (Date.now() - started) / 1000 }));
