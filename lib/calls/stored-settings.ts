// The board's settings in the store (Setting table), and keeping the rollups banded by them.
import type { Database, Db, Tx } from '../db/client';
import { keptBeforeOf, PURGE_CUTOFF_KEY, PURGED_BEFORE_KEY, rebuildRollups } from './aggregate';
import { lockIngest } from './rollup';
import { boardSettingsSchema, parseSettings, readSettings, type BoardSettings } from '../common/settings';
import { readPrivacy, type PrivacySettings } from '../common/privacy';
import { DEFAULT_MOS_LIMITS, type MosLimits } from '../common/status';

const BOARD_KEY = 'board';
const PRIVACY_KEY = 'privacy';
/** The MOS bounds the stored rollups were counted with: ingest adds to them with the same. */
export const ROLLUP_LIMITS_KEY = 'rollup.mosLimits';

/**
 * The board's settings and where retention's purges begin (keptRollupsBefore), in one read: a
 * board snapshot needs both.
 */
export async function loadBoardState(
  client: Db | Tx,
): Promise<{ settings: BoardSettings; purgedUntil: number | null }> {
  const rows = await client.setting.findMany({
    where: { key: { in: [BOARD_KEY, PURGED_BEFORE_KEY, PURGE_CUTOFF_KEY] } },
  });
  return {
    settings: readSettings(rows.find((r) => r.key === BOARD_KEY)?.value),
    purgedUntil: keptBeforeOf(rows),
  };
}

export async function loadSettings(client: Db | Tx): Promise<BoardSettings> {
  const row = await client.setting.findUnique({ where: { key: BOARD_KEY } });
  return readSettings(row?.value);
}

/** Who sees callers' numbers and how long calls are kept: stored, else `defaults` (the environment). */
export async function loadPrivacy(client: Db | Tx, defaults: PrivacySettings): Promise<PrivacySettings> {
  const row = await client.setting.findUnique({ where: { key: PRIVACY_KEY } });
  return readPrivacy(row?.value, defaults);
}

export async function savePrivacy(client: Db, settings: PrivacySettings): Promise<void> {
  const value = JSON.stringify(settings);
  await client.setting.upsert({
    where: { key: PRIVACY_KEY },
    create: { key: PRIVACY_KEY, value },
    update: { value },
  });
}

/**
 * The privacy settings, read from the store at most once per `ttlMs`: every request's identity
 * carries them (lib/auth/access.ts). Another instance's change is seen within `ttlMs`.
 */
export function privacyCache(client: Db, defaults: PrivacySettings, ttlMs = 2_000) {
  let cached: { at: number; value: Promise<PrivacySettings> } | null = null;
  return {
    get(): Promise<PrivacySettings> {
      if (!cached || Date.now() - cached.at > ttlMs) {
        const value = loadPrivacy(client, defaults);
        cached = { at: Date.now(), value };
        value.catch(() => (cached = null));
      }
      return cached.value;
    },
    /** Forgets the cached value (after this instance saved new settings). */
    invalidate() {
      cached = null;
    },
  };
}

/** Stored MOS bounds, or null when the row is not a valid set of them. */
function parseLimits(value: string): MosLimits | null {
  try {
    const parsed = boardSettingsSchema.shape.mosLimits.safeParse(JSON.parse(value));
    return parsed.success ? (parsed.data as MosLimits) : null;
  } catch {
    return null;
  }
}

/** The MOS bands the rollups count with, from their stored value (the defaults without one). */
export function limitsOf(value: string | null | undefined): MosLimits {
  return (value ? parseLimits(value) : null) ?? DEFAULT_MOS_LIMITS;
}

export async function rollupLimits(tx: Tx | Db): Promise<MosLimits> {
  const row = await tx.setting.findUnique({ where: { key: ROLLUP_LIMITS_KEY } });
  return limitsOf(row?.value);
}

const same = (a: MosLimits, b: MosLimits) => a.every((v, i) => v === b[i]);

/**
 * Writes the settings; when the MOS bands moved, recounts every rollup with them in the same
 * transaction, under the ingest lock, so no commit counts with the old bands after it.
 * A recount reads every call: seconds at a million.
 */
export async function saveSettings(db: Database, settings: BoardSettings): Promise<{ recounted: boolean }> {
  return db.write.$transaction(
    async (tx) => {
      if (db.provider === 'postgresql') await lockIngest(tx);
      const value = JSON.stringify(settings);
      await tx.setting.upsert({
        where: { key: BOARD_KEY },
        create: { key: BOARD_KEY, value },
        update: { value },
      });
      return { recounted: await recountIfMoved(tx, db, settings.mosLimits) };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

async function recountIfMoved(tx: Tx, db: Database, limits: MosLimits): Promise<boolean> {
  const stored = await tx.setting.findUnique({ where: { key: ROLLUP_LIMITS_KEY } });
  // Unreadable bounds are no record of how the rollups were counted: recount them.
  const counted = stored && parseLimits(stored.value);
  if (counted && same(counted, limits)) return false;
  await rebuildRollups(tx, db.provider, limits);
  const value = JSON.stringify(limits);
  await tx.setting.upsert({
    where: { key: ROLLUP_LIMITS_KEY },
    create: { key: ROLLUP_LIMITS_KEY, value },
    update: { value },
  });
  return true;
}

/**
 * At start: rollups counted by an older version (before bad-audio minutes, or without a readable
 * record of their bands) are recounted once. A stored row that cannot be read never stops the
 * server: the defaults apply, and each such row is named in `unreadable` for the log.
 */
export async function ensureRollups(db: Database): Promise<{ recounted: boolean; unreadable: string[] }> {
  return db.write.$transaction(
    async (tx) => {
      if (db.provider === 'postgresql') await lockIngest(tx);
      const rows = await tx.setting.findMany({ where: { key: { in: [BOARD_KEY, ROLLUP_LIMITS_KEY] } } });
      const value = (key: string) => rows.find((r) => r.key === key)?.value;
      const { settings, problem } = parseSettings(value(BOARD_KEY));
      const unreadable = problem ? [`Setting "${BOARD_KEY}": ${problem}; the default settings apply`] : [];
      const limits = value(ROLLUP_LIMITS_KEY);
      if (limits !== undefined && !parseLimits(limits)) {
        unreadable.push(
          `Setting "${ROLLUP_LIMITS_KEY}": not four rising MOS bounds; the rollups are recounted`,
        );
      }
      return { recounted: await recountIfMoved(tx, db, settings.mosLimits), unreadable };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}
