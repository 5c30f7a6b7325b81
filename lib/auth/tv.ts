// Wallboard TVs: an admin creates a named entry and gets a one-time pairing code; the TV enters
// it on /pair and receives a long-lived secret in an httpOnly cookie. Only hashes are stored.
import type { WallboardInfo } from '../common/admin';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/client';

/** How long a pairing code can be used. */
const PAIRING_TTL_MS = 15 * 60_000;
/** A verified TV secret is trusted this long before the store is asked again. */
const CACHE_MS = 5_000;
// No 0/O, 1/I/L: the code is read off one screen and typed on a TV remote.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Upper-cased, without spaces and dashes, so "abcd-efgh" and "ABCDEFGH" are the same code. */
const normaliseCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

function newPairingCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** XXXXX-XXXXX, for reading aloud and typing. */
export const displayCode = (code: string) => `${code.slice(0, 5)}-${code.slice(5)}`;

export interface VerifiedTv {
  id: string;
  name: string;
  /** The lines it shows; null: every line. */
  lines: string[] | null;
}

/** A stored JSON array of lines; null (every line) when unset; none when unreadable (fails closed). */
export function parseLines(json: string | null | undefined): string[] | null {
  if (!json) return null;
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((l): l is string => typeof l === 'string') : [];
  } catch {
    return [];
  }
}

export class Wallboards {
  private cache = new Map<string, { at: number; tv: VerifiedTv | null }>();

  constructor(private readonly db: Db) {}

  async create(name: string, createdBy: string): Promise<{ id: string; code: string; expiresAt: Date }> {
    const code = newPairingCode();
    const expiresAt = new Date(Date.now() + PAIRING_TTL_MS);
    const id = randomUUID();
    await this.db.wallboard.create({
      data: { id, name, codeHash: sha256(code), codeExpiresAt: expiresAt, createdBy, createdAt: new Date() },
    });
    return { id, code, expiresAt };
  }

  /**
   * A new pairing code for a wallboard that is not revoked (a TV replaced, a code that expired).
   * The TV paired before is signed out: only the TV that uses the new code holds the wallboard.
   */
  async renew(id: string): Promise<{ code: string; expiresAt: Date } | null> {
    const code = newPairingCode();
    const expiresAt = new Date(Date.now() + PAIRING_TTL_MS);
    const { count } = await this.db.wallboard.updateMany({
      where: { id, revokedAt: null },
      data: { codeHash: sha256(code), codeExpiresAt: expiresAt, secretHash: null, pairedAt: null },
    });
    this.cache.clear();
    return count === 1 ? { code, expiresAt } : null;
  }

  /**
   * Exchanges a valid pairing code for the TV's secret; the code is spent. A wallboard paired
   * again (a renewed code) gets a new secret, which signs out the TV that held the old one.
   */
  async pair(code: string): Promise<{ id: string; name: string; secret: string } | null> {
    const codeHash = sha256(normaliseCode(code));
    const secret = randomBytes(32).toString('base64url');
    const now = new Date();
    const tv = await this.db.wallboard.findUnique({ where: { codeHash } });
    if (!tv || tv.revokedAt || !tv.codeExpiresAt || tv.codeExpiresAt < now) return null;
    // Conditional on the code still being there: two TVs racing with one code, one wins.
    const { count } = await this.db.wallboard.updateMany({
      where: { id: tv.id, codeHash, revokedAt: null },
      data: {
        codeHash: null,
        codeExpiresAt: null,
        secretHash: sha256(secret),
        pairedAt: now,
        lastSeenAt: now,
      },
    });
    if (count !== 1) return null;
    this.cache.clear();
    return { id: tv.id, name: tv.name, secret };
  }

  /** The TV a cookie secret belongs to, or null when unknown or revoked. */
  async verify(secret: string, fresh = false): Promise<VerifiedTv | null> {
    const key = sha256(secret);
    const hit = this.cache.get(key);
    if (!fresh && hit && Date.now() - hit.at < CACHE_MS) return hit.tv;
    const row = await this.db.wallboard.findUnique({ where: { secretHash: key } });
    const tv = row && !row.revokedAt ? { id: row.id, name: row.name, lines: parseLines(row.lines) } : null;
    if (this.cache.size > 1_000) this.cache.clear();
    this.cache.set(key, { at: Date.now(), tv });
    if (row && tv && (!row.lastSeenAt || Date.now() - row.lastSeenAt.getTime() > 60_000)) {
      await this.db.wallboard.update({ where: { id: row.id }, data: { lastSeenAt: new Date() } });
    }
    return tv;
  }

  /** Forgets the TVs this instance verified lately (another instance changed one). */
  forget(): void {
    this.cache.clear();
  }

  /** Limits a TV to some lines (null: every line); false when there is no such wallboard. */
  async setLines(id: string, lines: string[] | null): Promise<boolean> {
    const { count } = await this.db.wallboard.updateMany({
      where: { id },
      data: { lines: lines === null ? null : JSON.stringify(lines) },
    });
    this.cache.clear();
    return count === 1;
  }

  async revoke(id: string): Promise<boolean> {
    const { count } = await this.db.wallboard.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date(), codeHash: null, codeExpiresAt: null },
    });
    this.cache.clear();
    return count === 1;
  }

  async list(): Promise<WallboardInfo[]> {
    const rows = await this.db.wallboard.findMany({ orderBy: { createdAt: 'desc' } });
    const now = new Date();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      state: r.revokedAt
        ? 'revoked'
        : r.secretHash
          ? 'paired'
          : r.codeExpiresAt && r.codeExpiresAt > now
            ? 'waiting'
            : 'expired',
      createdAt: r.createdAt.toISOString(),
      pairedAt: r.pairedAt?.toISOString() ?? null,
      lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
      codeExpiresAt: r.codeExpiresAt?.toISOString() ?? null,
      lines: parseLines(r.lines),
    }));
  }
}
