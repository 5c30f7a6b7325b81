// A PostgreSQL failover under load, as the server sees it: every connection of the store and of
// the live fan-out is cut at once (pg_terminate_backend), twice. Nothing acknowledged may be lost,
// no error may escape its handler, and the live feed between instances must come back.
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { io as connect, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { PG_ADMIN_URL, TEST_PROVIDER, storedCallSids, tempDatabaseUrl } from '../helpers/db';
import type { CallUpdate } from '@/lib/common/types';
import { waitFor } from '../helpers/wait';

const running: { stop(): unknown }[] = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

/** Cuts every connection to `database` but the one asking; returns how many were cut. */
async function terminateBackends(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ cut: boolean }>(
      'SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    return rows.filter((r) => r.cut).length;
  } finally {
    await admin.end();
  }
}

interface Load {
  acked: string[];
  statuses: Map<number, number>;
  failed: number;
}

/** `workers` concurrent senders to `s` until `stop()` says so. */
function load(s: RunningServer, workers: number, stop: () => boolean) {
  const l: Load = { acked: [], statuses: new Map(), failed: 0 };
  const worker = async () => {
    while (!stop()) {
      const form = completedCall();
      try {
        const res = await postForm(s.url, form);
        await res.arrayBuffer();
        l.statuses.set(res.status, (l.statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 200 && res.status < 300) l.acked.push(form.CallSid!);
      } catch {
        l.failed++;
      }
    }
  };
  return { l, done: Promise.all(Array.from({ length: workers }, worker)).then(() => l) };
}

describe.runIf(TEST_PROVIDER === 'postgresql')('PostgreSQL connections cut under load', () => {
  it('loses no acknowledged callback, logs every error as handled, and the live feed recovers', async () => {
    const databaseUrl = await tempDatabaseUrl();
    const database = new URL(databaseUrl).pathname.slice(1);
    const a = await startServer({ databaseUrl });
    running.push({ stop: () => a.stop() });
    const b = await startServer({ databaseUrl });
    running.push({ stop: () => b.stop() });

    // A board on instance B; the callbacks go to instance A, so only the fan-out carries them.
    const board: Socket = connect(b.url, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie: b.cookie },
    });
    running.push({ stop: () => board.close() });
    const seen = new Set<string>();
    board.on('calls', (updates: CallUpdate[]) => {
      for (const u of updates) seen.add(u.call.callSid);
    });
    await new Promise<void>((r) => board.once('connect', () => r()));

    let stopped = false;
    const sending = load(a, 8, () => stopped);
    let cuts = 0;
    for (let round = 1; round <= 2; round++) {
      const before = sending.l.acked.length;
      await waitFor(
        () => sending.l.acked.length >= before + 200,
        `200 more acknowledged callbacks (round ${round})`,
      );
      cuts += await terminateBackends(database);
    }
    // Keep sending until the store answers again after the second cut.
    const afterCut = sending.l.acked.length;
    await waitFor(
      () => sending.l.acked.length >= afterCut + 200,
      '200 acknowledged callbacks after the cuts',
    );
    stopped = true;
    const l = await sending.done;
    expect(cuts).toBeGreaterThan(4);

    const stored = await storedCallSids(databaseUrl);
    const missing = l.acked.filter((sid) => !stored.has(sid));
    console.log(
      `failover: ${cuts} connections cut in two rounds; ${l.acked.length} acknowledged, ` +
        `statuses ${JSON.stringify(Object.fromEntries(l.statuses))}, ${l.failed} connection errors`,
    );
    expect(missing).toEqual([]);

    // Both instances alive and healthy.
    for (const s of [a, b]) {
      expect(s.child.exitCode).toBeNull();
      expect(s.child.signalCode).toBeNull();
      const health = await fetch(new URL('/api/health', s.url));
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
    }

    // Every error was caught where it happened and logged as one JSON line; none reached the
    // process-level handlers (which print a bare stack trace and carry on).
    for (const s of [a, b]) {
      const escaped = s.logs.filter(
        (line) =>
          /uncaughtException|unhandledRejection/.test(line) ||
          (!line.startsWith('{') && /error|terminat/i.test(line)),
      );
      expect(escaped).toEqual([]);
    }
    // The live feed between instances carries new calls again (its LISTEN connection was cut too).
    const probes: string[] = [];
    const probing = setInterval(() => {
      const form = completedCall();
      probes.push(form.CallSid!);
      void postForm(a.url, form).then(
        (r) => r.arrayBuffer(),
        () => {},
      );
    }, 250);
    try {
      await waitFor(
        () => probes.some((sid) => seen.has(sid)),
        'a callback sent to A to reach a board on B',
        20_000,
      );
    } finally {
      clearInterval(probing);
    }
  }, 120_000);
});
