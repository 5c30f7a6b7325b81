// Evaluates the alert rules on the server, every few seconds, from the rollups and the ingest
// counters: never in a browser, never on the ingest path. With several instances one holds the
// "alerts" lease and does the work; if it dies, another takes the lease once it expires.
//
// Exactly one notification per alert event: each change of an alert's state is a compare-and-set
// in the store (a unique open key, a last-notified time that must not have moved), and its
// notifications are written in the same transaction (an outbox). Sending claims each row first,
// so two instances never send the same one; a crash mid-send leaves the claim to expire and the
// next holder sends it, with the same X-Wallboard-Delivery id for the receiver to drop a repeat.
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client';
import type { Queries } from '../calls/queries';
import type { Logger } from '../log';
import { at } from '../calls/aggregate';
import { CALL_STATUSES, isTerminal } from '../common/status';
import { floorMinute } from '../common/time';
import { sqltag as sql } from '@prisma/client/runtime/client';
import { evaluate, type Readings, type Rule, type WindowSums } from '../common/alert-rules';
import {
  channelConfigSchema,
  deliver,
  type AlertMessage,
  type DeliveryOptions,
  type DeliveryResult,
} from './channels';

const LEASE = 'alerts';
const NOT_FINAL = CALL_STATUSES.filter((s) => !isTerminal(s));
const WINDOW_KINDS = new Set([
  'mos-below',
  'loss-above',
  'success-below',
  'failure-above',
  'bad-audio-above',
]);
/**
 * How long a sender holds a notification: longer than all of a delivery's tries (4 of at most
 * 10 s, with waits of up to 60 s when a receiver asks for them).
 */
const CLAIM_MS = 300_000;
/** Notifications sent at once. */
const SEND_BATCH = 20;

export interface EvaluatorOptions {
  intervalMs: number;
  /** How long a lease lasts without renewal: how soon another instance takes over a dead one's. */
  leaseMs: number;
  log: Logger;
  /** Links in notifications start here (PUBLIC_URL); none without it. */
  publicUrl?: string;
  delivery: Omit<DeliveryOptions, 'deliveryId'>;
  /** Told after alerts opened, resolved or were acknowledged: boards refresh their list. */
  changed(): void;
  /** Told of every round evaluated, with its time in seconds (metrics). */
  evaluated?(seconds: number): void;
  /** Told of every delivery's result (metrics). */
  delivered?(kind: string, ok: boolean): void;
  /** Sends one notification (tests may slow it down); default: channels.ts's deliver. */
  send?: typeof deliver;
}

export function ruleOf(r: {
  id: string;
  name: string;
  kind: string;
  line: string | null;
  threshold: number;
  windowMinutes: number;
  minCalls: number;
  channels: string;
  renotifyMinutes: number;
  snoozedUntil: Date | null;
  enabled: boolean;
}): Rule {
  return {
    ...r,
    kind: r.kind as Rule['kind'],
    channels: JSON.parse(r.channels) as string[],
    snoozedUntil: r.snoozedUntil?.getTime() ?? null,
  };
}

const emptySums = (): WindowSums => ({
  calls: 0,
  finished: 0,
  completed: 0,
  mosSumCenti: 0,
  mosCount: 0,
  lossCount: 0,
  packetsSum: 0,
  lostSum: 0,
  badAudioSeconds: 0,
});

export class AlertEvaluator {
  readonly instance = randomUUID();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private sending: Promise<void> | null = null;
  private holding = false;

