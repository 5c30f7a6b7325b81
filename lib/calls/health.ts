// Webhook traffic counters for the ingest health panel. Counted in memory and added to the
// store's per-minute rows every few seconds, so a flood of bad signatures costs no write each;
// every instance adds to the same rows. A crash loses at most the last few seconds of counts,
// never a call.
import { sqltag as sql, raw } from '@prisma/client/runtime/client';
import type { Database } from '../db/client';
import { minuteBucket } from '../common/tally';

const COUNTERS = ['accepted', 'duplicates', 'signatureFailures', 'rejected', 'deferred'] as const;
export type Counter = (typeof COUNTERS)[number];

const FLUSH_MS = 5_000;
/** Per-minute rows older than this are removed. */
const KEEP_MS = 7 * 24 * 3_600_000;

export class IngestCounters {
  private minutes = new Map<number, Record<Counter, number>>();
  /** Per minute, per field name: reported fields dropped as malformed. */
  private dropped = new Map<number, Map<string, number>>();
  private timer: ReturnType<typeof setInterval>;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = 0;

  constructor(
    private readonly db: Database,
    private readonly onError: (err: unknown) => void,
    /** Told of every count as it happens (the /metrics counters). */
    private readonly onCount: (counter: Counter) => void = () => {},
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
    this.onCount(counter);
  }

  /** A reported field left out of a stored callback because it was malformed. */
  drop(field: string, at = Date.now(), n = 1): void {
    const bucket = minuteBucket(at);
    let fields = this.dropped.get(bucket);
    if (!fields) this.dropped.set(bucket, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0) + n);
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
    if (this.minutes.size === 0 && this.dropped.size === 0) return;
    const rows = [...this.minutes];
    this.minutes = new Map();
    const dropped = [...this.dropped];
    this.dropped = new Map();
    // SQLite keeps DateTime as epoch ms, PostgreSQL as a UTC timestamp (adapters.ts).
    const at = (bucket: number) =>
      this.db.provider === 'sqlite' ? sql`${bucket}` : sql`${new Date(bucket).toISOString()}::timestamp`;
    const cols = COUNTERS.map((c) => `"${c}"`).join(', ');
    const add = COUNTERS.map((c) => `"${c}" = "IngestMinute"."${c}" + excluded."${c}"`).join(', ');
    let pruned = 0;
    try {
      await this.db.write.$transaction(async (tx) => {
        for (const [bucket, counts] of rows) {
          await tx.$executeRaw(
            sql`INSERT INTO "IngestMinute" ("bucket", ${raw(cols)}) VALUES (${at(bucket)}, ${counts.accepted}, ${counts.duplicates}, ${counts.signatureFailures}, ${counts.rejected}, ${counts.deferred})
                ON CONFLICT ("bucket") DO UPDATE SET ${raw(add)}`,
          );
        }
        for (const [bucket, fields] of dropped) {
          for (const [field, count] of fields) {
            await tx.$executeRaw(
              sql`INSERT INTO "IngestDropped" ("bucket", "field", "count") VALUES (${at(bucket)}, ${field}, ${count})
                  ON CONFLICT ("bucket", "field") DO UPDATE SET "count" = "IngestDropped"."count" + excluded."count"`,
            );
          }
        }
        const now = Date.now();
        if (now - this.lastPrune > 3_600_000) {
          pruned = now;
          await tx.ingestMinute.deleteMany({ where: { bucket: { lt: new Date(now - KEEP_MS) } } });
          await tx.ingestDropped.deleteMany({ where: { bucket: { lt: new Date(now - KEEP_MS) } } });
        }
      });
      // Only once the prune is committed: a failed write tries it again next time.
      if (pruned) this.lastPrune = pruned;
    } catch (err) {
      // Keep the counts for the next try rather than lose them.
      for (const [bucket, counts] of rows) {
        const row = this.minutes.get(bucket);
        if (!row) this.minutes.set(bucket, counts);
        else for (const c of COUNTERS) row[c] += counts[c];
      }
      for (const [bucket, fields] of dropped) for (const [field, n] of fields) this.drop(field, bucket, n);
      this.onError(err);
    }
  }
}
