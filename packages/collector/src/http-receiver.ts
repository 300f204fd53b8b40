/**
 * The OTLP/HTTP receiver: `POST /v1/traces`, `/v1/metrics`, `/v1/logs` in protobuf or JSON,
 * optionally gzip (or deflate) compressed, as the OTLP specification describes. Answers 200 with an
 * empty export response on success; 400 (malformed, with the reason), 413 (too large), 415 (unknown
 * content type or encoding), 429 with `Retry-After` when the queue is full, 503 while shutting down.
 * Error bodies are a `google.rpc.Status` (protobuf or JSON, as the request was). `GET /health`
 * answers too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import type { ListenAddress, TokenomicsCollector } from './collector';
import { jsonToProtobuf, OtlpJsonError } from './otlp-json';
import { encodeStatus, GRPC_INVALID_ARGUMENT, GRPC_RESOURCE_EXHAUSTED, GRPC_UNAVAILABLE } from './rpc-status';
import type { Signal } from './stats';
import { closeHttpServer, listenHttp } from './http-listen';
import { healthBody } from './telemetry-server';

const PATHS: ReadonlyMap<string, Signal> = new Map([
  ['/v1/traces', 'traces'],
  ['/v1/metrics', 'metrics'],
  ['/v1/logs', 'logs'],
]);

type Encoding = 'protobuf' | 'json';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The OTLP/HTTP receiver of a {@link TokenomicsCollector}. */
export class HttpReceiver {
  private server: Server | undefined;
  /** Decompressed body bytes held by requests being read. */
  private inFlight = 0;
  address: string | undefined;