  constructor(
    private readonly db: Database,
    private readonly queries: Queries,
    private readonly opts: EvaluatorOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** Whether this instance evaluated last time it tried. */
  get leader(): boolean {
    return this.holding;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    // Deliveries in flight get a few seconds; any still going stay claimed, and are sent again
    // (same delivery id) by whichever instance holds the lease once the claim expires.
    await Promise.race([this.sending, new Promise((r) => setTimeout(r, 5_000).unref())]);
    // Hand the lease over at once rather than make the others wait for it to expire.
    if (this.holding) {
      await this.db.write
        .$transaction((tx) =>
          tx.lease.updateMany({
            where: { name: LEASE, holder: this.instance },
            data: { expiresAt: new Date(0) },
          }),
        )
        .catch(() => {});
    }
  }

  /** One round: take or renew the lease, evaluate, send what is pending. Never overlaps itself. */
  tick(now = Date.now()): Promise<void> {
    this.running ??= this.round(now).finally(() => (this.running = null));
    return this.running;
  }

  private async round(now: number): Promise<void> {
    try {
      const held = this.holding;
      this.holding = await this.lease(now);
      if (this.holding !== held) {
        this.opts.log.info(
          { instance: this.instance },
          this.holding ? 'alert evaluation lease taken' : 'alert evaluation lease lost',
        );
      }
      if (!this.holding) return;
      const started = performance.now();
      try {
        if (await this.evaluateAll(now)) this.opts.changed();
        this.opts.evaluated?.((performance.now() - started) / 1000);
      } finally {
        // What earlier rounds queued goes out even when this one failed.
        this.sending ??= this.sendPending()
          .catch((err: unknown) => this.opts.log.warn({ err: String(err) }, 'alert notifications not sent'))
          .finally(() => (this.sending = null));
      }
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'alert evaluation failed');
    }
  }

  /** Takes the lease if it is free or expired, renews it if it is ours; whether it is ours. */
  private async lease(now: number): Promise<boolean> {
    const p = this.db.provider;
    // Every write here in a transaction of its own: on SQLite's one writer connection a bare
    // statement would run inside whatever ingest transaction is open, and share its fate.
    const n = await this.db.write.$transaction((tx) =>
      tx.$executeRaw(
        sql`INSERT INTO "Lease" ("name", "holder", "expiresAt") VALUES (${LEASE}, ${this.instance}, ${at(p, now + this.opts.leaseMs)})
            ON CONFLICT ("name") DO UPDATE SET "holder" = excluded."holder", "expiresAt" = excluded."expiresAt"
            WHERE "Lease"."holder" = excluded."holder" OR "Lease"."expiresAt" < ${at(p, now)}`,
      ),
    );
    return n === 1;
  }

  private async readings(rules: Rule[], now: number): Promise<Readings> {
    const windows = new Map<number, Map<string, WindowSums>>();
    for (const w of new Set(rules.filter((r) => WINDOW_KINDS.has(r.kind)).map((r) => r.windowMinutes))) {
      const rows = await this.db.read.rollup.groupBy({
        by: ['line'],
        where: {
          resolution: 1,
          direction: 'inbound',
          // The last w whole minutes and the current one: never empty at a minute's start.
          bucket: { gte: new Date(floorMinute(now) - w * 60_000) },
        },
        _sum: {
          calls: true,
          finished: true,
          completed: true,
          mosSumCenti: true,
          mosCount: true,
          lossCount: true,
          packetsSum: true,
          lostSum: true,
          badAudioSum: true,
        },
      });
      const perLine = new Map<string, WindowSums>();
      const all = emptySums();
      for (const r of rows) {
        const s: WindowSums = {
          calls: r._sum.calls ?? 0,
          finished: r._sum.finished ?? 0,
          completed: r._sum.completed ?? 0,
          mosSumCenti: r._sum.mosSumCenti ?? 0,
          mosCount: r._sum.mosCount ?? 0,
          lossCount: r._sum.lossCount ?? 0,
          packetsSum: Number(r._sum.packetsSum ?? 0),
          lostSum: Number(r._sum.lostSum ?? 0),
          badAudioSeconds: r._sum.badAudioSum ?? 0,
        };
        perLine.set(r.line, s);
        for (const k of Object.keys(all) as (keyof WindowSums)[]) all[k] += s[k];
      }
      if (all.calls > 0) perLine.set('', all);
      windows.set(w, perLine);
    }
    const stuck = new Map<number, Map<string, number>>();
    for (const t of new Set(rules.filter((r) => r.kind === 'stuck-calls').map((r) => r.threshold))) {
      const before = now - t * 60_000;
      // Calls started in the day before the threshold: bounded by the startedAt index.
      const rows = await this.db.read.call.groupBy({
        by: ['to'],
        where: {
          direction: 'inbound',
          status: { in: NOT_FINAL },
          startedAt: { gte: new Date(before - 86_400_000), lt: new Date(before) },
        },
        _count: { _all: true },
      });
      stuck.set(t, new Map(rows.map((r) => [r.to ?? '', r._count._all])));
    }
    const needsHealth = rules.some((r) =>
      ['line-silent', 'bad-signatures', 'rejected', 'no-callbacks'].includes(r.kind),
    );
    const health = needsHealth ? await this.queries.ingestHealth(now) : null;
    return {
      now,
      windows,
      stuck,
      lines: health?.lines ?? [],
      minutes: health?.minutes ?? [],
    };
  }

