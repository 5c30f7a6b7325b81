// A round-robin TCP balancer on loopback, standing in for nginx in front of several instances:
// each new connection goes to the next backend that accepts it.
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

export async function startBalancer(backends: number[]): Promise<Balancer> {
  let next = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    const attempt = (tries: number) => {
      const port = backends[next++ % backends.length]!;
      const upstream = connect(port, '127.0.0.1');
      upstream.once('connect', () => {
        client.pipe(upstream).pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
      upstream.once('error', () => (tries > 1 ? attempt(tries - 1) : client.destroy()));
    };
    attempt(backends.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
