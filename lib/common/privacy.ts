// Who sees callers' numbers, how long calls are kept, and how long the audit log is kept: the
// admin page's "Privacy" settings, stored with the board's (Setting "privacy"). Shared by server
// and browser.
import { z } from 'zod';

/** How a role sees callers' numbers: masked, masked with a per-call reveal (audited), or in full. */
export const NUMBER_VIEWS = ['masked', 'reveal', 'full'] as const;
export type NumberView = (typeof NUMBER_VIEWS)[number];

export const MAX_RETENTION_DAYS = 36_500;

export const privacySettingsSchema = z
  .object({
    /** How supervisors see callers' numbers (admins always see them in full). */
    supervisorNumbers: z.enum(NUMBER_VIEWS, { error: `must be one of ${NUMBER_VIEWS.join(', ')}` }),
    /** How paired TVs show them: a TV has no one to reveal to. */
    tvNumbers: z.enum(['masked', 'full'], { error: 'must be masked or full' }),
    /** Calls older than this many days are purged (or masked, see retentionAction); null: kept. */
    retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).nullable(),
    /** Past retentionDays: delete calls and their callbacks, or keep them with numbers masked. */
    retentionAction: z.enum(['delete', 'mask'], { error: 'must be delete or mask' }),
    /** Audit entries older than this many days are deleted. */
    auditRetentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS),
  })
  .strict();
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;

export const DEFAULT_PRIVACY: PrivacySettings = {
  supervisorNumbers: 'masked',
  tvNumbers: 'masked',
  retentionDays: null,
  retentionAction: 'delete',
  auditRetentionDays: 365,
};

/**
 * The fewest digits a masked viewer's caller search takes. A mask hides at least three digits
 * between the ones it shows (`+1 555 ••• 0123`), so seven digits in a row always span every hidden
 * one: a search then confirms a whole number (a thousand guesses and more), never one hidden digit
 * at a time (ten guesses each), which short searches would allow.
 */
export const MASKED_SEARCH_DIGITS = 7;

/** What the admin page shows of retention's background work (lib/ops/retention.ts). */
export interface RetentionState {
  /** Calls started before this (epoch ms, a UTC midnight) have been deleted; null: none. */
  purgedBefore: number | null;
  /** Calls started before this have their numbers masked; null: none. */
  maskedBefore: number | null;
  /** When the last pass ended (epoch ms); null: never. */
  lastRunAt: number | null;
  /** Calls the last pass deleted, and masked. */
  lastDeleted: number | null;
  lastMasked: number | null;
}

/** The most lines one supervisor or TV can be limited to. */
export const MAX_SCOPE_LINES = 200;

/** PUT /api/admin/users/:id/lines and /api/admin/wallboards/:id/lines: the lines, or null for all. */
export const linesSchema = z
  .object({
    lines: z
      .array(z.string().trim().min(1, 'a line is a number such as +15551230000').max(256))
      .min(1, 'name at least one line, or send null for every line')
      .max(MAX_SCOPE_LINES, `at most ${MAX_SCOPE_LINES} lines`)
      .nullable(),
  })
  .strict();

/** Stored privacy settings over `defaults`; an unreadable row falls back to them. */
export function readPrivacy(json: string | null | undefined, defaults = DEFAULT_PRIVACY): PrivacySettings {
  if (!json) return defaults;
  try {
    const parsed = privacySettingsSchema.safeParse({ ...defaults, ...(JSON.parse(json) as object) });
    return parsed.success ? parsed.data : defaults;
  } catch {
    return defaults;
  }
}
