// Event names and payloads shared by the socket.io server and the dashboard.
import type { CallUpdate } from './types';

export const SOCKET_PATH = '/socket.io';
/** The handshake error a client gets without a valid session or TV token: it should sign in. */
export const UNAUTHORIZED = 'unauthorized';

export interface ServerToClient {
  /** Changes committed together, in id order. */
  calls: (updates: CallUpdate[]) => void;
  /** On connect: the server's build. A board from another build reloads (a deploy happened). */
  hello: (info: { release: string }) => void;
  /** The admin changed the board's settings: fetch a fresh snapshot, which carries them. */
  settings: () => void;
  /** Alerts opened, resolved or were acknowledged: fetch the open alerts again. */
  alerts: () => void;
}

// Dashboards only listen; catching up after a reconnect goes through GET /api/dashboard.
export type ClientToServer = Record<string, never>;
