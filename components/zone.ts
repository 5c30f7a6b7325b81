'use client';
// The time zone and locale the board's figures and clocks are in, for every component below it.
import { createContext, useContext } from 'react';
import { DEFAULT_LOCALE } from '@/lib/common/format';

export const ZoneContext = createContext<string | null>(null);

/** The board's zone, or null outside a board (then the browser's applies). */
export const useBoardZone = () => useContext(ZoneContext);

/** The browser's locale as the server saw it (Accept-Language), so the page hydrates as rendered. */
export const LocaleContext = createContext<string>(DEFAULT_LOCALE);
