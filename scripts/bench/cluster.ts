// Two instances on one PostgreSQL store behind one load generator: ingest spread over both against
// one alone, what the ingest lock costs, and live push from one instance to boards on the other.
import pg from 'pg';
import type { RunningServer } from '../../test/helpers/server';
import { WEBHOOK, fmt, log, sleep, type Row } from './common';
import { interleavedPairs, load, type LoadResult } from './load';
import { BOARDS, LIVE_BUDGET_MS, liveLatency } from './live';
import { LOAD_SECONDS, QUICK, ROUNDS } from './options';

const CONNECTIONS = 32;
/** The cross-instance push: callbacks a second, and how long each side runs. */
const CROSS_RATE = 100;
const CROSS_SECONDS = QUICK ? 5 : 10;
/** How often pg_stat_activity is read while the load runs. */
const LOCK_SAMPLE_MS = 20;

/**
 * Reads pg_stat_activity every LOCK_SAMPLE_MS while `during` runs: how many of the store's backends
 * are waiting for an advisory lock. The only advisory lock the server takes is the ingest lock
 * (LOCK_INGEST in lib/calls/rollup.ts), held from a batch's first statement to its commit; each
 * instance commits one batch at a time, so a waiting backend is an instance whose batch waits for
 * the other's commit. The share of samples with one waiting approximates the share of the run an
 * instance spent waiting; the mean is backend-seconds waited per second.
 */
class LockSampler {
  samples = 0;
  waitingSamples = 0;
  waiting = 0;
  private constructor(private readonly client: pg.Client) {}

  static async open(url: string) {
    const client = new pg.Client({ connectionString: url });
    // A run that fails drops the database under it: that ends this connection, not the bench.
    client.on('error', (e) => log(`pg_stat_activity sampler: ${e.message}`));
    await client.connect();
    return new LockSampler(client);
  }

  async during<T>(run: () => Promise<T>): Promise<T> {
    let running = true;
    const sampling = (async () => {
      while (running) {
        const t = performance.now();
        const { rows } = await this.client.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
        );
        this.samples++;
        this.waiting += rows[0]!.waiting;
        if (rows[0]!.waiting > 0) this.waitingSamples++;
        await sleep(t + LOCK_SAMPLE_MS - performance.now());
      }
    })();
    try {
      return await run();
    } finally {
      running = false;
      await sampling;
    }
  }

  get share() {
    return this.samples ? this.waitingSamples / this.samples : NaN;
  }
  get mean() {
    return this.samples ? this.waiting / this.samples : NaN;
  }

  close() {
    return this.client.end();
  }
}

/**
 * Signed callbacks at full speed (autocannon) spread over instances `a` and `b` at once, half the
 * connections each and their callbacks/s summed, against the same connections all on `a` alone,
 * in interleaved pairs; pg_stat_activity is watched for the ingest lock throughout.
 */
export async function twoVersusOne(a: RunningServer, b: RunningServer, fanout: string): Promise<Row> {
  await load(a, WEBHOOK, 2); // warm-up, both instances
  await load(b, WEBHOOK, 2);
  const one = await LockSampler.open(a.databaseUrl);
  const two = await LockSampler.open(a.databaseUrl);
  try {
    const pairs = await interleavedPairs(
      () => one.during(() => load(a, WEBHOOK, LOAD_SECONDS, CONNECTIONS)),
      () =>
        two.during(async (): Promise<LoadResult> => {
          const [x, y] = await Promise.all([
            load(a, WEBHOOK, LOAD_SECONDS, CONNECTIONS / 2),
            load(b, WEBHOOK, LOAD_SECONDS, CONNECTIONS / 2),
          ]);
          log(
            `two instances: A ${fmt(x.rps)}/s (p99 ${fmt(x.p99)} ms), B ${fmt(y.rps)}/s (p99 ${fmt(y.p99)} ms)`,
          );
          return {
            rps: x.rps + y.rps,
            p50: Math.max(x.p50, y.p50),
            p99: Math.max(x.p99, y.p99),
            errors: x.errors + y.errors,
          };
        }),
    );
    log(
      `two instances vs one: ${fmt(pairs.measured.rps)}/s vs ${fmt(pairs.reference.rps)}/s, ratios ` +
        `${pairs.ratios.map((r) => fmt(r, 2)).join(' ')}; waiting for the ingest lock in ${fmt(100 * two.share)}% ` +
        `of ${fmt(two.samples)} samples (one instance: ${fmt(100 * one.share)}%)`,
    );
    const faster = pairs.ratio > 1;
    return {
      measure:
        `Two instances (PostgreSQL, ${fanout} fan-out): signed callbacks/s, ${CONNECTIONS / 2} connections to each at once, ` +
        `summed, median of ${ROUNDS} interleaved pairs; time an instance waits for the other's ingest lock`,
      result:
        `${fmt(pairs.measured.rps)}/s (slower instance's p99 ${fmt(pairs.measured.p99)} ms); ratio ${fmt(pairs.ratio, 2)}, ` +
        `spread ${fmt(pairs.spread[0], 2)}–${fmt(pairs.spread[1], 2)}; an instance waiting for the lock ` +
        `${fmt(100 * two.share)}% of the time (${fmt(two.mean, 2)} backends on average)`,
      reference:
        `one instance, ${CONNECTIONS} connections: ${fmt(pairs.reference.rps)}/s (p99 ${fmt(pairs.reference.p99)} ms), ` +
        `waiting for the lock ${fmt(100 * one.share)}% of the time` +
        (faster
          ? ''
          : '; two instances ingest no faster than one: the ingest lock lets one instance commit at a time, ' +
            'and both share these cores with PostgreSQL and the load generator'),
      budget: 'two instances faster than one (median ratio > 1)',
      met: faster && pairs.measured.errors === 0 && pairs.reference.errors === 0,
    };
  } finally {
    await one.close();
    await two.close();
  }
}

/**
 * CROSS_RATE callbacks a second sent to instance `a`, timed from sending to their arrival on 50
 * boards connected to instance `b` (through the socket.io adapter), beside the same with the boards
 * on `a`.
 */
export async function crossInstanceLive(a: RunningServer, b: RunningServer): Promise<Row> {
  const same = await liveLatency(a, CROSS_RATE, { sendTo: a, seconds: CROSS_SECONDS });
  const cross = await liveLatency(b, CROSS_RATE, { sendTo: a, seconds: CROSS_SECONDS });
  for (const [label, r] of [
    ['boards on A', same],
    ['boards on B', cross],
  ] as const)
    log(
      `live at ${CROSS_RATE}/s to A, ${label}: p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, ` +
        `missing ${r.missing}, refused ${r.refused}`,
    );
  const issues = (r: typeof same) =>
    `${r.missing ? `, ${fmt(r.missing)} deliveries missing` : ''}${r.refused ? `, ${fmt(r.refused)} refused` : ''}`;
  return {
    measure: `Two instances: ${CROSS_RATE} callbacks/s to instance A, from sending to arrival on ${BOARDS} boards on instance B (p50 / p99)`,
    result: `${fmt(cross.p50, 1)} / ${fmt(cross.p99, 1)} ms${issues(cross)}`,
    reference: `boards on A: ${fmt(same.p50, 1)} / ${fmt(same.p99, 1)} ms${issues(same)}`,
    budget: `p99 ≤ ${LIVE_BUDGET_MS} ms, every delivery`,
    met: cross.p99 <= LIVE_BUDGET_MS && cross.missing === 0 && cross.refused === 0,
  };
}
