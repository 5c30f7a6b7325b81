// How many wrong passwords anyone gets, in one place. The counters live in the store (through
// rate-limiter-flexible's Prisma store), so two instances behind a balancer count the same attempts.
import { RateLimiterMemory, RateLimiterPrisma, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/client';

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface LimitRule {
  /** Prefix of the limit's keys in the store; unique per limit. */
  name: string;
  /** Events counted per key in a window; the next one is refused until the window ends. */
  points: number;
  /** The window opens at a key's first event and lasts this long. */
  durationSeconds: number;
}

export const LIMITS = {
  /** Wrong passwords for one username from one address; a success starts the count again. */
  signInPerUserAndAddress: { name: 'sign-in-user-address', points: 10, durationSeconds: 15 * 60 },
  /** Failed sign-ins from one address whatever the username: stops spraying many usernames. */
  signInPerAddress: { name: 'sign-in-address', points: 100, durationSeconds: 60 * 60 },
  /**
   * A paired TV's snapshots (its page and GET /api/dashboard): a board asks once a minute, on
   * reconnecting and when the settings change; far more is a script walking the history.
   */
  tvSnapshots: { name: 'tv-snapshots', points: 20, durationSeconds: 60 },
  /** Wrong current passwords when changing one's password, per user. */
  passwordChangePerUser: { name: 'password-change-user', points: 10, durationSeconds: 15 * 60 },
} as const satisfies Record<string, LimitRule>;

export interface Limiter {
  /** Counts one event for `key`; refused once more than `points` were counted in the window. */
  consume(key: string): Promise<Verdict>;
  /** Takes back one event `consume` counted. */
  refund(key: string): Promise<void>;
  /** Forgets the key's count. */
  reset(key: string): Promise<void>;
}

/**
 * A fixed-window counter per key: in the store when given one (shared by every instance), else in
 * this process's memory (enough where each instance may count on its own).
 */
export function createLimiter(rule: LimitRule & { store?: Db }): Limiter {
  const options = { keyPrefix: rule.name, points: rule.points, duration: rule.durationSeconds };
  const limiter = rule.store
    ? new RateLimiterPrisma({ ...options, storeClient: rule.store, tableName: 'limitCounter' })
    : new RateLimiterMemory(options);
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
        return { ok: true };
      } catch (e) {
        // Refused: rate-limiter-flexible rejects with the key's state, anything else is a failure.
        if (!(e instanceof RateLimiterRes)) throw e;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(e.msBeforeNext / 1000)) };
      }
    },
    async refund(key) {
      await limiter.reward(key);
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

function worst(verdicts: Verdict[]): Verdict {
  const refused = verdicts.filter((v) => !v.ok);
  if (refused.length === 0) return { ok: true };
  return { ok: false, retryAfterSeconds: Math.max(...refused.map((v) => v.retryAfterSeconds)) };
}

/*
 * Every attempt is counted as a failure before its password is checked, and taken back when it
 * turns out otherwise: counting only after the check would let a burst of parallel guesses all pass
 * the check of a count that none of them has raised yet. A refused attempt is taken back too, so
 * that hammering one locked username from an address does not fill that address's allowance,
 * which would lock out everyone else behind it.
 */
export function createLimits(store: Db) {
  const pair = createLimiter({ ...LIMITS.signInPerUserAndAddress, store });
  const address = createLimiter({ ...LIMITS.signInPerAddress, store });
  const password = createLimiter({ ...LIMITS.passwordChangePerUser, store });

  // Usernames are case-insensitive. The gate sets the address, which never holds a space, so the
  // two cannot run into each other. Longer usernames than anyone may have are all refused alike.
  const pairKey = (username: string, addr: string) => `${addr} ${username.toLowerCase().slice(0, 128)}`;

  return {
    /** Before checking a sign-in's password: counts it as failed unless told otherwise. */
    async signInStarted(username: string, addr: string): Promise<Verdict> {
      const key = pairKey(username, addr);
      const verdict = worst(await Promise.all([pair.consume(key), address.consume(addr)]));
      if (!verdict.ok) await Promise.all([pair.refund(key), address.refund(addr)]);
      return verdict;
    },
    /** The password was right: this username may fail afresh from here; the address keeps its count. */
    async signInSucceeded(username: string, addr: string): Promise<void> {
      await Promise.all([pair.reset(pairKey(username, addr)), address.refund(addr)]);
    },
    /** The password was never judged (a server error, the flood guard): the attempt does not count. */
    async signInUnchecked(username: string, addr: string): Promise<void> {
      await Promise.all([pair.refund(pairKey(username, addr)), address.refund(addr)]);
    },

    /**
     * Keyed on the user, not the address: whoever holds a stolen session cookie chooses where they
     * ask from, so a per-address count would be theirs to reset by moving.
     */
    async passwordChangeStarted(userId: string): Promise<Verdict> {
      const verdict = await password.consume(userId);
      if (!verdict.ok) await password.refund(userId);
      return verdict;
    },
    async passwordChangeSucceeded(userId: string): Promise<void> {
      await password.reset(userId);
    },
    async passwordChangeUnchecked(userId: string): Promise<void> {
      await password.refund(userId);
    },
  };
}

export type Limits = ReturnType<typeof createLimits>;
