'use client';
// The time zone the board's figures and clock are in, for every component below the board.
import { createContext, useContext } from 'react';

export const ZoneContext = createContext<string | null>(null);

/** The board's zone, or null outside a board (then the browser's applies). */
export const useBoardZone = () => useContext(ZoneContext);
