'use client';
import { useSyncExternalStore } from 'react';
import { useBoardZone } from './zone';

const subscribe = () => () => {};

/** The browser's time zone; `onServer` while rendering on the server, where it is not known. */
export function useBrowserZone(onServer = 'UTC'): string {
  return useSyncExternalStore(
    subscribe,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    () => onServer,
  );
}

/** The zone times are shown in: the board's, else the browser's. */
export function useTimeZone(): string {
  const browser = useBrowserZone();
  return useBoardZone() ?? browser;
}
