'use client';
// The board's live state: the server-rendered snapshot, then socket.io updates applied once per
// animation frame, and a fresh snapshot after every (re)connect so nothing missed stays missing.
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { applyUpdates, boardFromSnapshot, type Board } from '@/lib/calls/board';
import type { CallUpdate, Snapshot } from '@/lib/calls/types';
import { SOCKET_PATH, UNAUTHORIZED, type ClientToServer, type ServerToClient } from '@/lib/realtime/events';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'offline';

const RELOADED_AT = 'wallboard.reloadedAt';

/** Failed reconnect attempts after which the board calls itself offline rather than reconnecting. */
const OFFLINE_AFTER_ATTEMPTS = 3;

/**
 * `query`: the snapshot request's parameters (what the board counts); a new one fetches a fresh
 * snapshot for it. `release`: the build
 * this page came from; when the server says it runs another (a deploy), the page reloads itself.
 */
export function useLiveBoard(
  initial: Snapshot,
  maxRows: number,
  query: string,
  /** Names the view `query` is for; returned with the board once the board shows it. */
  scope: string,
  release: string,
  /** The server refused the filter (400): the caller should fall back to one it takes. */
  onRefused: () => void,
) {
  const refused = useRef(onRefused);
  useEffect(() => {
    refused.current = onRefused;
  });
  const [board, setBoard] = useState<Board>(() => boardFromSnapshot(initial, maxRows));
  const [connection, setConnection] = useState<Connection>('connecting');
  const pending = useRef<CallUpdate[]>([]);
  const frame = useRef<number | null>(null);
  const wanted = useRef({ query, scope });
  const [shownScope, setShownScope] = useState(scope);
  const resyncNow = useRef<() => void>(() => {});

  useEffect(() => {
    const changed = wanted.current.query !== query;
    wanted.current = { query, scope };
    if (changed) resyncNow.current();
    // scope names query: a new query comes with its scope.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  useEffect(() => {
    const socket: Socket<ServerToClient, ClientToServer> = io({
      path: SOCKET_PATH,
      transports: ['websocket'],
    });
    let syncing = false;
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const flush = () => {
      frame.current = null;
      if (syncing || pending.current.length === 0) return;
      const batch = pending.current;
      pending.current = [];
      setBoard((b) => applyUpdates(b, batch));
    };
    const schedule = () => {
      frame.current ??= requestAnimationFrame(flush);
    };

    // Signed out, revoked or expired: the server sends the page to sign-in (or pairing) on reload.
    const signedOut = () => {
      if (!cancelled) window.location.reload();
    };

    // A reconnect can start a resync while an older one is still loading: only the newest counts.
    let generation = 0;
    const resync = async () => {
      const mine = ++generation;
      syncing = true;
      try {
        const asked = wanted.current;
        const res = await fetch(`/api/dashboard?${asked.query}`, { cache: 'no-store' });
        if (res.status === 401 || res.status === 403) return signedOut();
        if (res.status === 429) {
          // Asked too often (a TV's snapshots are rate limited): ask again when the server says.
          void res.body?.cancel();
          const wait = Number(res.headers.get('retry-after')) || 5;
          if (!cancelled && mine === generation) retry = setTimeout(() => void resync(), wait * 1000);
          return;
        }
        if (res.status === 400) {
          // Not a connection problem: reconnecting would ask for the same filter again.
          void res.body?.cancel();
          if (socket.connected) setConnection('live');
          refused.current();
          return;
        }
        if (!res.ok) throw new Error(`snapshot: HTTP ${res.status}`);
        const snapshot = (await res.json()) as Snapshot;
        if (cancelled || mine !== generation) return;
        // Updates that arrived while the snapshot was read: those it already has are skipped.
        const buffered = pending.current;
        pending.current = [];
        setBoard(applyUpdates(boardFromSnapshot(snapshot, maxRows), buffered));
        setShownScope(asked.scope);
        if (socket.connected) setConnection('live');
      } catch {
        // Start over after a pause: a fresh connection, then a fresh snapshot.
        if (!cancelled && mine === generation) {
          socket.disconnect();
          setConnection('reconnecting');
          retry = setTimeout(() => socket.connect(), 2000);
        }
      } finally {
        if (mine === generation) {
          syncing = false;
          schedule();
        }
      }
    };

    resyncNow.current = () => void resync();
    socket.on('connect', () => void resync());
    socket.on('settings', () => void resync());
    socket.on('hello', (info) => {
      if (info.release === release || cancelled) return;
      // Another release: reload to run its code. At most once a minute, so that during a rolling
      // deploy, with both releases behind the balancer, a board does not reload back and forth.
      const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
      if (Date.now() - last < 60_000) return;
      sessionStorage.setItem(RELOADED_AT, String(Date.now()));
      window.location.reload();
    });
    socket.on('calls', (updates) => {
      pending.current.push(...updates);
      schedule();
    });
    socket.on('disconnect', (reason) => {
      setConnection('reconnecting');
      // An instance that shuts down disconnects its clients itself, and socket.io does not retry
      // those on its own: connect again (the load balancer picks a live instance).
      if (reason === 'io server disconnect' && !cancelled) retry = setTimeout(() => socket.connect(), 500);
    });
    socket.io.on('reconnect_attempt', (attempt) => {
      setConnection(attempt > OFFLINE_AFTER_ATTEMPTS ? 'offline' : 'reconnecting');
    });
    socket.on('connect_error', (err) => {
      setConnection((c) => (c === 'connecting' || c === 'live' ? 'reconnecting' : c));
      if (err.message !== UNAUTHORIZED) return;
      // Refused by the server, which socket.io does not retry. Signed out: reload to sign in. Else
      // (a proxy that changes the Origin, say) say so and try again later rather than reload in a loop.
      void fetch('/api/dashboard', { cache: 'no-store' }).then(
        (res) => {
          void res.body?.cancel();
          if (res.status === 401 || res.status === 403) return signedOut();
          if (res.status === 400) {
            // Not a connection problem: reconnecting would ask for the same filter again.
            void res.body?.cancel();
            if (socket.connected) setConnection('live');
            refused.current();
            return;
          }
          setConnection('offline');
          if (!cancelled) retry = setTimeout(() => socket.connect(), 10_000);
        },
        () => {
          if (!cancelled) retry = setTimeout(() => socket.connect(), 10_000);
        },
      );
    });

    return () => {
      cancelled = true;
      clearTimeout(retry);
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      socket.close();
    };
  }, [maxRows, release]);

  return { board, connection, scope: shownScope };
}
