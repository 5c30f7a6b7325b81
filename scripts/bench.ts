// `npm run bench [-- --quick]`: builds and starts the real production server on a fresh store and
// prints one table. Every figure stands beside a reference measured in the same run on the same
// machine, and beside its budget; a missed budget is printed as missed.
//
// Flags: --quick (100,000 calls, shorter runs), --no-build (use the .next build as it is),
// --calls N (calls seeded for the rows with history), --store sqlite|postgresql (a fresh SQLite
// file, or a fresh database wallboard_bench_… on the local PostgreSQL; removed at the end; on
// PostgreSQL two more rows run two instances on the one store), --redis-url URL (their fan-out
// through Redis rather than PostgreSQL), --no-purge (skip the purge row, as above
// PURGE_MAX_CALLS), --soak MINUTES (only the server's memory under steady load, see
// scripts/bench/memory.ts), --growth (the store filled in steps up to --calls, each cost at each
// step: scripts/bench/growth.ts). The parts live in scripts/bench/.
import { execFileSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { createSupervisor, startServer, type RunningServer } from '../test/helpers/server';
import { withStore } from '../test/helpers/db';
import { purgedBefore, retentionCutoff, retentionStatus } from '../lib/ops/retention';
import { seed } from './seed';
import { CHROMIUM_ARGS, systemChromium } from './chromium.mjs';
import { KEY, fmt, log, pct, postCallback, printTable, signedCallback, type Row } from './bench/common';
import {
  BUILD,
  DAYS,
  GROWTH,
  NO_PURGE,
  QUICK as quick,
  REDIS_URL,
  ROUNDS,
  LOAD_SECONDS,
  LIVE_SECONDS,
  SOAK_MINUTES,
  STORE,
  STORED,
} from './bench/options';
import { COST_RATE, costPerCallback, ingestVersusNoop, steadyWebhooks } from './bench/load';
import { LIVE_BUDGET_MS, liveCeiling } from './bench/live';
import { analyzeStore, createStore, storeBytes, type BenchStore } from './bench/store';
import { crossInstanceLive, twoVersusOne } from './bench/cluster';
import { METRICS_TOKEN, soak, steadyMemory } from './bench/memory';
import { exportCsv, timed } from './bench/http';
import { growthRun } from './bench/growth';

const DASHBOARD_SECONDS = quick ? 10 : 30;
const WEBHOOK_RATE = 100;
const WEBHOOK_SECONDS = quick ? 5 : 10;
const EXPORTERS = 4;
/**
 * The retention the server is restarted with for the purge row: of calls seeded over 28 days, those
 * before the UTC midnight 7 days back go, about three quarters (with their callbacks, ~1.5 million
 * rows at 1,000,000 seeded).
 */
const PURGE_DAYS = 7;
/** Longest wait for the purge to start (the first pass is a minute after the start) and to end. */
const PURGE_START_SECONDS = 180;
const PURGE_MAX_SECONDS = 900;
/** The reference: callbacks sent in this many seconds before the purge started, on the same server. */
const UNPURGED_SECONDS = 30;
/** Above this many stored calls the purge row is skipped: at 10,000,000 it would run for hours. */
const PURGE_MAX_CALLS = 2_000_000;
/** The seed's budget: 60 s for a million calls, scaled by the calls seeded. */
const SEED_SECONDS_PER_MILLION = 60;

const rows: Row[] = [];

/** `n` alert rules through the admin API: every rate and average kind, on each line in turn. */
async function addAlertRules(server: RunningServer, n: number) {
  const kinds = [
    ['mos-below', 3.5],
    ['loss-above', 3],
    ['success-below', 80],
    ['failure-above', 30],
    ['bad-audio-above', 60],
  ] as const;
  const lines = ['+18005550100', '+18005550111', '+18005550122', '+18005550133'];
  for (let i = 0; i < n; i++) {
    const [kind, threshold] = kinds[i % kinds.length]!;
    const res = await fetch(`${server.url}/api/admin/alert-rules`, {
      method: 'POST',
      headers: { cookie: server.cookie, Origin: server.url, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: `bench ${i + 1}`,
        kind,
        threshold,
        line: lines[Math.floor(i / kinds.length) % lines.length],
        windowMinutes: 15,
        minCalls: 10,
      }),
    });
    if (res.status !== 201) throw new Error(`alert rule ${i + 1}: HTTP ${res.status} ${await res.text()}`);
  }
}

