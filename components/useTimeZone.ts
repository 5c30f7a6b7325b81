'use client';
import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/** The viewer's time zone; UTC while rendering on the server, where it is not known. */
export function useTimeZone(): string {
  return useSyncExternalStore(
    subscribe,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone,
    () => 'UTC',
  );
}
