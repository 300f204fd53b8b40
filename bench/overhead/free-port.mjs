import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port nothing listens on now, for a child's Prometheus endpoint (not the default 9464 another process may hold). */
export async function freePort() {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}
