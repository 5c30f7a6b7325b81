// The seed's producer, on a worker thread: draws realistic calls and validates their callbacks,
// batch after batch, while the seed's main thread writes the batch before. Drawing and validating
// were a fifth of the seed's time on one thread (CPU profile of `npm run seed`); on a second core
// they overlap the writes. Only what the main thread asks for is made: at most two batches ahead.
import { parentPort, workerData } from 'node:worker_threads';
import { validateCallback, type Callback } from '../lib/callbacks/schema';
import { syntheticCallback } from '../lib/calls/synthetic';

export interface SeedPlan {
  total: number;
  batchSize: number;
  /** Epoch ms: the first call starts here, the last just before `end`. */
  start: number;
  end: number;
}

/** A batch: the validated callbacks and when each arrived (epoch ms), oldest first. */
export interface SeedBatch {
  callbacks: Callback[];
  receivedAt: number[];
}

export type SeedMessage = { batch: SeedBatch } | { error: string };

/** The `index`-th batch of a plan. */
export function seedBatch(plan: SeedPlan, index: number): SeedBatch {
  const first = index * plan.batchSize;
  const n = Math.min(plan.batchSize, plan.total - first);
  const callbacks: Callback[] = [];
  const receivedAt: number[] = [];
  for (let i = 0; i < n; i++) {
    // Oldest first, as they would have arrived.
    const at = plan.start + ((first + i) / plan.total) * (plan.end - plan.start);
    const v = validateCallback(syntheticCallback(new Date(at)));
    if (!v.ok) throw new Error(`${v.field}: ${v.message}`);
    callbacks.push(v.callback);
    receivedAt.push(at);
  }
  return { callbacks, receivedAt };
}

if (parentPort && workerData) {
  const port = parentPort;
  const plan = workerData as SeedPlan;
  // Each message from the main thread asks for the next batch.
  let next = 0;
  port.on('message', () => {
    try {
      port.postMessage({ batch: seedBatch(plan, next++) } satisfies SeedMessage);
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies SeedMessage);
    }
  });
}