/** The same callbacks, first alone, then while each of `cookies` exports every call, again and again. */
async function webhooksDuringExports(server: RunningServer, cookies: string[]) {
  const alone = await steadyWebhooks(server, WEBHOOK_RATE, WEBHOOK_SECONDS);
  let exporting = true;
  let running = 0;
  let rows = 0;
  const exporters = cookies.map(async (cookie) => {
    while (exporting) {
      const res = await fetch(`${server.url}/api/calls/export`, { headers: { cookie } });
      if (res.status === 429) {
        // This user's previous export is still being wound up on the server.
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (!res.ok) throw new Error(`export: HTTP ${res.status}`);
      running++;
      // indexOf rather than a loop over bytes: the reader must not take the CPU being measured.
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        // Measured: the export is abandoned (the server ends it) rather than read to the end, which
        // at 10,000,000 calls would take minutes.
        if (!exporting) break;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      }
    }
  });
  while (running < cookies.length) await new Promise((r) => setTimeout(r, 10));
  const t = performance.now();
  rows = 0;
  const loaded = await steadyWebhooks(server, WEBHOOK_RATE, WEBHOOK_SECONDS);
  const exportRate = rows / ((performance.now() - t) / 1000);
  exporting = false;
  await Promise.all(exporters);
  return { alone, loaded, exportRate };
}

/**
 * Signed callbacks at WEBHOOK_RATE from the start of a server with RETENTION_DAYS over a store
 * holding older calls until its first retention pass has purged them, watched from the store
 * alongside: the purge runs from its first batch committed (the oldest stored call gone) to its
 * marker written. Those sent while it ran are set against those sent in the UNPURGED_SECONDS
 * before it, on the same warmed-up server.
 */