  /** Evaluates every enabled rule; whether any alert opened or resolved. */
  async evaluateAll(now: number): Promise<boolean> {
    const rules = (await this.db.read.alertRule.findMany()).map(ruleOf);
    const open = await this.db.read.alert.findMany({ where: { openKey: { not: null } } });
    const active = rules.filter((r) => r.enabled);
    const readings = await this.readings(active, now);
    let changed = false;
    const seen = new Set<string>();
    for (const rule of active) {
      const snoozed = rule.snoozedUntil !== null && rule.snoozedUntil > now;
      try {
        for (const f of evaluate(rule, readings)) {
          const key = `${rule.id} ${f.line}`;
          seen.add(key);
          const alert = open.find((a) => a.openKey === key);
          if (f.holds && !alert && !snoozed) changed = (await this.fire(rule, f, key, now)) || changed;
          else if (f.holds && alert && !snoozed) await this.renotify(rule, alert, now);
          else if (!f.holds && alert)
            changed = (await this.resolve(alert, snoozed ? [] : rule.channels, now)) || changed;
        }
      } catch (err) {
        // One rule's failure stops neither the others nor the sending; its alerts stay as they are.
        for (const a of open) if (a.ruleId === rule.id) seen.add(a.openKey!);
        this.opts.log.warn({ rule: rule.name, err: String(err) }, 'alert rule not evaluated');
      }
    }
    // Alerts of rules deleted or turned off, or of lines no longer watched: closed quietly.
    for (const a of open) {
      if (!seen.has(a.openKey!)) changed = (await this.resolve(a, [], now)) || changed;
    }
    return changed;
  }

  private async fire(
    rule: Rule,
    f: { line: string; value: number | null; summary: string },
    key: string,
    now: number,
  ) {
    const id = randomUUID();
    try {
      await this.db.write.$transaction(async (tx) => {
        await tx.alert.create({
          data: {
            id,
            ruleId: rule.id,
            ruleName: rule.name,
            line: f.line,
            openKey: key,
            firedAt: new Date(now),
            value: f.value,
            threshold: rule.threshold,
            summary: f.summary,
            lastNotifiedAt: new Date(now),
          },
        });
        await this.outbox(tx, id, rule.channels, 'fired', now);
      });
      this.opts.log.info({ rule: rule.name, line: f.line, summary: f.summary }, 'alert fired');
      return true;
    } catch (err) {
      // Another evaluator opened it first (the unique open key): nothing to do.
      if ((err as { code?: string }).code === 'P2002') return false;
      throw err;
    }
  }

  private async renotify(
    rule: Rule,
    alert: { id: string; lastNotifiedAt: Date; acknowledgedAt: Date | null },
    now: number,
  ) {
    if (alert.acknowledgedAt) return;
    if (now - alert.lastNotifiedAt.getTime() < rule.renotifyMinutes * 60_000) return;
    await this.db.write.$transaction(async (tx) => {
      // Only if no one else re-notified meanwhile: the time it was last notified must not have moved.
      const moved = await tx.alert.updateMany({
        where: {
          id: alert.id,
          lastNotifiedAt: alert.lastNotifiedAt,
          acknowledgedAt: null,
          openKey: { not: null },
        },
        data: { lastNotifiedAt: new Date(now) },
      });
      if (moved.count === 1) await this.outbox(tx, alert.id, rule.channels, 'renotify', now);
    });
  }

  private async resolve(alert: { id: string }, channels: string[], now: number): Promise<boolean> {
    return this.db.write.$transaction(async (tx) => {
      const closed = await tx.alert.updateMany({
        where: { id: alert.id, openKey: { not: null } },
        data: { openKey: null, resolvedAt: new Date(now) },
      });
      if (closed.count === 1) await this.outbox(tx, alert.id, channels, 'resolved', now);
      return closed.count === 1;
    });
  }

