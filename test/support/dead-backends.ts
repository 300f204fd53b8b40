/**
 * Telemetry backends that never take anything: a closed port, a server that accepts connections
 * and never answers, and one that answers every request with 503 (optionally with `Retry-After`).
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { freePort } from './free-port';

export type DeadBackendKind = 'closed-port' | 'no-answer' | '503' | '503-retry-after';

export interface DeadBackend {
  kind: DeadBackendKind;
  /** OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  url: string;
  /** Requests (503) or connections (no-answer) received so far. */
  hits(): number;
  close(): Promise<void>;
}

function tracked(server: Server | ReturnType<typeof createHttpServer>, sockets: Set<Socket>) {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
}

/** Starts a dead backend of `kind` on 127.0.0.1. */
export async function startDeadBackend(kind: DeadBackendKind): Promise<DeadBackend> {
  if (kind === 'closed-port') {
    const port = await freePort();
    return { kind, url: `http://127.0.0.1:${port}`, hits: () => 0, close: async () => {} };
  }
  const sockets = new Set<Socket>();
  let hits = 0;
  const server =
    kind === 'no-answer'
      ? createServer(() => {
          hits++;
        })
      : createHttpServer((req, res) => {
          hits++;
          req.resume();
          req.on('end', () => {
            res.writeHead(503, kind === '503-retry-after' ? { 'retry-after': '1' } : {});
            res.end('unavailable');
          });
        });
  const close = tracked(server, sockets);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { kind, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits, close };
}
