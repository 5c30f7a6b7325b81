// The per-key limiter without a store, as one instance's own limits (a TV's snapshot requests) use it.
import { describe, expect, it } from 'vitest';
import { createLimiter } from '@/lib/auth/limits';

describe('createLimiter in memory', () => {
  it('refuses the event after `points` in a window, per key, saying how long to wait', async () => {
    const limiter = createLimiter({ name: 'snapshots', points: 3, durationSeconds: 60 });
    for (let i = 0; i < 3; i++) expect(await limiter.consume('tv-1')).toEqual({ ok: true });
    const refused = await limiter.consume('tv-1');
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    }
    expect(await limiter.consume('tv-2')).toEqual({ ok: true });
  });

  it('takes back one event on refund and all of them on reset', async () => {
    const limiter = createLimiter({ name: 'snapshots', points: 2, durationSeconds: 60 });
    await limiter.consume('tv');
    await limiter.consume('tv');
    await limiter.refund('tv');
    expect(await limiter.consume('tv')).toEqual({ ok: true });
    expect((await limiter.consume('tv')).ok).toBe(false);
    await limiter.reset('tv');
    expect(await limiter.consume('tv')).toEqual({ ok: true });
  });
});
