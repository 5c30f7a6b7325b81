'use client';
import { useEffect, useState } from 'react';
import type { Connection } from '@/lib/common/board-sync';

/**
 * The moment the figures on screen were last known to be current: now, second by second, while
 * the feed is live; frozen at the moment it was lost otherwise. Null until the first live moment.
 */
export function useAsOf(connection: Connection): number | null {
  const [asOf, setAsOf] = useState<number | null>(null);
  useEffect(() => {
    if (connection !== 'live') return;
    const tick = () => setAsOf(Date.now());
    const timer = setInterval(tick, 1000);
    const first = setTimeout(tick, 0);
    return () => {
      clearInterval(timer);
      clearTimeout(first);
    };
  }, [connection]);
  return asOf;
}
