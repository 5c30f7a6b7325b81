// Webhook traffic counters for the ingest health panel. Counted in memory and added to the
// store's per-minute rows every few seconds, so a flood of bad signatures costs no write each;
// every instance adds to the same rows. A crash loses at most the last few seconds of counts,
// never a call.
import { sqltag as sql, raw } from '@prisma/client/runtime/client';
import type { Database } from '../db/client';
import { minuteBucket } from '../shared/tally';

const COUNTERS = ['accepted', 'duplicates', 'signatureFailures', 'rejected', 'deferred'] as const;
export type Counter = (typeof COUNTERS)[number];

const FLUSH_MS = 5_000;
/** Per-minute rows older than this are removed. */
const KEEP_MS = 7 * 24 * 3_600_000;

export class IngestCounters {
  private minutes = new Map<number, Record<Counter, number>>();
  private timer: ReturnType<typeof setInterval>;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = 0;

  constructor(
    private readonly db: Database,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  count(counter: Counter, at = Date.now()): void {
    const bucket = minuteBucket(at);
    let row = this.minutes.get(bucket);
    if (!row) {
      row = { accepted: 0, duplicates: 0, signatureFailures: 0, rejected: 0, deferred: 0 };
      this.minutes.set(bucket, row);
    }
    row[counter]++;
  }

  /** Adds what was counted since the last flush to the store. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.minutes.size === 0) return;
    const rows = [...this.minutes];
    this.minutes = new Map();
    const cols = COUNTERS.map((c) => `"${c}"`).join(', ');
    const add = COUNTERS.map((c) => `"${c}" = "IngestMinute"."${c}" + excluded."${c}"`).join(', ');
    try {
      await this.db.write.$transaction(async (tx) => {
        for (const [bucket, counts] of rows) {
          // SQLite keeps DateTime as epoch ms, PostgreSQL as a UTC timestamp (adapters.ts).
          const at =
            this.db.provider === 'sqlite'
              ? sql`${bucket}`
              : sql`${new Date(bucket).toISOString()}::timestamp`;
          await tx.$executeRaw(
            sql`INSERT INTO "IngestMinute" ("bucket", ${raw(cols)}) VALUES (${at}, ${counts.accepted}, ${counts.duplicates}, ${counts.signatureFailures}, ${counts.rejected}, ${counts.deferred})
                ON CONFLICT ("bucket") DO UPDATE SET ${raw(add)}`,
          );
        }
        const now = Date.now();
        if (now - this.lastPrune > 3_600_000) {
          this.lastPrune = now;
          await tx.ingestMinute.deleteMany({ where: { bucket: { lt: new Date(now - KEEP_MS) } } });
        }
      });
    } catch (err) {
      // Keep the counts for the next try rather than lose them.
      for (const [bucket, counts] of rows) {
        const row = this.minutes.get(bucket);
        if (!row) this.minutes.set(bucket, counts);
        else for (const c of COUNTERS) row[c] += counts[c];
      }
      this.onError(err);
    }
  }
}
