/**
 * Starting and stopping the collector's plain HTTP servers (the OTLP/HTTP receiver and the
 * health/metrics endpoint), which listen and close the same way.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from './collector';

/** Starts `server` listening on `listen`; resolves with the bound `host:port` (an IPv6 host in brackets), rejects when it cannot listen. */
export async function listenHttp(server: Server, listen: ListenAddress): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

/**
 * Stops `server` accepting connections and resolves once it is closed. `connections` says which
 * open connections are closed at once: only idle ones (requests in flight finish) or all.
 */
export function closeHttpServer(server: Server, connections: 'idle' | 'all'): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    if (connections === 'idle') server.closeIdleConnections();
    else server.closeAllConnections();
  });
}
