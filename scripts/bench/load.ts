// Load on the webhook: autocannon at full speed, interleaved pairs of runs, and a steady rate.
import autocannon from 'autocannon';
import type { RunningServer } from '../../test/helpers/server';
import { readFileSync } from 'node:fs';
import { WEBHOOK, fmt, log, median, pct, postCallback, signedCallback, sleep } from './common';
import { LOAD_SECONDS, ROUNDS } from './options';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** `connections` connections of signed, distinct callbacks for `seconds`, against `path`. */
export async function load(
  server: RunningServer,
  path: string,
  seconds: number,
  connections = 32,
): Promise<LoadResult> {
  const url = `${server.url}${path}`;
  const signedFor = `${server.url}${WEBHOOK}`;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requests: [
      {
        setupRequest: (req) => {
          const c = signedCallback(signedFor);
          return { ...req, body: c.body, headers: { ...req.headers, 'x-signalwire-signature': c.signature } };
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    rps: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors,
  };
}

/** The medians of a row's runs, and their errors in all. */
export const summary = (runs: LoadResult[]): LoadResult => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  errors: runs.reduce((n, r) => n + r.errors, 0),
});

/**
 * ROUNDS interleaved pairs of runs, `reference` and `measured`, whose order alternates (A B B A A B
 * ...), so that a slow second on a shared machine lands on both sides. The ratio (measured over
 * reference) is each pair's own, and a row gives their median and spread rather than one lucky or
 * unlucky run.
 */
export async function interleavedPairs(
  reference: () => Promise<LoadResult>,
  measured: () => Promise<LoadResult>,
) {
  const ratios: number[] = [];
  const references: LoadResult[] = [];
  const measures: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let ref: LoadResult;
    let got: LoadResult;
    if (round % 2) {
      got = await measured();
      ref = await reference();
    } else {
      ref = await reference();
      got = await measured();
    }
    references.push(ref);
    measures.push(got);
    ratios.push(got.rps / ref.rps);
  }
  return {
    reference: summary(references),
    measured: summary(measures),
    ratios,
    ratio: median(ratios),
    spread: [Math.min(...ratios), Math.max(...ratios)] as const,
  };
}

/** Ingest against the do-nothing route, in interleaved pairs. */
export async function ingestVersusNoop(server: RunningServer, label: string) {
  await load(server, WEBHOOK, 2); // warm-up
  await load(server, '/api/bench/noop', 2);
  const pairs = await interleavedPairs(
    () => load(server, '/api/bench/noop', LOAD_SECONDS),
    () => load(server, WEBHOOK, LOAD_SECONDS),
  );
  const result = { ingest: pairs.measured, noop: pairs.reference, ratio: pairs.ratio, spread: pairs.spread };
  log(
    `${label}: ingest ${fmt(result.ingest.rps)}/s (errors ${result.ingest.errors}), do-nothing ${fmt(result.noop.rps)}/s, ` +
      `ratios ${pairs.ratios.map((r) => fmt(r, 2)).join(' ')}`,
  );
  return result;
}

/** CPU time (user + system, ms) the process's main thread, its event loop, has used so far (Linux). */
function loopCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime, in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The steady rate of the per-callback cost row: low enough that each commit holds one callback. */
export const COST_RATE = 100;

/**
 * What one callback costs the event loop at a steady COST_RATE a second, against a request to the
 * do-nothing route, in interleaved pairs: the server's main-thread CPU time over a run, divided by
 * the callbacks sent. At that rate each commit holds one callback, so this is the cost a board's
 * live push waits behind; as CPU time, it is stretched less than wall time by the load generator
 * and the other processes sharing the cores.
 */
export async function costPerCallback(server: RunningServer) {
  const pid = server.child.pid!;
  const run = async (path: string): Promise<LoadResult> => {
    const before = loopCpuMs(pid);
    const { sent, errors } = await steadyWebhooks(server, COST_RATE, LOAD_SECONDS, { path });
    // rps carries the ms per callback here, so interleavedPairs' ratio is webhook over do-nothing.
    return { rps: (loopCpuMs(pid) - before) / sent, p50: NaN, p99: NaN, errors };
  };
  await run(WEBHOOK); // warm-up
  await run('/api/bench/noop');
  const pairs = await interleavedPairs(
    () => run('/api/bench/noop'),
    () => run(WEBHOOK),
  );
  log(
    `cost per callback at ${COST_RATE}/s: webhook ${fmt(pairs.measured.rps, 2)} ms, do-nothing ${fmt(pairs.reference.rps, 2)} ms, ` +
      `ratios ${pairs.ratios.map((r) => fmt(r, 2)).join(' ')}`,
  );
  return { webhook: pairs.measured, noop: pairs.reference, ratio: pairs.ratio, spread: pairs.spread };
}

/**
 * Signed callbacks at a steady `rate` a second for `seconds` (or until `stop` says so), each timed
 * from sending to its 2xx; to the webhook, or to `path` (the do-nothing route).
 */
export async function steadyWebhooks(
  server: RunningServer,
  rate: number,
  seconds: number,
  { stop = () => false, path = WEBHOOK }: { stop?: () => boolean; path?: string } = {},
) {
  const url = `${server.url}${path}`;
  const signedFor = `${server.url}${WEBHOOK}`;
  const ms: number[] = [];
  let errors = 0;
  let sent = 0;
  /** Each callback: when it was sent (performance.now()) and its time to a 2xx, or null when refused. */
  const samples: { sent: number; ms: number | null }[] = [];
  // Only those still on their way are held: a soak sends hundreds of thousands.
  const inflight = new Set<Promise<void>>();
  const end = performance.now() + seconds * 1000;
  let due = performance.now();
  while (performance.now() < end && !stop()) {
    const c = signedCallback(signedFor);
    sent++;
    const p: Promise<void> = (async () => {
      const t = performance.now();
      const ok = await postCallback(url, c).catch(() => false);
      samples.push({ sent: t, ms: ok ? performance.now() - t : null });
      if (ok) ms.push(performance.now() - t);
      else errors++;
    })().finally(() => inflight.delete(p));
    inflight.add(p);
    due += 1000 / rate;
    await sleep(due - performance.now());
  }
  await Promise.all(inflight);
  return { p50: pct(ms, 0.5), p99: pct(ms, 0.99), errors, sent, samples };
}
