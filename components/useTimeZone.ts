'use client';
import { useContext, useMemo, useSyncExternalStore } from 'react';
import { LocaleContext, useBoardZone } from './zone';
import { formatsFor, type Formats } from '@/lib/common/format';

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

/** Numbers, dates and times as the product shows them: the browser's locale, the board's zone. */
export function useFormats(): Formats {
  const locale = useContext(LocaleContext);
  const zone = useTimeZone();
  return useMemo(() => formatsFor(locale, zone), [locale, zone]);
}

const NO_ZONES: string[] = [];
let zones: string[] | null = null;

/**
 * Every IANA zone this browser knows, for the zone pickers. None while rendering on the server:
 * its list (Node's ICU) differs from the browser's, and the page must hydrate as rendered.
 */
export function useZoneList(): string[] {
  return useSyncExternalStore(
    subscribe,
    () =>
      (zones ??=
        (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? []),
    () => NO_ZONES,
  );
}
