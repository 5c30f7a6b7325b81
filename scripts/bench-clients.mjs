// Worker thread for `npm run bench`: 50 socket.io clients that note when each call reaches each
// of them, apart from the thread that sends the callbacks, so neither delays the other's clock.
// With `record: false` (a long run) they only count deliveries, so their memory stays flat.
// Plain JavaScript: Node 20 does not apply --import loaders to a worker's own entry file.
import { parentPort, workerData } from 'node:worker_threads';
import { io as connect } from 'socket.io-client';

const { url, clients: count, cookie, record = true } = workerData;
const now = () => performance.timeOrigin + performance.now();
const arrivals = new Map();
let delivered = 0;
const sockets = Array.from({ length: count }, () => {
  const s = connect(url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie } });
  s.on('calls', (updates) => {
    const at = now();
    delivered += updates.length;
    if (!record) return;
    for (const u of updates) {
      const list = arrivals.get(u.call.callSid) ?? [];
      list.push(at);
      arrivals.set(u.call.callSid, list);
    }
  });
  return s;
});
await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('connect', resolve))));
parentPort.postMessage({ ready: true });
parentPort.on('message', (msg) => {
  if (!msg.done) return;
  for (const s of sockets) s.close();
  parentPort.postMessage({ arrivals: [...arrivals.entries()], delivered });
});
