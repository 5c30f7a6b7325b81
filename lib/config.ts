import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'on', 'off'])
  .transform((v) => v === 'true' || v === '1' || v === 'on');

const env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^file:/, 'only file: URLs (SQLite) are supported')
    .default('file:./data/calls.db'),
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(32_768),
  INGEST_QUEUE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(256),
  DASHBOARD_ROWS: z.coerce.number().int().min(10).max(5_000).default(500),
  NEXT_DEV: bool.default(false),
});

export type Config = z.infer<typeof env>;

export class ConfigError extends Error {}

/** Reads and validates the environment once; names every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const set = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = env.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