async function webhooksDuringPurge(server: RunningServer, cutoff: number) {
  return withStore(server.databaseUrl, async (db) => {
    const oldest = async () =>
      (
        await db.read.call.findFirst({ orderBy: { startedAt: 'asc' }, select: { startedAt: true } })
      )?.startedAt.getTime() ?? null;
    const first = await oldest();
    const before = await db.read.call.count({ where: { startedAt: { lt: new Date(cutoff) } } });
    let started = Infinity;
    let ended = Infinity;
    let done = false;
    const watching = (async () => {
      const deadline = performance.now() + PURGE_START_SECONDS * 1000;
      while (!done && started === Infinity) {
        if ((await oldest()) !== first) started = performance.now();
        else if (performance.now() > deadline) done = true;
        else await new Promise((r) => setTimeout(r, 50));
      }
      while (!done) {
        if ((await purgedBefore(db)) !== null) {
          ended = performance.now();
          done = true;
        } else await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const run = await steadyWebhooks(server, WEBHOOK_RATE, PURGE_START_SECONDS + PURGE_MAX_SECONDS, {
      stop: () => done,
    });
    done = true;
    await watching;
    const window = (from: number, to: number) => {
      const sent = run.samples.filter((x) => x.sent >= from && x.sent < to);
      const ms = sent.flatMap((x) => (x.ms === null ? [] : [x.ms]));
      return { p50: pct(ms, 0.5), p99: pct(ms, 0.99), sent: sent.length, errors: sent.length - ms.length };
    };
    const left = await db.read.call.count({ where: { startedAt: { lt: new Date(cutoff) } } });
    // The pass's summary is written once its audit entries are done too, just after the marker.
    const began = Date.now() - (performance.now() - started);
    let status = await retentionStatus(db);
    for (let i = 0; ended !== Infinity && i < 100 && (status.lastRunAt ?? 0) < began; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = await retentionStatus(db);
    }
    return {
      during: window(started, ended),
      unpurged: window(started - UNPURGED_SECONDS * 1000, started),
      seconds: (ended - started) / 1000,
      before,
      left,
      finished: ended !== Infinity,
      deleted: status.lastDeleted ?? 0,
      passMs: status.lastMs,
    };
  });
}

async function dashboard(server: RunningServer) {
  const browser = await chromium.launch({
    executablePath: systemChromium(),
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const [name, value] = server.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __longest: number };
      w.__longest = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    // TV mode: the view that stays open for days.
    await page.goto(`${server.url}/?view=tv`);
    await page.getByTestId('kpi-total-calls-value').waitFor();
    const firstPaint = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
    );
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    // The page's heap after a full garbage collection: measured before and after the load.
    const cdp = await context.newCDPSession(page);
    const heapMb = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize / 1_048_576;
    };
    const heapBefore = await heapMb();
    // Long tasks count from here: 200 callbacks a second while the board is watched.
    await page.evaluate(() => ((window as unknown as { __longest: number }).__longest = 0));
    const url = `${server.url}/api/webhooks/call-status`;
    let maxRows = 0;
    const end = performance.now() + DASHBOARD_SECONDS * 1000;
    let due = performance.now();
    let sent = 0;
    // Counted rather than thrown: on an overloaded machine a refused connection must still leave a
    // table, with this row MISSED.
    let failed = 0;
    const inflight: Promise<unknown>[] = [];
    while (performance.now() < end) {
      for (let i = 0; i < 2; i++) {
        const c = signedCallback(url);
        sent++;
        inflight.push(
          postCallback(url, c).then(
            (ok) => {
              if (!ok) failed++;
            },
            () => failed++,
          ),
        );
      }
      if (sent % 200 === 0) maxRows = Math.max(maxRows, await page.getByTestId('call-row').count());
      due += 10;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    }
    await Promise.all(inflight);
    maxRows = Math.max(maxRows, await page.getByTestId('call-row').count());
    const longest = await page.evaluate(() => (window as unknown as { __longest: number }).__longest);
    // Let the last updates land before weighing the heap again.
    await new Promise((r) => setTimeout(r, 1500));
    const heapAfter = await heapMb();
    return {
      firstPaint,
      longest,
      maxRows,
      rate: sent / DASHBOARD_SECONDS,
      sent,
      failed,
      heapBefore,
      heapAfter,
    };
  } finally {
    await browser.close();
  }
}

/** The servers this run started, and whatever it must remove, for the end or an interruption. */
const servers = new Set<RunningServer>();
let store: BenchStore | null = null;
/** The server whose log is printed when the run fails. */
let current: RunningServer | null = null;

async function start(env: Record<string, string>) {
  const server = await startServer({ databaseUrl: store!.url, env });
  servers.add(server);
  current = server;
  return server;
}

let cleaning: Promise<void> | null = null;
/** Stops every server still running and removes the store; once, whatever calls it first. */
function cleanup(signal: NodeJS.Signals = 'SIGTERM') {
  cleaning ??= (async () => {
    for (const s of servers) await s.stop(signal);
    try {
      await store?.remove();
    } catch (e) {
      log(`could not remove the ${store?.name}: ${(e as Error).message}`);
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`${signal}: stopping the servers and removing the store`);
    void cleanup('SIGKILL').finally(() => process.exit(130));
  });

/** `--soak MINUTES`: the server on a fresh store (seeded with --calls N if given) under steady load. */
async function soakRun(minutes: number, env: Record<string, string>) {
  if (STORED > 0) {
    log(`seeding ${fmt(STORED)} calls through the storage layer`);
    await seed(store!.url, STORED);
    await analyzeStore(store!.url);
  }
  // /metrics on, for the server's V8 heap beside its RSS.
  const server = await start({ ...env, METRICS_TOKEN });
  log(`server up on a fresh ${store!.name}`);
  const failure = await soak(server, minutes);
  await server.stop();
  if (failure) {
    log(`soak FAILED: ${failure}`);
    // A verdict, not a crash: the server's log has nothing to add.
    current = null;
    process.exitCode = 1;
  }
}

async function benchRun(env: Record<string, string>) {
  let server = await start(env);
  try {
    log(
      `server up on a fresh ${store!.name}; ${ROUNDS} interleaved pairs of ${LOAD_SECONDS} s load runs, 32 connections`,
    );
    const empty = await ingestVersusNoop(server, 'empty store');
    rows.push({
      measure: `Ingest: signed callbacks/s, 32 connections, median of ${ROUNDS} interleaved pairs (p50 / p99)`,
      result: `${fmt(empty.ingest.rps)}/s (${fmt(empty.ingest.p50)} / ${fmt(empty.ingest.p99)} ms); ratio ${fmt(empty.ratio, 2)}, spread ${fmt(empty.spread[0], 2)}–${fmt(empty.spread[1], 2)}`,
      reference: `do-nothing route: ${fmt(empty.noop.rps)}/s (${fmt(empty.noop.p50)} / ${fmt(empty.noop.p99)} ms)`,
      budget: '≥ 0.85× do-nothing (median ratio)',
      met: empty.ratio >= 0.85 && empty.ingest.errors === 0,
    });

    const cost = await costPerCallback(server);
    rows.push({
      measure: `Ingest: event-loop CPU per callback at a steady ${COST_RATE}/s, median of ${ROUNDS} interleaved pairs`,
      result: `${fmt(cost.webhook.rps, 2)} ms; ${fmt(cost.ratio, 2)}× do-nothing, spread ${fmt(cost.spread[0], 2)}–${fmt(cost.spread[1], 2)}`,
      reference: `do-nothing route: ${fmt(cost.noop.rps, 2)} ms a request`,
      budget: '≤ 1.18× do-nothing (the 0.85 ingest budget, per callback)',
      met: cost.ratio <= 1 / 0.85 && cost.webhook.errors === 0,
    });

    log(`live push: 50 socket.io clients, ${LIVE_SECONDS} s at each rate from 100/s`);
    const live = await liveCeiling(server);
    rows.push({
      measure: `Live: highest callback rate with p99 ≤ ${LIVE_BUDGET_MS} ms from sending to arrival on all 50 boards`,
      result: `${fmt(live.ceiling)}/s`,
      reference: live.runs
        .map(
          (r) =>
            `${fmt(r.rate)}/s: ${fmt(r.p50, 1)} / ${fmt(r.p99, 1)} ms${r.missing ? `, ${r.missing} missing` : ''}`,
        )
        .join('; '),
      budget: '≥ 300/s',
      met: live.ceiling >= 300,
    });
    rows.push({
      measure: 'Live: 500 callbacks/s, from sending to arrival on all 50 boards (p50 / p99)',
      result: `${fmt(live.at500.p50, 1)} / ${fmt(live.at500.p99, 1)} ms`,
      reference: `${live.at500.missing} deliveries missing, ${live.at500.refused} callbacks refused`,
      budget: `p99 ≤ ${LIVE_BUDGET_MS} ms`,
      met: live.at500.p99 <= LIVE_BUDGET_MS && live.at500.missing === 0 && live.at500.refused === 0,
    });

    if (STORE === 'postgresql') {
      // Several instances need PostgreSQL: a second one on the same (still empty) store.
      const fanout = REDIS_URL ? 'redis' : 'postgres';
      log(`two instances on one store, ${fanout} fan-out: ingest spread over both against one alone`);
      const second = await start(env);
      current = server;
      try {
        rows.push(await twoVersusOne(server, second, fanout));
        log('two instances: live push to boards on the other instance');
        rows.push(await crossInstanceLive(server, second));
      } finally {
        await second.stop();
        servers.delete(second);
      }
    }

    await server.stop();
    log(`seeding ${fmt(STORED)} calls through the storage layer`);
    const seedSeconds = await seed(store!.url, STORED);
    // Not part of the seed's time: the statistics autovacuum would gather after it (growth.ts too).
    await analyzeStore(store!.url);
    const bytes = await storeBytes(store!.url);
    const seedBudget = (SEED_SECONDS_PER_MILLION * STORED) / 1_000_000;
    rows.push({
      measure: `Seed: ${fmt(STORED)} calls via npm run seed's path`,
      result: `${fmt(seedSeconds, 1)} s (${fmt(STORED / seedSeconds)} calls/s)`,
      reference:
        `store then: ${fmt(bytes / 1_048_576)} MB, ${fmt(bytes / STORED)} bytes per call ` +
        (STORE === 'postgresql' ? '(pg_database_size)' : '(file and WAL)'),
      budget:
        `≤ ${SEED_SECONDS_PER_MILLION} s for 1,000,000` +
        (STORED === 1_000_000 ? '' : ` (${fmt(seedBudget, seedBudget < 10 ? 1 : 0)} s for ${fmt(STORED)})`),
      met: seedSeconds <= seedBudget,
    });
    // The memory row on a server of its own, freshly started: its idle RSS, then steady load. After
    // the rows at full speed, the heap they grew would be measured instead.
    server = await start(env);
    rows.push(await steadyMemory(server, fmt(STORED)));
    await server.stop();
    server = await start(env);

    const full = await ingestVersusNoop(server, `${fmt(STORED)} stored`);
    rows.push({
      measure: `Flat with history: ingest with ${fmt(STORED)} stored`,
      result: `${fmt(full.ingest.rps)}/s (${fmt(full.ingest.p50)} / ${fmt(full.ingest.p99)} ms)`,
      reference: `ratio to do-nothing ${fmt(full.ratio, 2)} (spread ${fmt(full.spread[0], 2)}–${fmt(full.spread[1], 2)}); empty store ${fmt(empty.ratio, 2)}`,
      budget: "ratio ≥ 0.9× the empty store's",
      met: full.ratio >= 0.9 * empty.ratio && full.ingest.errors === 0,
    });

    const stats = await timed(`${server.url}/api/dashboard`, server.cookie, 20);
    const health = await timed(`${server.url}/api/health`, '', 20);
    rows.push({
      measure: `Stats: KPIs + charts + rows (GET /api/dashboard), ${fmt(STORED)} stored`,
      result: `p50 ${fmt(stats.p50, 1)} ms, max ${fmt(stats.max, 1)} ms`,
      reference: `GET /api/health: p50 ${fmt(health.p50, 1)} ms`,
      budget: '≤ 50 ms',
      met: stats.max <= 50,
    });

    // What a supervisor's filter costs: "today", and a week of one status, both from the rollups
    // (which keep each call's status), with each board's newest calls.
    const midnight = new Date();
    midnight.setUTCHours(0, 0, 0, 0);
    const today = await timed(`${server.url}/api/dashboard?from=${midnight.getTime()}`, server.cookie, 20);
    const week = await timed(
      `${server.url}/api/dashboard?from=${midnight.getTime() - 6 * 86_400_000}&status=completed`,
      server.cookie,
      5,
    );
    rows.push({
      measure: `Filtered board, ${fmt(STORED)} stored: a week of completed calls`,
      result: `p50 ${fmt(week.p50, 1)} ms, max ${fmt(week.max, 1)} ms`,
      reference: `today, all calls (rollups): p50 ${fmt(today.p50, 1)} ms, max ${fmt(today.max, 1)} ms`,
      budget: '≤ 1,000 ms',
      met: week.max <= 1000,
    });

    log('20 alert rules, evaluated every second: ingest and stats again');
    await addAlertRules(server, 20);
    const ruled = await ingestVersusNoop(server, '20 alert rules');
    const ruledStats = await timed(`${server.url}/api/dashboard`, server.cookie, 20);
    rows.push({
      measure: `Alerts: ingest and stats with 20 rules evaluated every second, ${fmt(STORED)} stored`,
      result: `ratio ${fmt(ruled.ratio, 2)} (spread ${fmt(ruled.spread[0], 2)}–${fmt(ruled.spread[1], 2)}); stats p50 ${fmt(ruledStats.p50, 1)} ms`,
      reference: `no rules: ratio ${fmt(full.ratio, 2)} (spread ${fmt(full.spread[0], 2)}–${fmt(full.spread[1], 2)}); stats p50 ${fmt(stats.p50, 1)} ms, max ${fmt(stats.max, 1)} ms`,
      budget: "within the run's noise: ratio ≥ the lowest without rules, stats p50 ≤ the highest without",
      met: ruled.ratio >= full.spread[0] && ruledStats.p50 <= stats.max && ruled.ingest.errors === 0,
    });

    const csv = await exportCsv(server);
    rows.push({
      measure: `Export: CSV of ${fmt(csv.rows)} calls`,
      result: `${fmt(csv.rowsPerSecond)} rows/s, RSS +${fmt(csv.growth, 1)} MB`,
      reference: `${fmt(csv.seconds, 1)} s in all`,
      budget: '≥ 250,000 rows/s, ≤ 64 MB',
      met: csv.rowsPerSecond >= 250_000 && csv.growth <= 64 && csv.rows >= STORED,
    });

    log(`webhook latency at ${WEBHOOK_RATE}/s, alone and while ${EXPORTERS} users export every call`);
    const cookies = [server.cookie];
    for (let i = 1; i < EXPORTERS; i++) cookies.push(await createSupervisor(server, `exporter${i}`));
    const during = await webhooksDuringExports(server, cookies);
    rows.push({
      measure: `Webhook p99 with ${EXPORTERS} exports running (${WEBHOOK_RATE} signed callbacks/s, p50 / p99)`,
      result: `${fmt(during.loaded.p50, 1)} / ${fmt(during.loaded.p99, 1)} ms (exports: ${fmt(during.exportRate)} rows/s in all)`,
      reference: `no exports: ${fmt(during.alone.p50, 1)} / ${fmt(during.alone.p99, 1)} ms`,
      budget: 'p99 ≤ 100 ms',
      met: during.loaded.p99 <= 100 && during.loaded.errors === 0 && during.alone.errors === 0,
    });

    log(`dashboard in Chromium while 200 callbacks/s arrive for ${DASHBOARD_SECONDS} s`);
    const dash = await dashboard(server);
    rows.push({
      measure: `Dashboard (Chromium, ${fmt(STORED)} stored): first KPI paint`,
      result: `${fmt(dash.firstPaint)} ms`,
      reference: '',
      budget: '≤ 1,000 ms',
      met: dash.firstPaint <= 1000,
    });
    rows.push({
      measure: `Dashboard: longest main-thread task at ${fmt(dash.rate)} callbacks/s`,
      result: `${fmt(dash.longest)} ms`,
      reference: `table rows in the DOM: at most ${dash.maxRows}; callbacks failed: ${dash.failed}`,
      budget: '≤ 100 ms; rows bounded',
      met: dash.longest <= 100 && dash.maxRows <= 60 && dash.failed === 0,
    });
    rows.push({
      measure: `TV mode: page heap after ${fmt(dash.sent)} live callbacks`,
      result: `${fmt(dash.heapAfter, 1)} MB (${dash.heapAfter >= dash.heapBefore ? '+' : ''}${fmt(dash.heapAfter - dash.heapBefore, 1)} MB)`,
      reference: `before the load: ${fmt(dash.heapBefore, 1)} MB (after a full GC both times)`,
      budget: 'growth ≤ 5 MB',
      met: dash.heapAfter - dash.heapBefore <= 5,
    });

    // Last, as it removes most of the stored calls: the server restarted with a retention that
    // purges about three quarters of them on its first pass, while callbacks keep arriving.
    if (NO_PURGE) log('purge row skipped (--no-purge)');
    else if (STORED > PURGE_MAX_CALLS)
      log(
        `purge row skipped: ${fmt(STORED)} stored calls is above ${fmt(PURGE_MAX_CALLS)}, where purging ` +
          `three quarters of them would take too long`,
      );
    else {
      log(
        `retention: webhook latency at ${WEBHOOK_RATE}/s before and while a ${PURGE_DAYS}-day retention purges`,
      );
      await server.stop();
      server = await start({ ...env, RETENTION_DAYS: String(PURGE_DAYS) });
      const purge = await webhooksDuringPurge(server, retentionCutoff(Date.now(), PURGE_DAYS));
      log(
        `purge: ${fmt(purge.deleted)} of ${fmt(purge.before)} calls before the cutoff deleted in ${fmt((purge.passMs ?? NaN) / 1000, 1)} s, ` +
          `${fmt(purge.left)} left; ${fmt(purge.during.sent)} callbacks during it, errors ${purge.during.errors}`,
      );
      rows.push({
        measure: `Ingest during a purge: ${WEBHOOK_RATE} signed callbacks/s while retention deletes ${fmt(purge.deleted)} calls and their callbacks (p50 / p99)`,
        result: `${fmt(purge.during.p50, 1)} / ${fmt(purge.during.p99, 1)} ms (${fmt(purge.during.sent)} callbacks over ${fmt(purge.seconds, 1)} s; ${fmt(purge.deleted / purge.seconds)} calls/s purged)`,
        reference: `the ${UNPURGED_SECONDS} s before the purge: ${fmt(purge.unpurged.p50, 1)} / ${fmt(purge.unpurged.p99, 1)} ms`,
        budget: 'p99 ≤ 100 ms; every callback stored, every old call gone',
        met:
          purge.during.p99 <= 100 &&
          purge.during.errors === 0 &&
          purge.unpurged.errors === 0 &&
          purge.finished &&
          purge.left === 0 &&
          purge.deleted >= purge.before,
      });
    }
  } finally {
    await server.stop();
  }

  printTable(rows);
  const missed = rows.filter((r) => !r.met).length;
  console.log(
    `\n${rows.length - missed} budgets met, ${missed} missed (${quick ? 'quick run' : 'full run'}, ` +
      `${STORE === 'postgresql' ? 'PostgreSQL' : 'SQLite'}, ${fmt(STORED)} stored calls)`,
  );
}

async function main() {
  if (BUILD) {
    log('building the production server (next build)');
    execFileSync('npx', ['next', 'build'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
  }
  // Alert rules evaluated every second (the default is 15 s): the row with 20 rules is their worst case.
  const env = {
    BENCH_ROUTES: 'on',
    LOG_LEVEL: 'warn',
    SIGNALWIRE_SIGNING_KEY: KEY,
    ALERT_INTERVAL_SECONDS: '1',
    // The fan-out the flags name, whatever this shell's environment holds (empty is unset).
    REDIS_URL: REDIS_URL ?? '',
  };
  store = await createStore(STORE);
  // On a failure, what the server said last.
  process.on('exit', (code) => {
    if (code !== 0 && current)
      console.error(`server log (last lines):\n${current.logs.slice(-15).join('\n')}`);
  });
  try {
    if (SOAK_MINUTES !== null) await soakRun(SOAK_MINUTES, env);
    else if (GROWTH) {
      // As the other tables: a missed budget is printed, not an exit status.
      await growthRun(store.url, () => start(env), STORED, DAYS);
    } else await benchRun(env);
  } finally {
    await cleanup();
  }
}

await main().catch(async (e: unknown) => {
  console.error(e);
  await cleanup('SIGKILL');
  process.exit(1);
});
