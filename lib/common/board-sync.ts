// The board's live sync loop: it starts from a snapshot, applies socket.io `calls` updates in
// batches, and loads a fresh snapshot after every (re)connect, settings change or new query, so
// nothing missed stays missing. No React, no browser globals: whatever differs between the
// browser (components/useLiveBoard.ts) and Node (the tests) is passed in.
import type { Socket } from 'socket.io-client';
import { applyUpdates, boardFromSnapshot, type Board } from './board';
import type { CallUpdate, Snapshot } from './types';
import { UNAUTHORIZED, type ClientToServer, type ServerToClient } from './events';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';
export type BoardSocket = Socket<ServerToClient, ClientToServer>;

/** How often a board searching masked numbers asks the server again while calls change. */
const MASKED_SEARCH_RESYNC_MS = 1_000;

export interface BoardSyncState {
  board: Board;
  connection: Connection;
  /** The scope of the query whose snapshot the board shows (see `setQuery`). */
  scope: string;
}

export interface BoardSync {
  /** The current state; a new object after every change, the same one otherwise. */
  getState(): BoardSyncState;
  /** Calls `listener` with every new state; returns the unsubscribe. */
  subscribe(listener: (state: BoardSyncState) => void): () => void;
  /**
   * What the board should count from now on: the snapshot request's parameters, and a name for
   * that view which the state reports once the board shows it. A new query loads its snapshot.
   */
  setQuery(query: string, scope: string): void;
  /** Stops every timer, the socket and the listeners. */
  close(): void;
}

export interface BoardSyncOptions {
  /** What the board shows to begin with (the server-rendered snapshot); sets the row cap too. */
  board: Board;
  /** The snapshot request's parameters that `board` was loaded with, and the view's name. */
  query: string;
  scope: string;
  /** The build this board runs; the server names its own on connect. */
  release: string;
  /** A socket.io client for the board's server. The loop owns it from here: it closes it. */
  socket: BoardSocket;
  /** GETs a path on the board's server with the board's credentials. */
  fetch(path: string, init: RequestInit): Promise<Response>;
  /** Runs `flush` once, soon (before the next paint in a browser); returns what cancels it. */
  schedule(flush: () => void): () => void;
  /** Loads the page again: to sign in again, or to run another release's code. */
  reload(): void;
  /** Keeps the time of the last reload across reloads (the browser's sessionStorage). */
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  /** Epoch ms. */
  now(): number;
  /** The server refused the query (400): the caller should ask for one it takes. */
  onRefused(): void;
}

const RELOADED_AT = 'wallboard.reloadedAt';
/** Failed reconnect attempts after which the board calls itself offline rather than reconnecting. */
const OFFLINE_AFTER_ATTEMPTS = 3;
/** During a rolling deploy, with both releases behind the balancer, a board must not reload back
 * and forth: at most one reload for a new release a minute. */
const RELOAD_EVERY_MS = 60_000;
const AFTER_SNAPSHOT_FAILED_MS = 2000;
const AFTER_SERVER_DISCONNECT_MS = 500;
const AFTER_REFUSED_SOCKET_MS = 10_000;
const DEFAULT_RETRY_AFTER_S = 5;

