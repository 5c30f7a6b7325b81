import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { CallUpdate } from '../calls/types';
import { SOCKET_PATH, type ClientToServer, type ServerToClient } from './events';

export type RealtimeServer = Server<ClientToServer, ServerToClient>;

/** socket.io on the same HTTP server and port as Next.js. */
export function attachRealtime(http: HttpServer): RealtimeServer {
  return new Server<ClientToServer, ServerToClient>(http, {
    path: SOCKET_PATH,
    serveClient: false,
    // Browsers connect with websocket only, so round-robin balancing needs no sticky sessions.
    transports: ['websocket', 'polling'],
  });
}

export function publisher(io: RealtimeServer) {
  return (updates: CallUpdate[]) => {
    io.emit('calls', updates);
  };
}
