import type { Database, Tx } from '../db/client';
import type { Callback } from '../callbacks/schema';
import { addTally, contribution, isZero, minuteBucket, emptyTally } from './tally';
import { supersedes } from './status';
import type { CallRow, CallUpdate, Tally } from './types';

export type IngestOutcome =
  | { kind: 'stored'; eventId: number; update: CallUpdate }
  /** An earlier status after a later one: recorded; it changes the call only where it adds to it. */
  | { kind: 'late'; eventId: number; update?: CallUpdate }
  | { kind: 'duplicate' };

/** Thrown when the queue is full. Checked by `code`: routes are bundled apart from this module. */
export class Overloaded extends Error {
  readonly code = 'OVERLOADED';
}
export function isOverloaded(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'OVERLOADED';
}

interface Pending {
  callback: Callback;
  receivedAt: Date;
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
}

type StoredCall = NonNullable<Awaited<ReturnType<Tx['call']['findUnique']>>>;

export function toRow(c: StoredCall): CallRow {
  return {
    callSid: c.callSid,
    accountSid: c.accountSid,
    from: c.from,
    to: c.to,
    status: c.status,
    startedAt: c.startedAt.toISOString(),
    duration: c.duration,
    mos: c.mos,
    eventId: c.eventId,
  };
}

function rollupData(t: Tally) {
  return {
    calls: t.calls,
    finished: t.finished,
    completed: t.completed,
    durationSum: t.durationSum,
    durationCount: t.durationCount,
    mosSumCenti: t.mosSumCenti,
    mosCount: t.mosCount,
    mosBad: t.mosBands[0]!,
    mosPoor: t.mosBands[1]!,
    mosFair: t.mosBands[2]!,
    mosGood: t.mosBands[3]!,
    mosExcellent: t.mosBands[4]!,
    dur0: t.durationBins[0]!,
    dur1: t.durationBins[1]!,
    dur2: t.durationBins[2]!,
    dur3: t.durationBins[3]!,
    dur4: t.durationBins[4]!,
    dur5: t.durationBins[5]!,
  };
}

function increments(t: Tally) {
  return Object.fromEntries(Object.entries(rollupData(t)).map(([k, v]) => [k, { increment: v }])) as {
    [K in keyof ReturnType<typeof rollupData>]: { increment: number };
  };
}

/** Stores one callback inside the caller's transaction; idempotent per CallSid+CallStatus. */
export async function ingestOne(tx: Tx, cb: Callback, receivedAt: Date): Promise<IngestOutcome> {
  const seen = await tx.callEvent.findUnique({
    where: { callSid_status: { callSid: cb.callSid, status: cb.status } },
    select: { id: true },
  });
  if (seen) {
    await tx.callEvent.update({ where: { id: seen.id }, data: { deliveries: { increment: 1 } } });
    return { kind: 'duplicate' };
  }

  const current = await tx.call.findUnique({ where: { callSid: cb.callSid } });
  const applies = !current || supersedes(cb, current);
  const event = await tx.callEvent.create({
    data: {
      callSid: cb.callSid,
      status: cb.status,
      sequence: cb.sequence,
      timestamp: cb.timestamp,
      receivedAt,
      raw: JSON.stringify(cb.raw),
      applied: applies,
    },
    select: { id: true },
  });

  // The result must not depend on arrival order: the call starts at the earliest time any of its
  // events reports, and a late event still fills in what the current state lacks.
  const at = cb.timestamp ?? receivedAt;
  const startedAt = current && current.startedAt <= at ? current.startedAt : at;
  const prefer = <T>(mine: T | null, theirs: T | null | undefined) =>
    applies ? (mine ?? theirs ?? null) : (theirs ?? mine ?? null);
  const next = {
    accountSid: prefer(cb.accountSid, current?.accountSid),
    from: prefer(cb.from, current?.from),
    to: prefer(cb.to, current?.to),
    status: applies ? cb.status : current!.status,
    sequence: applies ? cb.sequence : current!.sequence,
    duration: prefer(cb.duration, current?.duration),
    mos: prefer(cb.mos, current?.mos),
    startedAt,
  };
  const unchanged =
    current &&
    (Object.keys(next) as (keyof typeof next)[]).every((k) =>
      k === 'startedAt' ? next.startedAt.getTime() === current.startedAt.getTime() : next[k] === current[k],
    );
  if (unchanged) return { kind: 'late', eventId: event.id };

  const stored = current
    ? await tx.call.update({
        where: { id: current.id },
        data: { ...next, updatedAt: receivedAt, eventId: event.id },
      })
    : await tx.call.create({
        data: {
          ...next,
          callSid: cb.callSid,
          firstSeenAt: receivedAt,
          updatedAt: receivedAt,
          eventId: event.id,
        },
      });

  // Move the call's contribution from its old rollup row to its new one (often the same row).
  const changes = new Map<string, { bucket: number; line: string; delta: Tally }>();
  const shift = (call: StoredCall, sign: 1 | -1) => {
    const bucket = minuteBucket(call.startedAt.getTime());
    const line = call.to ?? '';
    const key = `${bucket}\u0000${line}`;
    const entry = changes.get(key) ?? { bucket, line, delta: emptyTally() };
    addTally(entry.delta, contribution(call), sign);
    changes.set(key, entry);
  };
  if (current) shift(current, -1);
  shift(stored, 1);

  const moved = [...changes.values()].filter((c) => !isZero(c.delta));
  for (const c of moved) {
    const bucket = new Date(c.bucket);
    await tx.rollup.upsert({
      where: { bucket_line: { bucket, line: c.line } },
      create: { bucket, line: c.line, ...rollupData(c.delta) },
      update: increments(c.delta),
    });
  }
  return {
    kind: applies ? 'stored' : 'late',
    eventId: event.id,
    update: {
      id: event.id,
      call: toRow(stored),
      changes: moved.map(({ bucket, delta }) => ({ bucket, delta })),
    },
  };
}

/**
 * Commits callbacks in small batches: every callback waiting when a transaction starts rides in
 * it, so one fsync serves many requests, and each caller is answered only after its commit.
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
    try {
      outcomes = await this.db.write.$transaction(
        async (tx) => {
          const out: IngestOutcome[] = [];
          for (const p of batch) out.push(await ingestOne(tx, p.callback, p.receivedAt));
          return out;
        },
        { timeout: 60_000, maxWait: 60_000 },
      );
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    const updates: CallUpdate[] = [];
    outcomes.forEach((o, i) => {
      if (o.kind !== 'duplicate' && o.update) updates.push(o.update);
      batch[i]!.resolve(o);
    });
    if (updates.length > 0) this.opts.publish(updates);
  }
}
