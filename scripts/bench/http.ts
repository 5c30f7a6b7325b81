// Requests the bench times: a page of the API, and a whole CSV export with the server's memory.
import type { RunningServer } from '../../test/helpers/server';
import { pct, rssMb } from './common';

/** `runs` GETs after two warm-up ones, one at a time: p50 and max in ms. */
export async function timed(url: string, cookie: string, runs: number) {
  const ms: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    if (i >= 2) ms.push(performance.now() - t);
  }
  return { p50: pct(ms, 0.5), max: Math.max(...ms) };
}

/** One export of every call, read to the end: rows/s and the server's RSS growth (peak, sampled every 20 ms). */
export async function exportCsv(server: RunningServer) {
  const pid = server.child.pid!;
  const baseline = rssMb(pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  const t = performance.now();
  const res = await fetch(`${server.url}/api/calls/export`, { headers: { cookie: server.cookie } });
  if (!res.ok) throw new Error(`export: HTTP ${res.status}`);
  let lines = 0;
  // indexOf rather than a loop over bytes: the reader shares the cores with the server it measures.
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(pid));
  return { rows: lines - 1, rowsPerSecond: (lines - 1) / seconds, seconds, growth: peak - baseline };
}
