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

/** The width below which the board is one column and a call takes two lines (see globals.css). */
const NARROW = '(max-width: 900px)';

/** Whether the screen is a phone's (or a narrow window): the board is laid out in one column. */
export function useNarrow(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(NARROW).matches,
    () => false,
  );
}
