// Prometheus metrics for operators (GET /metrics, when METRICS_TOKEN is set). Per instance, as
// Prometheus expects: each instance is scraped on its own and the server sums them.
import { timingSafeEqual, createHash } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Counter as IngestCounter } from '../calls/health';

/** The webhook's counters, under the names operators see. */
const OUTCOME: Record<IngestCounter, string> = {
  accepted: 'stored',
  duplicates: 'duplicate',
  signatureFailures: 'bad_signature',
  rejected: 'rejected',
  deferred: 'overloaded',
};

export interface MetricSources {
  /** Callbacks waiting for their commit on this instance. */
  queueDepth(): number;
  /** Live feeds connected to this instance, by who opened them. */
  boards(): { people: number; tvs: number };
  /** Alerts open now (in the store: the same on every instance). */
  openAlerts(): Promise<number>;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly callbacks = new Counter({
    name: 'wallboard_callbacks_total',
    help: 'Provider callbacks answered by the webhook, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly commits = new Histogram({
    name: 'wallboard_ingest_commit_seconds',
    help: 'Time from the start of an ingest transaction to its commit (one per batch of callbacks)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly batch = new Histogram({
    name: 'wallboard_ingest_batch_callbacks',
    help: 'Callbacks committed together in one ingest transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  private readonly notifications = new Counter({
    name: 'wallboard_alert_notifications_total',
    help: 'Alert notifications this instance sent, by channel kind and result',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });

  private readonly evaluations = new Histogram({
    name: 'wallboard_alert_evaluation_seconds',
    help: 'Rounds of alert rule evaluation on this instance (the lease holder) and their time',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'wallboard_' });
    // Read when scraped, so they cost nothing in between.
    new Gauge({
      name: 'wallboard_ingest_queue_depth',
      help: 'Callbacks waiting for their commit on this instance',
      registers: [this.registry],
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: 'wallboard_boards_connected',
      help: 'Live boards connected to this instance, by kind (person or paired TV)',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        const b = sources.boards();
        this.set({ kind: 'person' }, b.people);
        this.set({ kind: 'tv' }, b.tvs);
      },
    });
    new Gauge({
      name: 'wallboard_alerts_open',
      help: 'Alerts open (fired, not resolved), acknowledged or not',
      registers: [this.registry],
      async collect() {
        this.set(await sources.openAlerts());
      },
    });
    for (const outcome of Object.values(OUTCOME)) this.callbacks.inc({ outcome }, 0);
  }

  /** One webhook answer (IngestCounters' counter names). */
  callback(counter: IngestCounter): void {
    this.callbacks.inc({ outcome: OUTCOME[counter] });
  }

  /** One committed ingest transaction. */
  commit(seconds: number, callbacks: number): void {
    this.commits.observe(seconds);
    this.batch.observe(callbacks);
  }

  /** One round of alert evaluation. */
  evaluation(seconds: number): void {
    this.evaluations.observe(seconds);
  }

  /** One alert notification's delivery. */
  notification(channel: string, ok: boolean): void {
    this.notifications.inc({ channel, result: ok ? 'delivered' : 'failed' });
  }

  /** The scrape's body and content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}

/**
 * Whether an Authorization header carries the bearer token. Compared as hashes, in constant time
 * whatever the lengths, so the answer's timing says nothing about the token.
 */
export function bearerMatches(header: string | null, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}
