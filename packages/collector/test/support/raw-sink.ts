/**
 * A next hop for the collector stage's tests: an HTTP server on 127.0.0.1 that keeps the raw
 * (decompressed) body of every request, answers with a status the test chooses per request
 * (e.g. 503 with Retry-After), can hold requests unanswered (a slow or stalled hop), and can be
 * stopped and started again on the same port (a restart).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request the sink received. */
export interface SinkRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Status answered (`undefined` while held). */
  status?: number;
}

/** What to answer: a status and headers, or `'hold'` to keep the request open until released. */
export type SinkAnswer = { status: number; headers?: Record<string, string> } | 'hold';

export interface RawSink {
  readonly url: string;
  readonly port: number;
  /** Requests answered with a 2xx, in order. */
  accepted(): SinkRequest[];
  /** Every request received, in order. */
  all(): SinkRequest[];
  /** Sets how the next requests are answered (default 200). */
  answer(fn: (req: SinkRequest) => SinkAnswer): void;
  /** Answers every held request with 200 and stops holding. */
  release(): void;
  /** Resolves when `predicate` holds, checked after every request; rejects after `timeoutMs`. */
  waitFor(predicate: (sink: RawSink) => boolean, timeoutMs?: number): Promise<void>;
  /** Stops listening and drops open connections (the hop is down). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a sink on 127.0.0.1 (a free port unless given). */
export async function startRawSink(port = 0): Promise<RawSink> {
  const requests: SinkRequest[] = [];
  const held: { req: SinkRequest; res: ServerResponse }[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let decide: (req: SinkRequest) => SinkAnswer = () => ({ status: 200 });
  let server: Server;
  let boundPort = port;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (String(req.headers['content-encoding'] ?? '') === 'gzip') body = gunzipSync(body);
      const record: SinkRequest = { path: req.url ?? '/', headers: req.headers, body };
      requests.push(record);
      const answer = decide(record);
      if (answer === 'hold') {
        held.push({ req: record, res });
      } else {
        record.status = answer.status;
        res.writeHead(answer.status, answer.headers ?? {}).end();
      }
      notify();
    });
  };

  const listen = async () => {
    server = createServer(handler);
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.listen(boundPort, '127.0.0.1');
    await once(server, 'listening');
    boundPort = (server.address() as AddressInfo).port;
  };
  await listen();

  const stop = async () => {
    for (const h of held.splice(0)) h.res.destroy();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };

  const sink: RawSink = {
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    accepted: () => requests.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300),
    all: () => requests.slice(),
    answer(fn) {
      decide = fn;
    },
    release() {
      decide = () => ({ status: 200 });
      for (const h of held.splice(0)) {
        h.req.status = 200;
        h.res.writeHead(200).end();
      }
      notify();
    },
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(sink)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`sink: condition not met after ${timeoutMs} ms (${requests.length} requests)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop,
    restart: listen,
    close: stop,
  };
  return sink;
}
