// A board as a browser tab runs it, in Node: the product's sync loop (lib/common/board-sync.ts)
// over a real socket.io client and fetch, both carrying the session cookie.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { io as connect, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { boardFromSnapshot, type Board } from '@/lib/common/board';
import type { CallUpdate, Snapshot } from '@/lib/common/types';
import { SOCKET_PATH } from '@/lib/common/events';
import {
  startBoardSync,
  type BoardSocket,
  type BoardSync,
  type BoardSyncState,
} from '@/lib/common/board-sync';

/** The release a page of this build carries when the server has no RELEASE (server.ts). */
export const buildRelease = () =>
  readFileSync(join(import.meta.dirname, '..', '..', '.next', 'BUILD_ID'), 'utf8').trim();

/** The row cap a page gets from a server with the default DASHBOARD_ROWS. */
export const DEFAULT_ROWS = 500;

export interface BoardOptions {
  /** The snapshot request's parameters, and the name of that view. */
  query?: string;
  scope?: string;
  maxRows?: number;
  release?: string;
  socket?: Partial<ManagerOptions & SocketOptions>;
  /** Stands between the loop and the server (to hold a response back, say); `send` asks it. */
  fetch?: (path: string, send: () => Promise<Response>) => Promise<Response>;
  storage?: Map<string, string>;
  now?: () => number;
  /** The server that rendered the page (the first snapshot), when not the one at `url`. */
  pageFrom?: string;
}

export interface TestBoard {
  sync: BoardSync;
  socket: BoardSocket;
  state(): BoardSyncState;
  /** Every state the loop reported, in order. */
  states: BoardSyncState[];
  /** The path of every request the loop made, in order. */
  fetched: string[];
  /** Every update the socket received, with when (performance.now()). */
  received: { update: CallUpdate; at: number }[];
  reloads: number;
  refusals: number;
  /** Resolves with the release the server named on the first connect, once the loop has seen it. */
  hello: Promise<string>;
  /** Resolves once the state satisfies `done`; rejects after `ms` naming `what`. */
  until(done: (s: BoardSyncState) => boolean, what: string, ms?: number): Promise<BoardSyncState>;
  close(): void;
}

/** What a board shows, without the snapshot id it was loaded at (live updates do not move it). */
export function shown(board: Board): Omit<Board, 'asOfEventId'> {
  const rest: Partial<Board> = { ...board };
  delete rest.asOfEventId;
  return rest as Omit<Board, 'asOfEventId'>;
}

export async function openBoard(url: string, cookie: string, opts: BoardOptions = {}): Promise<TestBoard> {
  const query = opts.query ?? '';
  const get = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, url), { ...init, headers: { cookie } });
  // What the server renders into the page.
  const page = await fetch(new URL(`/api/dashboard?${query}`, opts.pageFrom ?? url), { headers: { cookie } });
  if (!page.ok) throw new Error(`first snapshot: HTTP ${page.status} ${await page.text()}`);
  const initial = boardFromSnapshot((await page.json()) as Snapshot, opts.maxRows ?? DEFAULT_ROWS);

  const socket: BoardSocket = connect(url, {
    path: SOCKET_PATH,
    transports: ['websocket'],
    extraHeaders: { cookie },
    ...opts.socket,
  });
  const storage = opts.storage ?? new Map<string, string>();
  const board: TestBoard = {
    sync: undefined as unknown as BoardSync,
    socket,
    state: () => board.sync.getState(),
    states: [],
    fetched: [],
    received: [],
    reloads: 0,
    refusals: 0,
    hello: Promise.resolve(''),
    until(done, what, ms = 15_000) {
      return new Promise((resolve, reject) => {
        if (done(board.state())) return resolve(board.state());
        const timer = setTimeout(() => {
          unsubscribe();
          const s = board.state();
          reject(
            new Error(
              `timed out waiting for ${what} (connection ${s.connection}, scope ${s.scope}, ` +
                `${s.board.totals.calls} calls, ${board.fetched.length} snapshots asked)`,
            ),
          );
        }, ms);
        const unsubscribe = board.sync.subscribe((s) => {
          if (!done(s)) return;
          clearTimeout(timer);
          unsubscribe();
          resolve(s);
        });
      });
    },
    close: () => board.sync.close(),
  };
  socket.on('calls', (updates) => {
    const at = performance.now();
    for (const update of updates) board.received.push({ update, at });
  });
  board.sync = startBoardSync({
    board: initial,
    query,
    scope: opts.scope ?? query,
    release: opts.release ?? buildRelease(),
    socket,
    fetch: (path, init) => {
      board.fetched.push(path);
      const send = () => get(path, init);
      return opts.fetch ? opts.fetch(path, send) : send();
    },
    schedule: (flush) => {
      const next = setImmediate(flush);
      return () => clearImmediate(next);
    },
    reload: () => board.reloads++,
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
    },
    now: opts.now ?? Date.now,
    onRefused: () => board.refusals++,
  });
  board.sync.subscribe((s) => board.states.push(s));
  // Registered after the loop's own listener, so it runs after the loop has handled the hello.
  board.hello = new Promise((resolve) => socket.once('hello', (info) => resolve(info.release)));
  return board;
}
