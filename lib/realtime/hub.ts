import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type pg from 'pg';
import type { Logger } from '../log';
import type { CallUpdate } from '../common/types';
import type { Principal } from '../auth/policy';
import { toHeaders } from '../auth/access';
import { maskUpdates } from '../auth/mask';
import { masksNumbers } from '../auth/scope';
import { SOCKET_PATH, UNAUTHORIZED, type ClientToServer, type ServerToClient } from '../common/events';

interface SocketData {
  principal: Principal;
  /** Counts the identity checks begun: only the latest one's answer moves the socket. */
  check: number;
}
/** Between instances: each instance delivers another's calls to its own boards, per scope. */
interface InterServer {
  calls(updates: CallUpdate[]): void;
  rescope(): void;
}
export type RealtimeServer = Server<ClientToServer, ServerToClient, InterServer, SocketData>;
type RealtimeSocket = Socket<ClientToServer, ServerToClient, InterServer, SocketData>;

/** How often open connections are checked against their session or TV token again. */
const RECHECK_MS = 10_000;

export interface Realtime {
  io: RealtimeServer;
  /** Which fan-out carries events between instances: none on a single SQLite instance. */
  fanout: 'none' | 'postgres' | 'redis';
  publish(updates: CallUpdate[]): void;
  /** Tells every board, on every instance, that the open alerts changed. */
  alertsChanged(): void;
  /** Live feeds connected to this instance, by who opened them. */
  connected(): { people: number; tvs: number };
  /** Tells every board, on every instance, that the settings changed. */
  settingsChanged(): void;
  /**
   * Who sees what changed (a user's or a TV's lines, the privacy settings): every instance checks
   * its boards' identities again now, moves them to their new rooms, and they reload their board.
   */
  scopeChanged(): void;
  /** Closes every dashboard of this user / this TV, on every instance. */
  disconnectUser(userId: string): void;
  disconnectTv(tvId: string): void;
  close(): Promise<void>;
}

interface Options {
  databaseUrl: string;
  redisUrl?: string;
  log: Logger;
  /** Who the handshake's cookies belong to; null refuses the connection. */
  authorize(headers: Headers, origin: string | undefined): Promise<Principal | null>;
  /** The running build, told to every board on connect: a board built otherwise reloads. */
  release: string;
  /**
   * Headers for every response. Those of the polling transport are set by the HTTP server already;
   * the websocket upgrade's 101 is written by the ws library, which takes them from here.
   */
  securityHeaders: Record<string, string>;
  /** Another instance changed who sees what: forget what this one cached of it before rechecking. */
  forgetScope?: () => void;
}

/**
 * The pool as the postgres adapter should see it. The adapter checks one client out for LISTEN
 * and keeps it, with no 'error' listener: a cut connection would throw from the socket's event
 * (an uncaught exception), and as the adapter never releases the dead client, each cut would
 * also keep one of the pool's few slots until publishing waits forever. Here that client's
 * errors are logged and the client is released as broken; the adapter sees it end and takes a
 * new one.
 */
function listenerPool(pool: pg.Pool, warn: (err: Error) => void): pg.Pool {
  const connect = async () => {
    const client = await pool.connect();
    const release = client.release.bind(client);
    let released = false;
    const onError = (err: Error) => {
      warn(err);
      client.release(err);
    };
    client.release = (err?: Error | boolean) => {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      release(err);
    };
    client.on('error', onError);
    return client;
  };
  // Everything else goes to the pool itself, bound to it (the pool's methods call each other).
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'connect') return connect;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

// Who receives which payload. A board is in one room per line it shows, or in the room of every
// line, each in a full and a masked variant: a call reaches only the rooms of its line, with its
// numbers as each room may see them, so other lines' calls never reach a line-scoped board.
const ALL_LINES = (view: 'full' | 'masked') => `calls:${view}`;
const LINE = (view: 'full' | 'masked', line: string) => `line:${view}:${line}`;

/** The rooms a viewer's live feed comes through. */
export function feedRooms(p: Principal): string[] {
  const view = masksNumbers(p) ? 'masked' : 'full';
  return p.lines === null ? [ALL_LINES(view)] : p.lines.map((l) => LINE(view, l));
}
const identityRooms = (p: Principal) =>
  p.kind === 'tv' ? [`tv:${p.tvId}`] : [`user:${p.userId}`, `session:${p.sessionId}`];
const roomsOf = (p: Principal) => [...identityRooms(p), ...feedRooms(p)];

/**
 * socket.io on the same HTTP server and port as Next.js. With several instances, an adapter
 * carries each instance's events to the dashboards connected to every other one: Redis when
 * REDIS_URL is set, else PostgreSQL's LISTEN/NOTIFY when the store is PostgreSQL.
 */
