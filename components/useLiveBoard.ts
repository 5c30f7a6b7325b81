'use client';
// The board's live state in React: the sync loop of lib/common/board-sync.ts, run with the
// browser's socket, fetch, animation frames, reload and session storage.
import { useEffect, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import { boardFromSnapshot } from '@/lib/common/board';
import type { Snapshot } from '@/lib/common/types';
import { SOCKET_PATH } from '@/lib/common/events';
import {
  startBoardSync,
  type BoardSocket,
  type BoardSync,
  type BoardSyncState,
} from '@/lib/common/board-sync';

/**
 * `query`: the snapshot request's parameters (what the board counts); a new one fetches a fresh
 * snapshot for it. `release`: the build this page came from; when the server says it runs another
 * (a deploy), the page reloads itself.
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
  /** Told of each socket the board opens, to listen to it too: one connection per board. */
  onSocket?: (socket: BoardSocket) => void,
): BoardSyncState {
  const refused = useRef(onRefused);
  const opened = useRef(onSocket);
  const [state, setState] = useState<BoardSyncState>(() => ({
    board: boardFromSnapshot(initial, maxRows),
    connection: 'connecting',
    scope,
  }));
  // What a restarted loop (another release or row cap) starts from: where the last one was.
  const latest = useRef({ state, query, scope });
  const sync = useRef<BoardSync | null>(null);
  useEffect(() => {
    refused.current = onRefused;
    opened.current = onSocket;
    latest.current = { state, query, scope };
  });

  useEffect(() => {
    sync.current?.setQuery(query, scope);
    // scope names query: a new query comes with its scope.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  useEffect(() => {
    const from = latest.current;
    const socket: BoardSocket = io({ path: SOCKET_PATH, transports: ['websocket'] });
    opened.current?.(socket);
    const loop = startBoardSync({
      board: { ...from.state.board, maxRows },
      query: from.query,
      scope: from.scope,
      release,
      socket,
      fetch: (path, init) => fetch(path, init),
      schedule: (flush) => {
        const frame = requestAnimationFrame(flush);
        return () => cancelAnimationFrame(frame);
      },
      reload: () => window.location.reload(),
      storage: sessionStorage,
      now: Date.now,
      onRefused: () => refused.current(),
    });
    sync.current = loop;
    const unsubscribe = loop.subscribe(setState);
    return () => {
      unsubscribe();
      loop.close();
      sync.current = null;
    };
  }, [maxRows, release]);

  return state;
}