export function startBoardSync(o: BoardSyncOptions): BoardSync {
  const { socket } = o;
  const maxRows = o.board.maxRows;
  let state: BoardSyncState = { board: o.board, connection: 'connecting', scope: o.scope };
  const listeners = new Set<(state: BoardSyncState) => void>();
  const set = (next: Partial<BoardSyncState>) => {
    const merged = { ...state, ...next };
    if (
      merged.board === state.board &&
      merged.connection === state.connection &&
      merged.scope === state.scope
    )
      return;
    state = merged;
    for (const listener of listeners) listener(state);
  };

  let wanted = { query: o.query, scope: o.scope };
  let closed = false;
  const aborts = new AbortController();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, run: () => void) => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) run();
    }, ms);
    timers.add(timer);
  };

  // Updates wait here for the next flush, and for as long as a snapshot loads: applied to the
  // board that snapshot replaces, they would be lost.
  let pending: CallUpdate[] = [];
  let syncing = false;
  let cancelFlush: (() => void) | null = null;
  const flush = () => {
    if (syncing || pending.length === 0) return;
    const batch = pending;
    pending = [];
    set({ board: applyUpdates(state.board, batch) });
  };
  const schedule = () => {
    if (cancelFlush || closed) return;
    let ran = false;
    const cancel = o.schedule(() => {
      ran = true;
      cancelFlush = null;
      flush();
    });
    if (!ran) cancelFlush = cancel;
  };

  // Signed out, revoked or expired: the server sends the page to sign-in (or pairing) on reload.
  const signedOut = () => {
    if (!closed) o.reload();
  };

  // A reconnect can start a resync while an older one is still loading: only the newest counts.
  let generation = 0;
  const resync = async () => {
    if (closed) return;
    const mine = ++generation;
    syncing = true;
    try {
      const asked = wanted;
      const res = await o.fetch(`/api/dashboard?${asked.query}`, {
        cache: 'no-store',
        signal: aborts.signal,
      });
      if (res.status === 401 || res.status === 403) return signedOut();
      if (res.status === 429) {
        // Asked too often (a TV's snapshots are rate limited): ask again when the server says.
        void res.body?.cancel();
        const wait = Number(res.headers.get('retry-after')) || DEFAULT_RETRY_AFTER_S;
        if (mine === generation) later(wait * 1000, () => void resync());
        return;
      }
      if (res.status === 400) {
        // Not a connection problem: reconnecting would ask for the same query again.
        void res.body?.cancel();
        if (socket.connected) set({ connection: 'live' });
        o.onRefused();
        return;
      }
      if (!res.ok) throw new Error(`snapshot: HTTP ${res.status}`);
      const snapshot = (await res.json()) as Snapshot;
      if (closed || mine !== generation) return;
      // Updates that arrived while the snapshot loaded: those it already has are skipped.
      const buffered = pending;
      pending = [];
      set({
        board: applyUpdates(boardFromSnapshot(snapshot, maxRows), buffered),
        scope: asked.scope,
        ...(socket.connected ? { connection: 'live' as const } : {}),
      });
    } catch {
      // Start over after a pause: a fresh connection, then a fresh snapshot.
      if (!closed && mine === generation) {
        socket.disconnect();
        set({ connection: 'reconnecting' });
        later(AFTER_SNAPSHOT_FAILED_MS, () => socket.connect());
      }
    } finally {
      if (mine === generation) {
        syncing = false;
        schedule();
      }
    }
  };

  socket.on('connect', () => void resync());
  socket.on('settings', () => void resync());
  socket.on('hello', (info) => {
    if (info.release === o.release || closed) return;
    // Another release: reload to run its code.
    const last = Number(o.storage.getItem(RELOADED_AT) ?? 0);
    if (o.now() - last < RELOAD_EVERY_MS) return;
    o.storage.setItem(RELOADED_AT, String(o.now()));
    o.reload();
  });
  // A caller search over masked numbers cannot be applied here (the digits searched are hidden):
  // the server answers it again, at most once a second, when calls change.
  let searchAgain = false;
  socket.on('calls', (updates) => {
    if (state.board.filter.caller !== null && updates.some((u) => u.call.from?.includes('•'))) {
      if (searchAgain) return;
      searchAgain = true;
      later(MASKED_SEARCH_RESYNC_MS, () => {
        searchAgain = false;
        void resync();
      });
      return;
    }
    pending.push(...updates);
    schedule();
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;
    set({ connection: 'reconnecting' });
    // An instance that shuts down disconnects its clients itself, and socket.io does not retry
    // those on its own: connect again (the load balancer picks a live instance).
    if (reason === 'io server disconnect') later(AFTER_SERVER_DISCONNECT_MS, () => socket.connect());
  });
  socket.io.on('reconnect_attempt', (attempt) => {
    set({ connection: attempt > OFFLINE_AFTER_ATTEMPTS ? 'offline' : 'reconnecting' });
  });
  socket.on('connect_error', (err) => {
    if (state.connection === 'connecting' || state.connection === 'live') set({ connection: 'reconnecting' });
    if (err.message !== UNAUTHORIZED) return;
    // Refused by the server, which socket.io does not retry. Signed out: reload to sign in. Else
    // (a proxy that changes the Origin, say) say so and try again later rather than reload in a loop.
    o.fetch('/api/dashboard', { cache: 'no-store', signal: aborts.signal }).then(
      (res) => {
        void res.body?.cancel();
        if (res.status === 401 || res.status === 403) return signedOut();
        if (closed) return;
        set({ connection: 'offline' });
        later(AFTER_REFUSED_SOCKET_MS, () => socket.connect());
      },
      () => later(AFTER_REFUSED_SOCKET_MS, () => socket.connect()),
    );
  });
  // Handed over already connected: its `connect` has passed, so load the snapshot now.
  if (socket.connected) void resync();
  else if (!socket.active) socket.connect();

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setQuery(query, scope) {
      const changed = wanted.query !== query;
      wanted = { query, scope };
      if (changed) void resync();
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      cancelFlush?.();
      cancelFlush = null;
      aborts.abort();
      socket.close();
      listeners.clear();
    },
  };
}
