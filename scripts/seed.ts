// Fills a store with N realistic calls spread over the past weeks, through the product's own
// storage layer (migrations, ingestBatch, rollups), so demos and benchmarks start from real volume.
// Usage: npm run seed -- --calls 1000000 [--days 28] [--database-url file:./data/calls.db]
import { parseArgs } from 'node:util';
import { openDatabase } from '../lib/db/client';
import { ingestBatch } from '../lib/calls/ingest/store';
import type { Submission } from '../lib/calls/ingest/plan';
import { validateCallback } from '../lib/callbacks/schema';
import { syntheticCallback } from '../lib/calls/synthetic';
import { ensureRollups, rollupLimits } from '../lib/calls/stored-settings';
import { fileURLToPath } from 'node:url';

/** Adds `total` calls spread over the last `days` days; returns the seconds it took. */
export async function seed(url: string, total: number, days = 28, batchSize = 5000, progress = false) {
  const spanMs = days * 86_400_000;
  const db = await openDatabase({ url, synchronous: 'NORMAL' });
  // Records the bands the rollups are counted with (a recount, if the store holds older ones).
  await ensureRollups(db);
  const started = performance.now();
  const now = Date.now();
  let done = 0;
  try {
    while (done < total) {
      const n = Math.min(batchSize, total - done);
      const batch: Submission[] = [];
      for (let i = 0; i < n; i++) {
        // Oldest first, as they would have arrived.
        const at = new Date(now - spanMs + ((done + i) / total) * spanMs);
        const v = validateCallback(syntheticCallback(at));
        if (!v.ok) throw new Error(v.message);
        batch.push({ callback: v.callback, receivedAt: at });
      }
      await db.write.$transaction(async (tx) => ingestBatch(tx, db.provider, batch, await rollupLimits(tx)), {
        timeout: 600_000,
        maxWait: 60_000,
      });
      done += n;
      if (progress) process.stdout.write(`\rseeded ${done.toLocaleString('en-US')} calls`);
    }
  } finally {
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
      batch: { type: 'string', default: '5000' },
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
