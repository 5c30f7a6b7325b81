// What every part of `npm run bench` shares: logging and formatting, the table's rows, signed
// callbacks, the server's memory.
import { readFileSync } from 'node:fs';
import { formSignature } from '../../lib/callbacks/signature';
import { syntheticCallback } from '../../lib/calls/synthetic';

export const KEY = 'PSK_bench_signing_key_0123456789';
export const WEBHOOK = '/api/webhooks/call-status';

export const log = (msg: string) => console.error(`bench: ${msg}`);
export const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
export const median = (xs: number[]) => pct(xs, 0.5);
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export interface Row {
  measure: string;
  result: string;
  reference: string;
  budget: string;
  met: boolean;
}

export function printTable(rows: Row[]) {
  const header = ['Measure', 'Result', 'Reference (same run)', 'Budget', ''];
  const table = [
    header,
    ['---', '---', '---', '---', '---'],
    ...rows.map((r) => [r.measure, r.result, r.reference, r.budget, r.met ? 'met' : 'MISSED']),
  ];
  console.log(table.map((cells) => `| ${cells.join(' | ')} |`).join('\n'));
}

export function signedCallback(url: string, at = new Date()) {
  const fields = syntheticCallback(at);
  return {
    fields,
    body: new URLSearchParams(fields).toString(),
    signature: formSignature(KEY, url, Object.entries(fields)),
  };
}

/** Posts a signed callback and reads the answer; resolves with whether it was a 2xx. */
export async function postCallback(url: string, c: ReturnType<typeof signedCallback>): Promise<boolean> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-signalwire-signature': c.signature },
    body: c.body,
  });
  await res.arrayBuffer();
  return res.ok;
}

/** A process's resident set (VmRSS) in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
