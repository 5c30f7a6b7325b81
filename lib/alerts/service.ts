// Alert rules, channels and alerts as the API serves them: validated, secrets kept server-side.
import { randomUUID } from 'node:crypto';
import Papa from 'papaparse';
import type { Database, Tx } from '../db/client';
import { channelConfigSchema, describeChannel, redactChannel, type ChannelConfig } from './channels';
import { ruleInputSchema, type RuleInput } from '../common/alert-rules';
import { ruleOf } from './evaluator';
import { z } from 'zod';
import { FORMULA_START } from '../calls/csv-format';

export const channelInputSchema = z.object({
  name: z.string().trim().min(1, 'required').max(80),
  config: channelConfigSchema,
});

const ms = z.coerce.number().int().min(0);
/** GET /api/alerts and its export: open ones only, or a range of firing times, or one rule's. */
export const alertQuerySchema = z.object({
  open: z.enum(['1', 'true']).optional(),
  from: ms.optional(),
  to: ms.optional(),
  rule: z.string().min(1).max(100).optional(),
});

/** A refusal the API answers with its status, naming the field. */
export class AlertInputError extends Error {
  override name = 'AlertInputError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface AlertRow {
  id: string;
  ruleId: string;
  rule: string;
  line: string | null;
  summary: string;
  value: number | null;
  threshold: number | null;
  firedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  open: boolean;
  notifications: {
    channel: string;
    event: string;
    sentAt: string | null;
    ok: boolean | null;
    attempts: number;
    error: string | null;
  }[];
}

export interface AlertQuery {
  from?: number;
  to?: number;
  rule?: string;
  open?: boolean;
  limit?: number;
  /** A line-scoped viewer's lines: alerts about other lines, or all lines together, are left out. */
  lines?: readonly string[] | null;
}