export async function attachRealtime(http: HttpServer, opts: Options): Promise<Realtime> {
  const io = new Server<ClientToServer, ServerToClient>(http, {
    path: SOCKET_PATH,
    serveClient: false,
    // Dashboards connect with websocket only, so round-robin balancing needs no sticky sessions.
    transports: ['websocket', 'polling'],
  });
  io.engine.on('headers', (headers: Record<string, string>) => Object.assign(headers, opts.securityHeaders));
  io.use((socket, next) => {
    const req = socket.request;
    opts
      .authorize(toHeaders(req.headers), req.headers.origin)
      .then((principal) => {
        if (!principal) return next(new Error(UNAUTHORIZED));
        socket.data.principal = principal;
        void socket.join(roomsOf(principal));
        next();
      })
      .catch((err: unknown) => {
        opts.log.warn({ err: String(err) }, 'socket.io handshake check failed');
        next(new Error('unavailable'));
      });
  });
  io.on('connection', (socket) => socket.emit('hello', { release: opts.release }));
  // Sessions expire, are signed out or revoked elsewhere, lines and privacy settings change: check
  // this instance's connections again, and move each to the rooms it is now entitled to.
  // Who a connection is depends on its cookies alone: boards opened with the same cookies (a
  // supervisor's tabs, one browser's screens) are checked once. The checks run one after another,
  // each after a turn of the event loop: a store read through better-sqlite3 answers within the
  // same turn, so fifty checks at once would hold callbacks and their push for the whole batch.
  const rescope = async () => {
    const byCookie = new Map<string, [RealtimeSocket, number][]>();
    for (const socket of io.of('/').sockets.values()) {
      const key = socket.request.headers.cookie ?? '';
      // A periodic check that read the store before an admin's change can end after the check
      // that change started: the older answer must not move the socket back.
      const check = (socket.data.check = (socket.data.check ?? 0) + 1);
      (byCookie.get(key) ?? byCookie.set(key, []).get(key)!).push([socket, check]);
    }
    for (const checks of byCookie.values()) {
      await new Promise((r) => setImmediate(r));
      let principal: Principal | null;
      try {
        principal = await opts.authorize(toHeaders(checks[0]![0].request.headers), undefined);
      } catch {
        continue; // the store is unreachable: the next check decides
      }
      for (const [socket, check] of checks) {
        if (check !== socket.data.check || !socket.connected) continue;
        if (!principal) {
          socket.disconnect(true);
          continue;
        }
        const before = feedRooms(socket.data.principal);
        const after = feedRooms(principal);
        socket.data.principal = principal;
        for (const room of before) if (!after.includes(room)) void socket.leave(room);
        if (after.some((room) => !before.includes(room))) void socket.join(after);
      }
    }
  };
  const recheck = setInterval(() => void rescope(), RECHECK_MS);
  recheck.unref();
  const closers: (() => Promise<unknown>)[] = [async () => clearInterval(recheck)];
  let fanout: Realtime['fanout'] = 'none';

  // A fan-out's modules are loaded only by an instance that uses it: the Redis client alone is some
  // 4 MB of heap, for nothing on a single SQLite instance.
  if (opts.redisUrl) {
    const [{ createClient }, { createAdapter: redisAdapter }] = await Promise.all([
      import('redis'),
      import('@socket.io/redis-adapter'),
    ]);
    const pub = createClient({ url: opts.redisUrl });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) c.on('error', (err: Error) => opts.log.warn({ err: err.message }, 'redis'));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(redisAdapter(pub, sub));
    closers.push(() => Promise.all([pub.quit(), sub.quit()]));
    fanout = 'redis';
  } else if (/^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    const [{ default: pg }, { createAdapter: postgresAdapter }] = await Promise.all([
      import('pg'),
      import('@socket.io/postgres-adapter'),
    ]);
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 3 });
    const warn = (err: Error) => opts.log.warn({ err: err.message }, 'socket.io postgres adapter');
    pool.on('error', warn);
    // Where the adapter puts payloads over NOTIFY's 8000-byte limit; not a table of the app's.
    await pool.query(`CREATE TABLE IF NOT EXISTS socket_io_attachments (
      id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`);
    io.adapter(postgresAdapter(listenerPool(pool, warn), { errorHandler: warn }));
    closers.push(() => pool.end());
    fanout = 'postgres';
  }

  /** Sends calls to this instance's boards: each room its line's calls, masked where it must be. */
  const rooms = io.of('/').adapter.rooms;
  const deliver = (updates: CallUpdate[]) => {
    const local = io.local;
    // Rooms without a board here are skipped, and nothing is masked for nobody.
    const emit = (room: (view: 'full' | 'masked') => string, list: CallUpdate[]) => {
      if (rooms.get(room('full'))?.size) local.to(room('full')).emit('calls', list);
      if (rooms.get(room('masked'))?.size) local.to(room('masked')).emit('calls', maskUpdates(list));
    };
    emit(ALL_LINES, updates);
    // Only inbound calls are a line's (lib/auth/scope.ts).
    const byLine = new Map<string, CallUpdate[]>();
    for (const u of updates) {
      if (u.call.direction !== 'inbound') continue;
      const line = u.call.to ?? '';
      (byLine.get(line) ?? byLine.set(line, []).get(line)!).push(u);
    }
    for (const [line, list] of byLine) emit((view) => LINE(view, line), list);
  };
  io.on('calls', deliver);
  io.on('rescope', () => {
    opts.forgetScope?.();
    void rescope().then(() => io.local.emit('settings'));
  });

  return {
    io,
    fanout,
    publish(updates) {
      deliver(updates);
      // One message to the other instances per commit, whatever the number of rooms.
      if (fanout !== 'none') io.serverSideEmit('calls', updates);
    },
    settingsChanged() {
      io.emit('settings');
    },
    scopeChanged() {
      void rescope().then(() => io.local.emit('settings'));
      if (fanout !== 'none') io.serverSideEmit('rescope');
    },
    alertsChanged() {
      io.emit('alerts');
    },
    connected() {
      let tvs = 0;
      let people = 0;
      for (const socket of io.of('/').sockets.values()) {
        if (socket.data.principal?.kind === 'tv') tvs++;
        else people++;
      }
      return { people, tvs };
    },
    disconnectUser(userId) {
      io.in(`user:${userId}`).disconnectSockets(true);
    },
    disconnectTv(tvId) {
      io.in(`tv:${tvId}`).disconnectSockets(true);
    },
    async close() {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await Promise.all(closers.map((c) => c().catch(() => {})));
    },
  };
}
