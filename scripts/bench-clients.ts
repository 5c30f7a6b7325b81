// Worker thread for `npm run bench`: 50 socket.io clients that note when each call reaches each
// of them, apart from the thread that sends the callbacks, so neither delays the other's clock.
import { parentPort, workerData } from 'node:worker_threads';
import { io as connect } from 'socket.io-client';
import type { CallUpdate } from '../lib/calls/types';

const { url, clients: count } = workerData as { url: string; clients: number };
const now = () => performance.timeOrigin + performance.now();
const arrivals = new Map<string, number[]>();
const sockets = Array.from({ length: count }, () => {
  const s = connect(url, { transports: ['websocket'], reconnection: false });
  s.on('calls', (updates: CallUpdate[]) => {
    const at = now();
    for (const u of updates) {
      const list = arrivals.get(u.call.callSid) ?? [];
      list.push(at);
      arrivals.set(u.call.callSid, list);
    }
  });
  return s;
});
void Promise.all(sockets.map((s) => new Promise<void>((r) => s.once('connect', () => r())))).then(() =>
  parentPort!.postMessage({ ready: true }),
);
parentPort!.on('message', (msg: { done: true }) => {
  if (!msg.done) return;
  for (const s of sockets) s.close();
  parentPort!.postMessage({ arrivals: [...arrivals.entries()] });
});
