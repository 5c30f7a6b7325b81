import { z } from 'zod';
import { DEFAULT_PRIVACY, type PrivacySettings } from './common/privacy';

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off'])
  .transform((v) => v === 'true' || v === '1' || v === 'on');

const env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: (SQLite) or postgresql:// (PostgreSQL)')
    .default('file:./data/calls.db'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(32_768),
  /** A request whose headers have not all arrived after this long is cut off with 408. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
  /**
   * A request (headers and body) not received in full after this long is cut off with 408. Only
   * receiving: an answer (a long CSV export) may take as long as it needs.
   */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  INGEST_QUEUE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(256),
  DASHBOARD_ROWS: z.coerce.number().int().min(10).max(5_000).default(500),
  /** CSV exports running at once on this instance (and never more than one per user). */
  EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** An export whose client reads nothing for this long is ended, and its slot freed. */
  EXPORT_IDLE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  NEXT_DEV: bool.default(false),
  SIGNALWIRE_SIGNING_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  /**
   * The secret of a Twilio SharedKey, for callbacks Twilio signs with a Webhook Setting (HMAC-SHA1
   * or HMAC-SHA256) instead of the Auth Token: those carry X-Twilio-Webhooks-Signature-Settings.
   */
  TWILIO_SHARED_KEY_SECRET: z.string().min(8, 'must be at least 8 characters').optional(),
  WEBHOOK_SIGNATURE: z.enum(['on', 'off']).default('on'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://wallboard.example.com' })
    .optional(),
  TRUST_PROXY: bool.default(false),
  /** Signs session cookies; generated once and kept in the store when unset. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The first admin's username, created when the store has no users. */
  ADMIN_USERNAME: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{2,64}$/, 'must be 2-64 letters, digits, dots, dashes or underscores')
    .default('admin'),
  /** The first admin's password; without it a one-time password is printed at the first start. */
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** How often the alert rules are evaluated (by one instance: the lease holder). */
  ALERT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(15).default(15),
  /** The mail server alert emails go through: smtp://user:pass@host:587, or smtps:// for TLS. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL' }).optional(),
  /** The From address of alert emails. */
  ALERT_EMAIL_FROM: z.string().min(3).max(200).optional(),
  /**
   * Calls older than this many days are purged (their rollups stay), until the admin page's
   * Privacy settings say otherwise. Unset: kept.
   */
  RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /** Past RETENTION_DAYS: delete the calls, or keep them with callers' numbers masked. */
  RETENTION_ACTION: z.enum(['delete', 'mask']).default('delete'),
  /** Audit entries older than this many days are deleted (until the admin page says otherwise). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
  /** Turns on GET /metrics (Prometheus), which then needs `Authorization: Bearer <this>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Serves the benchmark's do-nothing reference route; for `npm run bench` only. */
  BENCH_ROUTES: z.enum(['on', 'off']).default('off'),
  /** Names the deployed release; boards reload when it changes. Default: the Next.js build id. */
  RELEASE: z.string().max(100).optional(),
});

const checked = env.refine((c) => c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_REQUEST_TIMEOUT_MS, {
  message: 'must not be longer than HTTP_REQUEST_TIMEOUT_MS',
  path: ['HTTP_HEADERS_TIMEOUT_MS'],
});

export type Config = z.infer<typeof env>;

/** Every environment variable the server reads: docs/settings.md and .env.example name the same. */
export const CONFIG_VARIABLES = Object.keys(env.shape);

export class ConfigError extends Error {}

/** Reads and validates the environment once; names every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const set = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = checked.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export type SigningMode = 'enforced' | 'off' | 'unconfigured';

/**
 * Enforced whenever a key is set, unless turned off explicitly. Without a key, production refuses
 * callbacks (503) rather than accept forgeries silently; development accepts them unsigned.
 */
export function signingMode(c: Config): SigningMode {
  if (c.WEBHOOK_SIGNATURE === 'off') return 'off';
  if (signingKeys(c).length > 0 || c.TWILIO_SHARED_KEY_SECRET) return 'enforced';
  return c.NODE_ENV === 'production' ? 'unconfigured' : 'off';
}

/** The keys of every signature but a Twilio SharedKey's (TWILIO_SHARED_KEY_SECRET signs those alone). */
export function signingKeys(c: Config): string[] {
  return [c.SIGNALWIRE_SIGNING_KEY, c.TWILIO_AUTH_TOKEN].filter((k): k is string => Boolean(k));
}

export const UNCONFIGURED_MESSAGE =
  'Callbacks are refused: webhook signing is not configured. Set SIGNALWIRE_SIGNING_KEY (SignalWire) ' +
  'or TWILIO_AUTH_TOKEN (Twilio), or WEBHOOK_SIGNATURE=off to accept unsigned callbacks for a local trial.';

/** What the dashboard should say about the webhook's protection, if anything. */
export function signingNotice(c: Config): { level: 'error' | 'warning'; text: string } | null {
  switch (signingMode(c)) {
    case 'unconfigured':
      return { level: 'error', text: UNCONFIGURED_MESSAGE };
    case 'off':
      return {
        level: 'warning',
        text: 'Signature checks are off: anyone who can reach the webhook can add calls to this board.',
      };
    default:
      return null;
  }
}

/** The privacy settings in force until an admin saves others: from the environment. */
export function privacyDefaults(c: Config): PrivacySettings {
  return {
    ...DEFAULT_PRIVACY,
    retentionDays: c.RETENTION_DAYS ?? null,
    retentionAction: c.RETENTION_ACTION,
    auditRetentionDays: c.AUDIT_RETENTION_DAYS,
  };
}