  private async outbox(
    tx: Parameters<Parameters<Database['write']['$transaction']>[0]>[0],
    alertId: string,
    channels: string[],
    event: AlertMessage['event'],
    now: number,
  ) {
    if (channels.length === 0) return;
    await tx.alertNotification.createMany({
      data: channels.map((channelId) => ({ alertId, channelId, event, createdAt: new Date(now) })),
    });
  }

  /** Sends every notification not sent yet, a batch at a time. */
  async sendPending(): Promise<void> {
    for (;;) {
      const now = Date.now();
      const free = { sentAt: null, OR: [{ claimedUntil: null }, { claimedUntil: { lt: new Date(now) } }] };
      const due = await this.db.read.alertNotification.findMany({
        where: free,
        orderBy: { id: 'asc' },
        take: SEND_BATCH,
      });
      if (due.length === 0) return;
      const mine: typeof due = [];
      for (const n of due) {
        const claimed = await this.db.write.$transaction((tx) =>
          tx.alertNotification.updateMany({
            where: { id: n.id, ...free },
            data: { claimedUntil: new Date(now + CLAIM_MS) },
          }),
        );
        if (claimed.count === 1) mine.push(n);
      }
      if (mine.length === 0) return;
      await Promise.all(mine.map((n) => this.sendOne(n)));
    }
  }

  private async sendOne(n: { id: number; alertId: string; channelId: string; event: string }) {
    try {
      await this.sendOneUnguarded(n);
    } catch (err) {
      // Left claimed: sent again once the claim expires.
      this.opts.log.warn({ notification: n.id, err: String(err) }, 'alert notification failed');
    }
  }

  private async sendOneUnguarded(n: { id: number; alertId: string; channelId: string; event: string }) {
    const [alert, channel] = await Promise.all([
      this.db.read.alert.findUnique({ where: { id: n.alertId } }),
      this.db.read.alertChannel.findUnique({ where: { id: n.channelId } }),
    ]);
    let result: DeliveryResult;
    let kind = 'unknown';
    const parsed = channel ? channelConfigSchema.safeParse(JSON.parse(channel.config)) : null;
    if (!alert || !channel || !parsed?.success) {
      result = {
        ok: false,
        attempts: 0,
        error: channel ? 'the channel settings are unreadable' : 'the channel was deleted',
      };
    } else {
      kind = parsed.data.kind;
      result = await (this.opts.send ?? deliver)(
        parsed.data,
        messageOf(alert, n.event as AlertMessage['event'], this.opts.publicUrl),
        {
          ...this.opts.delivery,
          deliveryId: `notification-${n.id}-${n.alertId}`,
        },
      );
    }
    await this.db.write.$transaction((tx) =>
      tx.alertNotification.update({
        where: { id: n.id },
        data: {
          sentAt: new Date(),
          ok: result.ok,
          attempts: result.attempts,
          status: result.status ?? null,
          error: result.error?.slice(0, 500) ?? null,
        },
      }),
    );
    this.opts.delivered?.(kind, result.ok);
    if (!result.ok)
      this.opts.log.warn(
        { channel: channel?.name, event: n.event, error: result.error },
        'alert notification failed',
      );
  }
}

/** The message an alert's notification carries. */
export function messageOf(
  a: {
    id: string;
    ruleName: string;
    line: string;
    summary: string;
    value: number | null;
    threshold: number | null;
    firedAt: Date;
    resolvedAt: Date | null;
    acknowledgedBy: string | null;
  },
  event: AlertMessage['event'],
  publicUrl?: string,
): AlertMessage {
  return {
    event,
    alertId: a.id,
    rule: a.ruleName,
    line: a.line === '' ? null : a.line,
    summary: a.summary,
    value: a.value,
    threshold: a.threshold,
    firedAt: a.firedAt.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
    acknowledgedBy: a.acknowledgedBy,
    ...(publicUrl ? { url: `${publicUrl.replace(/\/$/, '')}/alerts?alert=${encodeURIComponent(a.id)}` } : {}),
  };
}
