// Live push: socket.io boards on their own thread, and signed callbacks timed from sending to arrival.
import { Worker } from 'node:worker_threads';
import type { RunningServer } from '../../test/helpers/server';
import { WEBHOOK, fmt, log, pct, postCallback, signedCallback, sleep } from './common';
import { LIVE_SECONDS } from './options';

/** The live push's rates, tried from the lowest until p99 misses its budget. */
const LIVE_RATES = [100, 200, 300, 400, 500, 600, 800, 1000];
export const LIVE_BUDGET_MS = 25;
export const BOARDS = 50;

/**
 * `clients` socket.io boards on `server`, signed in as its admin, in a worker thread (see
 * bench-clients.mjs); resolves once all are connected. With `record`, `finish` gives each call's
 * arrival times on every board; without, only how many deliveries arrived in all.
 */
export async function startBoards(server: RunningServer, { clients = BOARDS, record = true } = {}) {
  const worker = new Worker(new URL('../bench-clients.mjs', import.meta.url), {
    workerData: { url: server.url, clients, cookie: server.cookie, record },
  });
  const message = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  await message(); // every client connected
  return {
    async finish() {
      worker.postMessage({ done: true });
      const { arrivals, delivered } = (await message()) as {
        arrivals: [string, number[]][];
        delivered: number;
      };
      await worker.terminate();
      return { arrivals: new Map(arrivals), delivered };
    },
  };
}

/**
 * 50 socket.io boards on `server` (on their own thread) and signed callbacks to `sendTo` (by default
 * the same instance) at `rate` a second for `seconds`: each delivery is timed from sending the
 * callback to its arrival on a board, the delay a supervisor sees, acknowledgement included.
 */
export async function liveLatency(
  server: RunningServer,
  rate: number,
  { sendTo = server, seconds = LIVE_SECONDS }: { sendTo?: RunningServer; seconds?: number } = {},
) {
  const boards = await startBoards(server);
  const now = () => performance.timeOrigin + performance.now();
  const sentAt = new Map<string, number>();
  const acked = new Set<string>();
  const url = `${sendTo.url}${WEBHOOK}`;
  const send = async () => {
    const c = signedCallback(url);
    sentAt.set(c.fields.CallSid!, now());
    // A callback the server could not take (refused, or not even connected) is counted, not thrown:
    // past the highest sustainable rate that is what happens, and the table must still print.
    try {
      if (await postCallback(url, c)) acked.add(c.fields.CallSid!);
    } catch {
      // counted as refused below
    }
  };
  // Sent in ticks of 10 ms: rate / 100 callbacks each.
  const inflight: Promise<void>[] = [];
  const end = performance.now() + seconds * 1000;
  let due = performance.now();
  let owed = 0;
  while (performance.now() < end) {
    owed += rate / 100;
    for (; owed >= 1; owed--) inflight.push(send());
    due += 10;
    await sleep(due - performance.now());
  }
  await Promise.all(inflight);
  await sleep(1000); // the last events on their way
  const { arrivals: got } = await boards.finish();
  const fromSend: number[] = [];
  let missing = 0;
  for (const sid of acked) {
    const times = got.get(sid) ?? [];
    missing += BOARDS - times.length;
    for (const t of times) fromSend.push(t - sentAt.get(sid)!);
  }
  return {
    p50: pct(fromSend, 0.5),
    p99: pct(fromSend, 0.99),
    missing,
    refused: sentAt.size - acked.size,
    rate: sentAt.size / seconds,
  };
}

/** The highest of LIVE_RATES at which every board gets every call within the budget at p99. */
export async function liveCeiling(server: RunningServer) {
  const runs: { rate: number; p50: number; p99: number; missing: number; refused: number }[] = [];
  for (const rate of LIVE_RATES) {
    const r = await liveLatency(server, rate);
    runs.push({ ...r, rate });
    log(
      `live at ${rate}/s: p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, missing ${r.missing}, refused ${r.refused}`,
    );
    if (r.p99 > LIVE_BUDGET_MS || r.missing > 0 || r.refused > 0) break;
  }
  const held = runs.filter((r) => r.p99 <= LIVE_BUDGET_MS && r.missing === 0 && r.refused === 0);
  // 500/s is reported whatever happened below it.
  let at500 = runs.find((r) => r.rate === 500);
  if (!at500) {
    at500 = { ...(await liveLatency(server, 500)), rate: 500 };
    log(`live at 500/s: p50 ${fmt(at500.p50, 1)} ms, p99 ${fmt(at500.p99, 1)} ms, missing ${at500.missing}`);
  }
  return { ceiling: held.length ? held[held.length - 1]!.rate : 0, runs, at500 };
}