export function createAlertService(db: Database) {
  // Writes in transactions of their own: on SQLite's one writer connection a bare statement would
  // run inside whatever ingest transaction is open, and share its fate.
  const write = <T>(fn: (tx: Tx) => Promise<T>) => db.write.$transaction(fn);
  async function channelIds(ids: string[]) {
    if (ids.length === 0) return;
    const found = await db.read.alertChannel.findMany({ where: { id: { in: ids } }, select: { id: true } });
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0)
      throw new AlertInputError(400, `channels: no channel ${missing.join(', ')}`, 'channels');
  }
  const ruleRow = (r: Parameters<typeof ruleOf>[0]) => {
    const rule = ruleOf(r);
    return {
      ...rule,
      snoozedUntil: rule.snoozedUntil === null ? null : new Date(rule.snoozedUntil).toISOString(),
    };
  };
  const ruleData = (input: RuleInput) => ({
    name: input.name,
    kind: input.kind,
    line: input.line,
    threshold: input.threshold,
    windowMinutes: input.windowMinutes,
    minCalls: input.minCalls,
    channels: JSON.stringify(input.channels),
    renotifyMinutes: input.renotifyMinutes,
    snoozedUntil: input.snoozedUntil === null ? null : new Date(input.snoozedUntil),
    enabled: input.enabled,
  });

  return {
    async listChannels() {
      const rows = await db.read.alertChannel.findMany({ orderBy: { createdAt: 'asc' } });
      return rows.map((c) => {
        const config = channelConfigSchema.parse(JSON.parse(c.config));
        return {
          id: c.id,
          name: c.name,
          kind: c.kind,
          describe: describeChannel(config),
          config: redactChannel(config),
        };
      });
    },
    async createChannel(name: string, config: ChannelConfig) {
      const id = randomUUID();
      await write((tx) =>
        tx.alertChannel.create({
          data: { id, name, kind: config.kind, config: JSON.stringify(config), createdAt: new Date() },
        }),
      );
      return {
        id,
        name,
        kind: config.kind,
        describe: describeChannel(config),
        config: redactChannel(config),
      };
    },
    async channelConfig(id: string): Promise<ChannelConfig> {
      const c = await db.read.alertChannel.findUnique({ where: { id } });
      if (!c) throw new AlertInputError(404, 'no such channel');
      return channelConfigSchema.parse(JSON.parse(c.config));
    },
    async deleteChannel(id: string) {
      const used = (await db.read.alertRule.findMany()).filter((r) =>
        (JSON.parse(r.channels) as string[]).includes(id),
      );
      if (used.length > 0) {
        throw new AlertInputError(
          409,
          `the channel is used by ${used.map((r) => `"${r.name}"`).join(', ')}: remove it there first`,
        );
      }
      const gone = await write((tx) => tx.alertChannel.deleteMany({ where: { id } }));
      if (gone.count === 0) throw new AlertInputError(404, 'no such channel');
    },
    async listRules() {
      return (await db.read.alertRule.findMany({ orderBy: { createdAt: 'asc' } })).map(ruleRow);
    },
    async createRule(input: RuleInput) {
      await channelIds(input.channels);
      const row = await write((tx) =>
        tx.alertRule.create({ data: { id: randomUUID(), createdAt: new Date(), ...ruleData(input) } }),
      );
      return ruleRow(row);
    },
    async updateRule(id: string, patch: Record<string, unknown>) {
      const row = await db.read.alertRule.findUnique({ where: { id } });
      if (!row) throw new AlertInputError(404, 'no such rule');
      const current = ruleRow(row);
      const parsed = ruleInputSchema.safeParse({ ...current, ...patch });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join('.') || 'body';
        throw new AlertInputError(400, `${field}: ${issue.message}`, field);
      }
      await channelIds(parsed.data.channels);
      return ruleRow(
        await write((tx) => tx.alertRule.update({ where: { id }, data: ruleData(parsed.data) })),
      );
    },
    async deleteRule(id: string) {
      const gone = await write((tx) => tx.alertRule.deleteMany({ where: { id } }));
      if (gone.count === 0) throw new AlertInputError(404, 'no such rule');
    },
    async listAlerts(q: AlertQuery = {}): Promise<AlertRow[]> {
      const alerts = await db.read.alert.findMany({
        where: {
          ...(q.open ? { openKey: { not: null } } : {}),
          ...(q.rule ? { ruleId: q.rule } : {}),
          ...(q.lines ? { line: { in: [...q.lines].filter((l) => l !== '') } } : {}),
          firedAt: {
            ...(q.from !== undefined ? { gte: new Date(q.from) } : {}),
            ...(q.to !== undefined ? { lt: new Date(q.to) } : {}),
          },
        },
        orderBy: { firedAt: 'desc' },
        take: Math.min(q.limit ?? 500, 10_000),
      });
      const ids = alerts.map((a) => a.id);
      const [notes, channels] = await Promise.all([
        ids.length > 0
          ? db.read.alertNotification.findMany({ where: { alertId: { in: ids } }, orderBy: { id: 'asc' } })
          : [],
        db.read.alertChannel.findMany({ select: { id: true, name: true } }),
      ]);
      const nameOf = new Map(channels.map((c) => [c.id, c.name]));
      return alerts.map((a) => ({
        id: a.id,
        ruleId: a.ruleId,
        rule: a.ruleName,
        line: a.line === '' ? null : a.line,
        summary: a.summary,
        value: a.value,
        threshold: a.threshold,
        firedAt: a.firedAt.toISOString(),
        acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
        acknowledgedBy: a.acknowledgedBy,
        resolvedAt: a.resolvedAt?.toISOString() ?? null,
        open: a.openKey !== null,
        notifications: notes
          .filter((n) => n.alertId === a.id)
          .map((n) => ({
            channel: nameOf.get(n.channelId) ?? '(deleted channel)',
            event: n.event,
            sentAt: n.sentAt?.toISOString() ?? null,
            ok: n.ok,
            attempts: n.attempts,
            error: n.error,
          })),
      }));
    },
    /** Records who acknowledged an open alert; re-notification stops. False if it was not open or already acknowledged. */
    async acknowledge(id: string, by: string, lines: readonly string[] | null = null): Promise<boolean> {
      const scope = lines ? { line: { in: [...lines].filter((l) => l !== '') } } : {};
      const done = await db.write.$transaction(async (tx) => {
        const n = await tx.alert.updateMany({
          where: { id, openKey: { not: null }, acknowledgedAt: null, ...scope },
          data: { acknowledgedAt: new Date(), acknowledgedBy: by },
        });
        if (n.count !== 1) return false;
        // The rule's channels hear who took it on (the evaluator sends it with the others).
        const alert = await tx.alert.findUnique({ where: { id } });
        const rule = alert && (await tx.alertRule.findUnique({ where: { id: alert.ruleId } }));
        const channels = rule ? (JSON.parse(rule.channels) as string[]) : [];
        if (channels.length > 0) {
          await tx.alertNotification.createMany({
            data: channels.map((channelId) => ({
              alertId: id,
              channelId,
              event: 'acknowledged',
              createdAt: new Date(),
            })),
          });
        }
        return true;
      });
      if (done) return true;
      if (!(await db.read.alert.findFirst({ where: { id, ...scope } })))
        throw new AlertInputError(404, 'no such alert');
      return false;
    },
  };
}

export type AlertService = ReturnType<typeof createAlertService>;

/** Alerts as CSV, one row per alert, its notifications summed up in the last columns. */
export function alertsCsv(rows: AlertRow[]): string {
  return Papa.unparse(
    {
      fields: [
        'Fired',
        'Rule',
        'Line',
        'Summary',
        'Acknowledged',
        'Acknowledged By',
        'Resolved',
        'Notifications Sent',
        'Notifications Failed',
        'Delivery Errors',
      ],
      data: rows.map((a) => [
        a.firedAt,
        a.rule,
        a.line ?? 'all lines',
        a.summary,
        a.acknowledgedAt ?? '',
        a.acknowledgedBy ?? '',
        a.resolvedAt ?? '',
        a.notifications.filter((n) => n.ok).length,
        a.notifications.filter((n) => n.ok === false).length,
        [...new Set(a.notifications.filter((n) => n.error).map((n) => `${n.channel}: ${n.error}`))].join(
          '; ',
        ),
      ]),
    },
    // As the call export: a cell a spreadsheet would run as a formula is neutralised, phone numbers kept.
    { escapeFormulae: FORMULA_START, newline: '\r\n' },
  );
}