  constructor(
    private readonly collector: TokenomicsCollector,
    private readonly listen: ListenAddress,
    private readonly maxRequestBytes: number,
    private readonly maxInFlightBytes: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // Only a bug gets here; answer and keep serving.
        if (!res.headersSent) respondText(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
    server.keepAliveTimeout = 30_000;
    server.requestTimeout = 60_000;
    server.on('clientError', (_err, socket) => socket.destroy());
    this.address = await listenHttp(server, this.listen);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await closeHttpServer(server, 'idle');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      const { status, body } = healthBody(this.collector);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      return;
    }
    const signal = PATHS.get(path);
    if (signal === undefined) {
      req.resume();
      respondText(res, 404, `no OTLP endpoint at ${path}; use /v1/traces, /v1/metrics or /v1/logs`);
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.setHeader('allow', 'POST');
      respondText(res, 405, `${req.method} not allowed; OTLP export requests are POST`);
      return;
    }
    const encoding = encodingOf(req.headers['content-type']);
    const held = { bytes: 0 };
    try {
      if (encoding === undefined) {
        throw new HttpError(
          415,
          `unsupported content type "${req.headers['content-type'] ?? ''}"; use application/x-protobuf or application/json`,
        );
      }
      // Refuse before reading when the queue cannot take the body anyway.
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > 0 && !this.collector.hasRoomFor(declared)) {
        throw new HttpError(429, 'the forward queue is full; retry later');
      }
      let body: Uint8Array = await this.readBody(req, held);
      if (encoding === 'json') {
        try {
          body = jsonToProtobuf(signal, body);
        } catch (err) {
          if (err instanceof OtlpJsonError) throw new HttpError(400, err.message);
          throw err;
        }
      }
      const result = await this.collector.submit(signal, body);
      // Stopped while the request was worked on: the connection closes after this answer, so that
      // closing the server does not wait for it to go idle.
      if (this.server === undefined) res.setHeader('connection', 'close');
      switch (result.kind) {
        case 'accepted':
          if (encoding === 'json') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          else res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
          return;
        case 'malformed':
          respondStatus(res, encoding, 400, GRPC_INVALID_ARGUMENT, result.reason);
          return;
        case 'full':
          respondStatus(res, encoding, 429, GRPC_RESOURCE_EXHAUSTED, 'the forward queue is full; retry later', result.retryAfterSeconds);
          return;
        case 'unavailable':
          respondStatus(res, encoding, 503, GRPC_UNAVAILABLE, `${result.reason}; retry later`, result.retryAfterSeconds);
          return;
        case 'stopping':
          respondStatus(res, encoding, 503, GRPC_UNAVAILABLE, 'shutting down; retry on another instance', 1);
          return;
      }
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (!req.complete) {
        // Do not read the rest of a refused body; close the connection after the answer.
        res.setHeader('connection', 'close');
        req.resume();
      }
      if (err.status === 429) {
        this.collector.stats.refused++;
        respondStatus(res, encoding ?? 'protobuf', 429, GRPC_RESOURCE_EXHAUSTED, err.message, this.collector.retryAfterSeconds);
        return;
      }
      this.collector.stats.invalid++;
      respondStatus(res, encoding ?? 'protobuf', err.status, GRPC_INVALID_ARGUMENT, err.message);
    } finally {
      this.inFlight -= held.bytes;
    }
  }

  /**
   * The request body, decompressed, at most `maxRequestBytes` before and after decompression. The
   * bytes read are added to `held` and to the receiver's in-flight total, which is capped at
   * `maxInFlightBytes` across concurrent requests (429 beyond it), so that many senders cannot make
   * the stage hold more than its limits while bodies are read.
   */
  private readBody(req: IncomingMessage, held: { bytes: number }): Promise<Buffer> {
    const limit = this.maxRequestBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      return Promise.reject(new HttpError(413, `request of ${declared} bytes is larger than the limit of ${limit} bytes`));
    }
    const contentEncoding = String(req.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    let decoder: Gunzip | Inflate | undefined;
    if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') decoder = createGunzip();
    else if (contentEncoding === 'deflate') decoder = createInflate();
    else if (contentEncoding !== 'identity' && contentEncoding !== '') {
      return Promise.reject(new HttpError(415, `unsupported content encoding "${contentEncoding}"; use gzip, deflate or none`));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let raw = 0;
      let size = 0;
      let done = false;
      const fail = (err: HttpError) => {
        if (done) return;
        done = true;
        decoder?.destroy();
        reject(err);
      };
      const collect = (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        held.bytes += chunk.length;
        this.inFlight += chunk.length;
        if (size > limit) fail(new HttpError(413, `request decompresses to more than the limit of ${limit} bytes`));
        else if (this.inFlight > this.maxInFlightBytes) fail(new HttpError(429, 'too many request bytes in flight; retry later'));
        else chunks.push(chunk);
      };
      const finish = () => {
        if (done) return;
        done = true;
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      };
      if (decoder !== undefined) {
        const d = decoder;
        d.on('data', collect);
        d.on('end', finish);
        d.on('error', (err) => fail(new HttpError(400, `body is not valid ${contentEncoding}: ${err.message}`)));
        req.on('data', (chunk: Buffer) => {
          raw += chunk.length;
          if (raw > limit) fail(new HttpError(413, `request is larger than the limit of ${limit} bytes`));
          else if (!done) d.write(chunk);
        });
        req.on('end', () => {
          if (!done) d.end();
        });
      } else {
        req.on('data', collect);
        req.on('end', finish);
      }
      req.on('error', (err) => fail(new HttpError(400, `request body could not be read: ${err.message}`)));
      req.on('aborted', () => fail(new HttpError(400, 'request aborted')));
    });
  }
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function respondText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

function respondStatus(
  res: ServerResponse,
  encoding: Encoding,
  status: number,
  code: number,
  message: string,
  retryAfterSeconds?: number,
): void {
  if (retryAfterSeconds !== undefined) res.setHeader('retry-after', String(retryAfterSeconds));
  if (encoding === 'json') {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message }));
  } else {
    const body = encodeStatus(code, message, retryAfterSeconds === undefined ? undefined : retryAfterSeconds * 1000);
    res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': body.length }).end(body);
  }
}
