// The server's memory under a steady load: the table's memory row, and `--soak MINUTES`.
import type { RunningServer } from '../../test/helpers/server';
import { fmt, log, median, rssMb, sleep, type Row } from './common';
import { steadyWebhooks } from './load';
import { BOARDS, startBoards } from './live';
import { QUICK } from './options';

/** Callbacks a second while the memory is watched, with BOARDS boards connected. */
export const MEMORY_RATE = 100;
/**
 * The server's resident memory at steady state, at MEMORY_RATE with BOARDS boards: a small VM or
 * container holding the wallboard beside its reverse proxy has 1 GB, and half of it for the server
 * leaves room for the export worker threads (each bounded by its own resource limits) and the OS.
 */
export const MEMORY_BUDGET_MB = 512;
const MEMORY_WARMUP_SECONDS = QUICK ? 5 : 10;
const MEMORY_SECONDS = QUICK ? 10 : 30;
/** The soak's sampling interval. */
const SOAK_SAMPLE_SECONDS = 5;
/** The soak fails when the last third's median RSS is above the middle third's by both of these. */
const SOAK_GROWTH_RATIO = 0.05;
const SOAK_GROWTH_MB = 16;
/** The token /metrics is turned on with in a soak, for the server's V8 heap. */
export const METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** The server's RSS a moment after its start, before any load. */
async function idleRss(server: RunningServer) {
  await sleep(2000);
  return rssMb(server.child.pid!);
}

/**
 * Signed callbacks at `rate` a second to `server` with BOARDS boards connected (counting their
 * deliveries, not timing them), for `warmupSeconds` and then `seconds` more, during which
 * `sample` is called every `everySeconds`.
 */
async function sampledUnderLoad<T>(
  server: RunningServer,
  opts: { rate: number; warmupSeconds: number; seconds: number; everySeconds: number },
  sample: (i: number) => Promise<T> | T,
) {
  const boards = await startBoards(server, { record: false });
  const sending = steadyWebhooks(server, opts.rate, opts.warmupSeconds + opts.seconds);
  const samples: { at: number; value: T }[] = [];
  const from = performance.now() + opts.warmupSeconds * 1000;
  for (let i = 1; i <= Math.floor(opts.seconds / opts.everySeconds); i++) {
    await sleep(from + i * opts.everySeconds * 1000 - performance.now());
    samples.push({ at: performance.now() - from, value: await sample(i) });
  }
  const sent = await sending;
  await sleep(1000); // the last events on their way
  const { delivered } = await boards.finish();
  const acked = sent.sent - sent.errors;
  return { samples, sent, from, missing: Math.max(0, acked * BOARDS - delivered) };
}

/**
 * The memory row, on a server just started: its idle RSS, then RSS every second at steady state,
 * its plateau and maximum.
 */
export async function steadyMemory(server: RunningServer, stored: string): Promise<Row> {
  const idle = await idleRss(server);
  log(
    `server memory: ${MEMORY_RATE} callbacks/s with ${BOARDS} boards, ${MEMORY_WARMUP_SECONDS} s warm-up, ` +
      `then RSS every second for ${MEMORY_SECONDS} s`,
  );
  const pid = server.child.pid!;
  const run = await sampledUnderLoad(
    server,
    { rate: MEMORY_RATE, warmupSeconds: MEMORY_WARMUP_SECONDS, seconds: MEMORY_SECONDS, everySeconds: 1 },
    () => rssMb(pid),
  );
  const rss = run.samples.map((s) => s.value);
  // The plateau: the median of the window's second half, past any growth left from the warm-up.
  const plateau = median(rss.slice(Math.floor(rss.length / 2)));
  const max = Math.max(...rss);
  log(`RSS: idle ${fmt(idle, 1)} MB, samples ${rss.map((x) => fmt(x)).join(' ')} MB`);
  return {
    measure:
      `Server memory: RSS at ${MEMORY_RATE} signed callbacks/s with ${BOARDS} boards, ${stored} stored ` +
      `(every second for ${MEMORY_SECONDS} s after ${MEMORY_WARMUP_SECONDS} s; plateau = median of the last ${rss.length - Math.floor(rss.length / 2)})`,
    result: `plateau ${fmt(plateau, 1)} MB, max ${fmt(max, 1)} MB`,
    reference:
      `idle after start-up: ${fmt(idle, 1)} MB; over the window ${fmt(rss[0]!)} → ${fmt(rss.at(-1)!)} MB; ` +
      `${fmt(run.sent.sent)} callbacks, ${run.sent.errors} refused, ` +
      `${fmt(run.missing)} deliveries missing`,
    budget: `plateau ≤ ${MEMORY_BUDGET_MB} MB`,
    met: plateau <= MEMORY_BUDGET_MB && run.sent.errors === 0 && run.missing === 0,
  };
}

