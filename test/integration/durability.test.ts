// What a provider's 2xx promises: the callback is in the store, whatever happens to the process next.
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { openTestDatabase, storedCallSids } from '../helpers/db';
import { Ingestor } from '@/lib/calls/ingest/queue';
import { IngestCounters } from '@/lib/calls/health';
import { receiveCallback } from '@/lib/callbacks/webhook';
import { loadConfig } from '@/lib/config';
import { createLogger } from '@/lib/log';
import type { Runtime } from '@/lib/runtime';

const servers: RunningServer[] = [];
async function server(opts: Parameters<typeof startServer>[0] = {}) {
  const s = await startServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
});

interface Load {
  acked: string[];
  refused: number;
  failed: number;
}

/** `workers` concurrent senders until `stop()` says so, or `max` callbacks, whichever is first. */
function load(s: RunningServer, workers: number, max: number, stop: (l: Load) => boolean) {
  const l: Load = { acked: [], refused: 0, failed: 0 };
  let sent = 0;
  const worker = async () => {
    while (sent < max && !stop(l)) {
      sent++;
      const form = completedCall();
      try {
        const res = await postForm(s.url, form);
        await res.arrayBuffer();
        if (res.status === 200) l.acked.push(form.CallSid!);
        else if (res.status === 503) l.refused++;
        else throw new Error(`unexpected ${res.status}`);
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('unexpected')) throw e;
        l.failed++; // the connection died with the process: never acknowledged
      }
    }
  };
  return Promise.all(Array.from({ length: workers }, worker)).then(() => l);
}

describe('durability', () => {
  it('loses no acknowledged callback when the process is killed with SIGKILL mid-stream', async () => {
    const s = await server();
    let killed = false;
    const running = load(s, 32, 20_000, (l) => {
      if (!killed && l.acked.length >= 1500) {
        killed = true;
        s.child.kill('SIGKILL');
      }
      return killed && l.failed > 0;
    });
    const l = await running;
    expect(killed).toBe(true);

    const restarted = await server({ databaseUrl: s.databaseUrl });
    const stored = await storedCallSids(restarted.databaseUrl);
    const missing = l.acked.filter((sid) => !stored.has(sid));
    console.log(
      `SIGKILL: ${l.acked.length} acknowledged before the kill, ${l.acked.length - missing.length} found after restart, ` +
        `${l.failed} requests cut off unacknowledged, ${stored.size} stored in all`,
    );
    expect(missing).toEqual([]);
    expect(l.failed).toBeGreaterThan(0);
  });

  it('drains requests in flight on SIGTERM, stores every one it acknowledged and exits 0', async () => {
    const s = await server();
    let exitCode: Promise<number | null> | null = null;
    const l = await load(s, 32, 3000, (l) => {
      if (!exitCode && l.acked.length >= 300) exitCode = s.stop('SIGTERM');
      return exitCode !== null && l.failed > 0;
    });
    expect(await exitCode).toBe(0);
    const stored = await storedCallSids(s.databaseUrl);
    expect(l.acked.filter((sid) => !stored.has(sid))).toEqual([]);
    expect(stored.size).toBe(l.acked.length);
    expect(s.logs.join('\n')).toContain('"msg":"stopped"');
  });

  // In process, with the route's own handler and a real store: over HTTP the requests reach the
  // queue one after another on this machine's cores and a fast store drains it before it fills.
  it('answers 503 with Retry-After when the store cannot keep up, and stores exactly what it acknowledged', async () => {
    const db = await openTestDatabase();
    try {
      const ingest = new Ingestor(db, { queueLimit: 4, batchSize: 2, publish: () => {} });
      const counters = new IngestCounters(db, (err) => {
        throw err;
      });
      const rt = {
        config: loadConfig({ NODE_ENV: 'production', WEBHOOK_SIGNATURE: 'off' }),
        log: createLogger('silent'),
        ingest,
        counters,
      } as unknown as Runtime;
      const forms = Array.from({ length: 300 }, () => completedCall());
      const replies = await Promise.all(
        forms.map((f) =>
          receiveCallback(
            new Request('http://127.0.0.1/api/webhooks/call-status', {
              method: 'POST',
              headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams(f).toString(),
            }),
            rt,
          ),
        ),
      );
      const by = (code: number) => replies.filter((r) => r.status === code);
      expect(by(503).length).toBeGreaterThan(0);
      expect(by(200).length).toBeGreaterThan(0);
      expect(by(200).length + by(503).length).toBe(300);
      for (const r of by(503)) {
        expect(r.headers).toEqual({ 'Retry-After': '1' });
        expect(r.body).toEqual({ error: 'busy: retry later' });
      }
      const acked = forms.filter((_, i) => replies[i]!.status === 200).map((f) => f.CallSid!);
      const stored = new Set(
        (await db.read.call.findMany({ select: { callSid: true } })).map((c) => c.callSid),
      );
      expect(stored.size).toBe(acked.length);
      expect(acked.every((sid) => stored.has(sid))).toBe(true);
      // Accepts again once the burst has passed.
      const after = await receiveCallback(
        new Request('http://127.0.0.1/api/webhooks/call-status', {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(completedCall()).toString(),
        }),
        rt,
      );
      expect(after.status).toBe(200);
      // The ingest health panel counts what was deferred and what was taken.
      await counters.close();
      const { _sum } = await db.read.ingestMinute.aggregate({ _sum: { accepted: true, deferred: true } });
      expect(_sum).toEqual({ accepted: acked.length + 1, deferred: by(503).length });
    } finally {
      await db.close();
    }
  });
});
