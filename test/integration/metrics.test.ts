// GET /metrics: Prometheus text for operators, behind METRICS_TOKEN, counting what the server did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';
import { completedCall, postForm } from '../helpers/callbacks';
import { openBoard, type TestBoard } from '../helpers/board';
import { waitFor } from '../helpers/wait';

const TOKEN = 'metrics-token-0123456789';

/** A sample's value from the exposition text, e.g. value(text, 'wallboard_callbacks_total{outcome="stored"}'). */
function value(text: string, sample: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? null : Number(line.slice(sample.length + 1));
}

describe('GET /metrics', () => {
  let server: RunningServer;
  let board: TestBoard | undefined;
  const scrape = (auth?: string) =>
    fetch(new URL('/metrics', server.url), auth ? { headers: { Authorization: auth } } : {});

  beforeAll(async () => {
    server = await startServer({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    board?.close();
    await server?.stop();
  });

  it('needs the bearer token: none or a wrong one gets 401, and no figures', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await scrape(auth);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.text()).not.toContain('wallboard_');
    }
    // A signed-in admin's session is not the token either.
    expect((await server.get('/metrics')).status).toBe(401);
  });

  it('counts callbacks by outcome, commits, queue depth and connected boards', async () => {
    const first = completedCall();
    for (const form of [first, completedCall(), first])
      expect((await postForm(server.url, form)).status).toBe(200);
    expect((await postForm(server.url, completedCall(), 'not-the-signing-key-123')).status).toBe(403);
    board = await openBoard(server.url, server.cookie);
    await board.hello;

    const res = await scrape(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(value(text, 'wallboard_callbacks_total{outcome="stored"}')).toBe(2);
    expect(value(text, 'wallboard_callbacks_total{outcome="duplicate"}')).toBe(1);
    expect(value(text, 'wallboard_callbacks_total{outcome="bad_signature"}')).toBe(1);
    expect(value(text, 'wallboard_callbacks_total{outcome="rejected"}')).toBe(0);
    // The two new calls and the retry were committed, in one transaction or more.
    expect(value(text, 'wallboard_ingest_commit_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'wallboard_ingest_batch_callbacks_sum')).toBe(3);
    expect(value(text, 'wallboard_ingest_queue_depth')).toBe(0);
    expect(value(text, 'wallboard_boards_connected{kind="person"}')).toBe(1);
    expect(value(text, 'wallboard_boards_connected{kind="tv"}')).toBe(0);
    expect(value(text, 'wallboard_process_resident_memory_bytes')).toBeGreaterThan(0);

    board.close();
    await waitFor(async () => {
      const t = await (await scrape(`Bearer ${TOKEN}`)).text();
      return value(t, 'wallboard_boards_connected{kind="person"}') === 0;
    }, 'the closed board to leave the count');
  });

  it('is off (404) on a server without METRICS_TOKEN', async () => {
    const plain = await startServer({ signIn: false });
    try {
      const res = await fetch(new URL('/metrics', plain.url), {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