/** The server's V8 heap in use (MB), from its own /metrics (prom-client's default metrics). */
async function heapUsedMb(server: RunningServer): Promise<number> {
  try {
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const m = /^wallboard_nodejs_heap_size_used_bytes\s+(\S+)$/m.exec(await res.text());
    return m ? Number(m[1]) / 1_048_576 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * `--soak MINUTES`: MEMORY_RATE callbacks a second with BOARDS boards for the whole time, RSS (and
 * the V8 heap) every SOAK_SAMPLE_SECONDS; prints one line a minute and whether RSS still grows.
 * Resolves with the failure's message, or null.
 */
export async function soak(server: RunningServer, minutes: number): Promise<string | null> {
  const pid = server.child.pid!;
  const idle = { rss: await idleRss(server), heap: await heapUsedMb(server) };
  log(
    `soak: ${MEMORY_RATE} callbacks/s with ${BOARDS} boards for ${minutes} min, RSS every ${SOAK_SAMPLE_SECONDS} s`,
  );
  const run = await sampledUnderLoad(
    server,
    { rate: MEMORY_RATE, warmupSeconds: 0, seconds: minutes * 60, everySeconds: SOAK_SAMPLE_SECONDS },
    async (i) => {
      const sample = { rss: rssMb(pid), heap: await heapUsedMb(server) };
      if ((i * SOAK_SAMPLE_SECONDS) % 60 === 0)
        log(
          `soak: minute ${(i * SOAK_SAMPLE_SECONDS) / 60}, RSS ${fmt(sample.rss, 1)} MB, heap ${fmt(sample.heap, 1)} MB`,
        );
      return sample;
    },
  );

  const lines = [
    '| Minute | RSS (MB) | RSS in the minute (MB) | Heap used (MB) | Callbacks sent | Refused |',
    '| --- | --- | --- | --- | --- | --- |',
    `| 0 (idle after start-up) | ${fmt(idle.rss, 1)} | | ${fmt(idle.heap, 1)} | | |`,
  ];
  for (let minute = 1; minute <= minutes; minute++) {
    // The minute's last sample, its range, and the callbacks sent during the minute.
    const within = run.samples.filter(
      (s) => s.at > (minute - 1) * 60_000 + 500 && s.at <= minute * 60_000 + 500,
    );
    const last = within.at(-1) ?? run.samples.filter((s) => s.at <= minute * 60_000 + 500).at(-1)!;
    const range = within.map((s) => s.value.rss);
    const sent = run.sent.samples.filter(
      (s) => s.sent >= run.from + (minute - 1) * 60_000 && s.sent < run.from + minute * 60_000,
    );
    lines.push(
      `| ${minute} | ${fmt(last.value.rss, 1)} | ${range.length ? `${fmt(Math.min(...range))}–${fmt(Math.max(...range))}` : ''} | ` +
        `${fmt(last.value.heap, 1)} | ${fmt(sent.length)} | ` +
        `${fmt(sent.filter((s) => s.ms === null).length)} |`,
    );
  }
  console.log(lines.join('\n'));

  // The criterion. The first third of the samples is the warm-up: code is compiled, pools and caches
  // fill, V8's heap grows to its working size. After it, a server that does not leak holds a
  // plateau: its RSS wobbles with garbage collection but does not climb. So the median of the last
  // third (medians, so that one collection's peak or trough does not decide) is set against the
  // middle third's; a leak that grows steadily puts the last above the middle. It counts as growth
  // only when it is both more than SOAK_GROWTH_RATIO (on a large heap, tens of MB can be one
  // collection's timing) and more than SOAK_GROWTH_MB (on a small one, a few MB are several
  // percent). The longer the soak, the smaller the leak it shows; a soak of a few minutes may also
  // take a heap still growing to its working size (V8 collects the old space lazily) for a leak,
  // so a verdict worth keeping needs 10 minutes or more.
  const rss = run.samples.map((s) => s.value.rss);
  const third = Math.floor(rss.length / 3);
  const middle = median(rss.slice(third, 2 * third));
  const last = median(rss.slice(rss.length - third));
  const growth = last - middle;
  const growing = growth > SOAK_GROWTH_RATIO * middle && growth > SOAK_GROWTH_MB;
  const refused = run.sent.errors;
  console.log(
    `\nRSS median ${fmt(middle, 1)} MB in the middle third of ${rss.length} samples, ${fmt(last, 1)} MB in the last: ` +
      `${growth >= 0 ? '+' : ''}${fmt(growth, 1)} MB (${growth >= 0 ? '+' : ''}${fmt((100 * growth) / middle, 1)}%); ` +
      `growth above ${fmt(100 * SOAK_GROWTH_RATIO)}% and ${SOAK_GROWTH_MB} MB fails. ` +
      `${fmt(run.sent.sent)} callbacks sent, ${fmt(refused)} refused, ${fmt(run.missing)} deliveries missing. ` +
      `${growing ? 'MISSED: RSS still grows' : 'met: RSS flat'} after warm-up.`,
  );
  if (growing)
    return (
      `RSS still grows after warm-up: median ${fmt(middle, 1)} MB in the middle third, ${fmt(last, 1)} MB ` +
      `in the last (+${fmt(growth, 1)} MB, +${fmt((100 * growth) / middle, 1)}%)`
    );
  // A soak whose load did not get through says nothing about memory under that load.
  if (refused > 0.01 * run.sent.sent)
    return `${fmt(refused)} of ${fmt(run.sent.sent)} callbacks were refused: the load did not get through`;
  return null;
}
