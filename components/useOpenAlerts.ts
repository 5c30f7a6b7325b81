'use client';
// The open alerts on the board: GET /api/alerts?open=1, loaded again on every `alerts` event of the
// board's own socket and on every (re)connect of it, after which events may have been missed.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoardSocket } from '@/lib/common/board-sync';

/** An alert as GET /api/alerts answers it (AlertRow in lib/alerts/service.ts): what the board shows. */
export interface BoardAlert {
  id: string;
  rule: string;
  /** The line it is about; null: all lines, or the webhook itself. */
  line: string | null;
  summary: string;
  firedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  open: boolean;
}

export interface OpenAlerts {
  /** Newest first; empty until the first answer. */
  alerts: BoardAlert[];
  /** The server's clock minus this browser's, in ms: a TV's own clock may be off. */
  skew: number;
  /** Listens to the board's socket: pass it to useLiveBoard. */
  listen(socket: BoardSocket): void;
  /** Loads them again now: after an acknowledgement here, should the socket be down. */
  reload(): Promise<void>;
}

export function useOpenAlerts(): OpenAlerts {
  const [state, setState] = useState<{ alerts: BoardAlert[]; skew: number }>({ alerts: [], skew: 0 });
  const alive = useRef(true);
  // A reconnect and an event can overlap: only the newest request's answer counts.
  const generation = useRef(0);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const res = await fetch('/api/alerts?open=1', { cache: 'no-store', credentials: 'same-origin' });
      // Signed out or revoked: the board's own sync sends the page to sign-in.
      if (!res.ok) return void res.body?.cancel();
      const { alerts } = (await res.json()) as { alerts: BoardAlert[] };
      if (!alive.current || mine !== generation.current) return;
      const date = Date.parse(res.headers.get('date') ?? '');
      setState({ alerts, skew: Number.isNaN(date) ? 0 : date - Date.now() });
    } catch {
      // Out of reach: the connection banner says so, and the reconnect loads them again.
    }
  }, []);

  const listen = useCallback(
    (socket: BoardSocket) => {
      socket.on('connect', () => void reload());
      socket.on('alerts', () => void reload());
    },
    [reload],
  );

  return { ...state, listen, reload };
}
