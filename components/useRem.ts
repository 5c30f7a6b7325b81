'use client';
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void) {
  window.addEventListener('resize', onChange);
  return () => window.removeEventListener('resize', onChange);
}

/** The root font size in px: the board's unit, which grows with the screen (see globals.css). */
export function useRem(): number {
  return useSyncExternalStore(
    subscribe,
    () => parseFloat(getComputedStyle(document.documentElement).fontSize) || 16,
    () => 18,
  );
}
