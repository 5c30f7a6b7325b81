// Fills a store with N realistic calls spread over the past weeks, through the product's own
// storage layer (migrations, commitBatch, rollups), so demos and benchmarks start from real volume.
// Usage: npm run seed -- --calls 1000000 [--days 28] [--batch 20000] [--database-url file:./data/calls.db]
import { parseArgs } from 'node:util';
import { openDatabase } from '../lib/db/client';
import { commitBatch } from '../lib/calls/ingest/store';
import type { Submission } from '../lib/calls/ingest/plan';
import { Worker } from 'node:worker_threads';
import type { SeedBatch, SeedMessage, SeedPlan } from './seed-batches';
import { ensureRollups } from '../lib/calls/stored-settings';
import { fileURLToPath } from 'node:url';

/** Batches of a seed plan, made on a worker thread (seed-batches.ts), two ahead of the writes. */
function producer(plan: SeedPlan) {
  const worker = new Worker(new URL('./seed-batches.mjs', import.meta.url), {
    workerData: plan,
    execArgv: [],
  });
  const waiting: { resolve(b: SeedBatch): void; reject(e: unknown): void }[] = [];
  const fail = (e: unknown) => {
    for (const w of waiting.splice(0)) w.reject(e);
  };
  worker.on('message', (m: SeedMessage) => {
    const w = waiting.shift();
    if ('error' in m) w?.reject(new Error(m.error));
    else w?.resolve(m.batch);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the seed's producer thread exited (${code})`)));
  const ask = () => {
    const p = new Promise<SeedBatch>((resolve, reject) => waiting.push({ resolve, reject }));
    // Awaited in turn; a failure while nobody waits must not go unhandled.
    p.catch(() => {});
    worker.postMessage(null);
    return p;
  };
  return { ask, stop: () => worker.terminate() };
}

/** Calls a seed commits at a time (docs/performance.md, The seed in a minute per million). */
export const SEED_BATCH = 20_000;

/** Adds `total` calls spread over the last `days` days; returns the seconds it took. */
export async function seed(url: string, total: number, days = 28, batchSize = SEED_BATCH, progress = false) {
  const now = Date.now();
  const plan: SeedPlan = { total, batchSize, start: now - days * 86_400_000, end: now };
  const db = await openDatabase({ url, synchronous: 'NORMAL' });
  // Records the bands the rollups are counted with (a recount, if the store holds older ones).
  await ensureRollups(db);
  const started = performance.now();
  const batches = Math.ceil(total / batchSize);
  const made = producer(plan);
  const ahead = [made.ask(), made.ask()];
  let done = 0;
  try {
    for (let i = 0; i < batches; i++) {
      const { callbacks, receivedAt } = await ahead.shift()!;
      if (i + 2 < batches) ahead.push(made.ask());
      const batch: Submission[] = callbacks.map((callback, k) => ({
        callback,
        receivedAt: new Date(receivedAt[k]!),
      }));
      await commitBatch(db, batch, { timeoutMs: 600_000, outcomes: false });
      done += batch.length;
      if (progress) process.stdout.write(`\rseeded ${done.toLocaleString('en-US')} calls`);
    }
  } finally {
    await made.stop();
    await db.close();
  }
  return (performance.now() - started) / 1000;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '10000' },
      days: { type: 'string', default: '28' },
      'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'file:./data/calls.db' },
      batch: { type: 'string', default: String(SEED_BATCH) },
    },
  });
  const total = Number(values.calls);
  const tty = Boolean(process.stdout.isTTY);
  const seconds = await seed(values['database-url'], total, Number(values.days), Number(values.batch), tty);
  console.log(
    `${tty ? '\n' : ''}seeded ${total.toLocaleString('en-US')} calls in ${seconds.toFixed(1)} s ` +
      `(${Math.round(total / seconds).toLocaleString('en-US')} calls/s) into ${values['database-url'].replace(/\/\/[^@]*@/, '//***@')}`,
  );
}
