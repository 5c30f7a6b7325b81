// One process, one port: Next.js serves the pages and API routes, socket.io the live feed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import next from 'next';
import { ConfigError, loadConfig, privacyDefaults, signingMode } from './lib/config';
import { createLogger } from './lib/log';
import { openDatabase } from './lib/db/client';
import { Ingestor } from './lib/calls/ingest/queue';
import { SqliteWriterThread } from './lib/calls/ingest/writer-thread';
import { INGEST_TIMEOUT_MS } from './lib/calls/ingest/store';
import { sqlitePath } from './lib/db/adapters';
import { createQueries } from './lib/calls/queries';
import { ExportThreads, exportCsv } from './lib/calls/csv';
import { ExportSlots } from './lib/calls/export-slots';
import { attachRealtime } from './lib/realtime/hub';
import { registerRuntime } from './lib/runtime';
import { createAuth } from './lib/auth/auth';
import { ensureFirstAdmin, sessionSecret } from './lib/auth/bootstrap';
import { Wallboards } from './lib/auth/tv';
import { createAccess } from './lib/auth/access';
import { createAccounts } from './lib/auth/accounts';
import { isSiteOrigin, siteOrigin } from './lib/auth/policy';
import { baseSecurityHeaders } from './lib/security/headers';
import { clientErrorAnswer, responseWithHeaders } from './lib/security/http-server';
import { createLimiter, createLimits, LIMITS } from './lib/auth/limits';
import { IngestCounters } from './lib/calls/health';
import { Metrics } from './lib/ops/metrics';
import { storeSize } from './lib/ops/store-size';
import { limitHeapGrowth, skipDependencySourceMaps } from './lib/ops/memory';
import { createAudit } from './lib/ops/audit';
import { AlertEvaluator } from './lib/alerts/evaluator';
import { Retention, retentionStatus } from './lib/ops/retention';
import { createAlertService } from './lib/alerts/service';
import { deliver } from './lib/alerts/channels';
import { ensureRollups, privacyCache, savePrivacy, saveSettings } from './lib/calls/stored-settings';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The build running: RELEASE if set, else Next.js's build id. */
function releaseOf(release: string | undefined, dev: boolean): string {
  if (release) return release;
  if (dev) return 'dev';
  try {
    return readFileSync(join(process.cwd(), '.next', 'BUILD_ID'), 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(JSON.stringify({ level: 'fatal', msg: e.message }));
      process.exit(2);
    }
    throw e;
  }
  limitHeapGrowth();
  // Before Next.js loads: its runtime's and chunks' source maps would stay in the heap for good.
  if (!config.NEXT_DEV) skipDependencySourceMaps();
  const log = createLogger(config.LOG_LEVEL);
  const db = await openDatabase({ url: config.DATABASE_URL, synchronous: config.SQLITE_SYNCHRONOUS });
  log.info({ store: db.provider }, 'store ready, migrations applied');
  const stored = await ensureRollups(db);
  for (const problem of stored.unreadable) log.warn({ problem }, 'a stored setting is unreadable');
  if (stored.recounted) log.info('rollups recounted with the current MOS bands');
  const signing = signingMode(config);
  if (signing === 'off') log.warn('webhook signature checks are OFF: unsigned callbacks are accepted');
  if (signing === 'unconfigured') {
    log.error(
      'no SIGNALWIRE_SIGNING_KEY or TWILIO_AUTH_TOKEN: the webhook refuses callbacks (503) until one is set',
    );
  }

  const dev = config.NEXT_DEV;
  const audit = createAudit(db, log);
  const auth = createAuth(db, config, await sessionSecret(db.write, config.AUTH_SECRET), log, audit);
  const wallboards = new Wallboards(db.write);
  const privacy = privacyCache(db.read, privacyDefaults(config));
  const access = createAccess(
    auth,
    wallboards,
    config,
    dev,
    log,
    createLimiter({ ...LIMITS.tvSnapshots, store: db.write }),
    privacy.get,
  );
  const first = await ensureFirstAdmin(auth, db.write, {
    username: config.ADMIN_USERNAME,
    password: config.ADMIN_PASSWORD,
  });
  if (first) announceFirstAdmin(first.username, first.oneTimePassword, config.PORT);

  const app = next({ dev, dir: process.cwd(), hostname: config.HOST, port: config.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();

  const securityHeaders = baseSecurityHeaders({ https: config.PUBLIC_URL?.startsWith('https:') ?? false });
  const http = createServer(
    {
      ServerResponse: responseWithHeaders(securityHeaders),
      // A client sending its request slowly holds a connection and its memory: it has this long.
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      // Node checks both timeouts only this often, every 30 s by default (as long as the whole
      // request timeout): checked every second, they bite within a second of their value.
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      access.gate(req, res).then(
        (pass) => {
          if (pass) void handle(req, res);
        },
        (err: unknown) => {
          log.error({ err: String(err) }, 'access check failed');
          if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end('{"error":"internal error"}');
        },
      );
    },
  );
  http.on(
    'clientError',
    clientErrorAnswer(securityHeaders, {
      headersMs: config.HTTP_HEADERS_TIMEOUT_MS,
      requestMs: config.HTTP_REQUEST_TIMEOUT_MS,
    }),
  );
  const release = releaseOf(config.RELEASE, dev);
  const realtime = await attachRealtime(http, {
    release,
    databaseUrl: config.DATABASE_URL,
    redisUrl: config.REDIS_URL,
    log,
    securityHeaders,
    forgetScope: () => {
      privacy.invalidate();
      wallboards.forget();
    },
    async authorize(headers, origin) {
      // Cross-site WebSocket hijacking: a page elsewhere cannot open the feed with our cookies.
      // The same check as the gate's for state-changing requests: scheme, host and port.
      if (origin !== undefined) {
        const site = siteOrigin(headers, { publicUrl: config.PUBLIC_URL, trustProxy: config.TRUST_PROXY });
        if (!isSiteOrigin(origin, site)) return null;
      }
      const { principal } = await access.resolve(headers, true);
      // A one-time password opens nothing but the page that changes it.
      if (principal?.kind === 'user' && principal.mustChangePassword) return null;
      return principal;
    },
  });
  const accounts = createAccounts(auth, db.write, wallboards, {
    user: realtime.disconnectUser,
    tv: realtime.disconnectTv,
  });
  // Only with a token: without one nothing is counted for it.
  let metrics: Metrics | null = null;
  // On SQLite, batches commit on a thread of their own, off the event loop.
  const writer =
    db.provider === 'sqlite'
      ? new SqliteWriterThread({
          file: sqlitePath(config.DATABASE_URL),
          synchronous: config.SQLITE_SYNCHRONOUS,
          busyTimeoutMs: INGEST_TIMEOUT_MS,
        })
      : null;
  await writer?.start();
  const ingest = new Ingestor(db, {
    queueLimit: config.INGEST_QUEUE_LIMIT,
    batchSize: config.INGEST_BATCH_SIZE,
    publish: realtime.publish,
    committed: (seconds, callbacks) => metrics?.commit(seconds, callbacks),
    commit: writer ? (batch) => writer.commit(batch) : undefined,
  });
  if (config.METRICS_TOKEN) {
    metrics = new Metrics({
      queueDepth: () => ingest.backlog,
      boards: realtime.connected,
      openAlerts: () => db.read.alert.count({ where: { openKey: { not: null } } }),
    });
  }
  const counters = new IngestCounters(
    db,
    (err) => log.warn({ err: String(err) }, 'ingest counters not saved'),
    (counter) => metrics?.callback(counter),
  );
  const exportThreads = new ExportThreads();
  const queries = createQueries(db, config.DASHBOARD_ROWS);
  const delivery = { smtpUrl: config.SMTP_URL, emailFrom: config.ALERT_EMAIL_FROM };
  const interval = config.ALERT_INTERVAL_SECONDS * 1000;
  const evaluator = new AlertEvaluator(db, queries, {
    intervalMs: interval,
    // Renewed every round: another instance takes over within three rounds of this one dying.
    leaseMs: Math.max(3 * interval, 3_000),
    log,
    publicUrl: config.PUBLIC_URL,
    delivery,
    changed: () => realtime.alertsChanged(),
    evaluated: (seconds) => metrics?.evaluation(seconds),
    delivered: (kind, ok) => metrics?.notification(kind, ok),
  });
  registerRuntime({
    config,
    log,
    ingest,
    counters,
    metrics,
    release,
    queries,
    alerts: createAlertService(db),
    testChannel: (channel) =>
      deliver(
        channel,
        {
          event: 'test',
          alertId: 'test',
          rule: 'Test notification',
          line: null,
          summary: 'A test notification from the call wallboard: this channel works.',
          value: null,
          threshold: null,
          firedAt: new Date().toISOString(),
        },
        // One quick try: the admin is waiting for the answer.
        { ...delivery, attempts: 1, timeoutMs: 10_000 },
      ),
    alertsChanged: () => realtime.alertsChanged(),
    exportCsv: (filter, opts) =>
      exportCsv(db, exportThreads, filter, {
        ...opts,
        idleMs: config.EXPORT_IDLE_SECONDS * 1000,
        onError: (err) => log.error({ err: String(err) }, 'export failed'),
      }),
    exportSlots: new ExportSlots(config.EXPORT_CONCURRENCY),
    privacy: privacy.get,
    async savePrivacy(settings) {
      await savePrivacy(db.write, settings);
      privacy.invalidate();
      realtime.scopeChanged();
    },
    scopeChanged: () => realtime.scopeChanged(),
    retentionStatus: () => retentionStatus(db),
    async saveSettings(settings) {
      const result = await saveSettings(db, settings);
      realtime.settingsChanged();
      return result;
    },
    auth,
    accounts,
    limits: createLimits(db.write),
    storeSize: () => storeSize(db),
    audit,
  });

  await new Promise<void>((resolve) => http.listen(config.PORT, config.HOST, resolve));
  evaluator.start();
  // Calls and audit entries past their retention (the privacy settings), by the lease holder.
  const retention = new Retention(db, { log, defaults: privacyDefaults(config) });
  retention.start();
  const { port } = http.address() as AddressInfo;
  log.info({ host: config.HOST, port, dev, store: db.provider, fanout: realtime.fanout }, 'listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: draining in-flight requests');
    // Stop accepting, let requests in flight finish, commit what they queued, then close.
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    // This instance's sockets only: through an adapter, io.disconnectSockets would close every
    // dashboard on every instance. The clients reconnect, through the balancer, elsewhere.
    realtime.io.local.disconnectSockets(true);
    http.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
    // Whatever is still open after the grace period (a long export, a busy keep-alive) is cut.
    http.closeAllConnections();
    exportThreads.close();
    await evaluator.stop();
    await retention.stop();
    await ingest.drain();
    await writer?.close();
    await counters.close();
    await realtime.close();
    await db.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Printed once, to the console only (not the JSON log): the first admin's one-time password is
 * useless once used, as it must be changed at the first sign-in.
 */
function announceFirstAdmin(username: string, password: string | null, port: number) {
  const lines = password
    ? [
        'No users yet: created the first admin.',
        `  username: ${username}`,
        `  one-time password: ${password}`,
        `Sign in at http://localhost:${port}/login and choose a new password.`,
        'This password is shown only now. Set ADMIN_PASSWORD to choose it instead.',
      ]
    : [
        'No users yet: created the first admin.',
        `  username: ${username}`,
        '  password: the ADMIN_PASSWORD you set',
      ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '='.repeat(width);
  process.stdout.write(`\n${bar}\n${lines.map((l) => `  ${l}`).join('\n')}\n${bar}\n\n`);
}

main().catch((e: unknown) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'failed to start', err: String(e) }));
  process.exit(1);
});
