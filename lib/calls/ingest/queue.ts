// The ingest queue: callbacks wait here for the transaction that commits them, and their senders
// are answered, and boards told, only after it committed.
import type { Database } from '../../db/client';
import type { Callback } from '../../callbacks/schema';
import { Overloaded } from '../overload';
import type { CallUpdate } from '../../common/types';
import type { IngestOutcome, Submission } from './plan';
import { commitBatch } from './store';

interface Pending extends Submission {
  resolve(outcome: IngestOutcome): void;
  reject(error: unknown): void;
}

export interface IngestOptions {
  /** Callbacks waiting for a commit beyond this are refused (the provider retries). */
  queueLimit: number;
  /** Most callbacks committed in one transaction. */
  batchSize: number;
  /** Called after each commit with the changes it made, in id order. */
  publish(updates: CallUpdate[]): void;
  /** Called after each commit with how long the transaction took and how many callbacks it held. */
  committed?(seconds: number, callbacks: number): void;
  /** Commits a batch (the server's SQLite writer thread); commitBatch on the store otherwise. */
  commit?(batch: Submission[]): Promise<IngestOutcome[]>;
}

/**
 * Commits callbacks in batches: every callback waiting when a transaction starts rides in it, so
 * one commit serves many requests, and each caller is answered only after its commit.
 */
export class Ingestor {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly opts: IngestOptions,
  ) {}

  get backlog(): number {
    return this.queue.length;
  }

  submit(callback: Callback): Promise<IngestOutcome> {
    if (this.queue.length >= this.opts.queueLimit) {
      return Promise.reject(new Overloaded('ingest queue is full'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ callback, receivedAt: new Date(), resolve, reject });
      this.running ??= this.drainLoop();
    });
  }

  /** Resolves once everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainLoop(): Promise<void> {
    // Let the requests that arrive in the same tick join the first batch.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.batchSize);
        await this.commit(batch);
      }
    } finally {
      this.running = null;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: IngestOutcome[];
    const started = performance.now();
    try {
      outcomes = await (this.opts.commit ? this.opts.commit(batch) : commitBatch(this.db, batch));
    } catch (error) {
      // One callback the store refuses must not fail the others that shared its transaction:
      // retry them one by one, so only the culprit gets the error (and the provider's retry).
      if (batch.length > 1) {
        for (const p of batch) await this.commit([p]);
        return;
      }
      batch[0]!.reject(error);
      return;
    }
    this.opts.committed?.((performance.now() - started) / 1000, batch.length);
    const updates: CallUpdate[] = [];
    outcomes.forEach((o, i) => {
      if (o.kind !== 'duplicate' && o.update) updates.push(o.update);
      batch[i]!.resolve(o);
    });
    if (updates.length > 0) this.opts.publish(updates.sort((a, b) => a.id - b.id));
  }
}
