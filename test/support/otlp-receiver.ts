/**
 * A local OTLP/HTTP receiver for tests: listens on 127.0.0.1 (random port), accepts
 * `POST /v1/traces` and `POST /v1/metrics` in http/json and http/protobuf (optionally gzip),
 * and keeps every decoded span and metric point.
 *
 * Bodies are decoded by `./otlp-decode` (protobuf with the OTLP message classes published by the
 * OpenTelemetry JS project, never by hand).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { decodeOtlpMetricPoints, decodeOtlpSpans, type OtlpMetricPoint, type OtlpSpan } from './otlp-decode';

export {
  OTLP_SPAN_KIND,
  OTLP_STATUS_CODE,
  type OtlpAttributes,
  type OtlpMetricPoint,
  type OtlpScope,
  type OtlpSpan,
  type OtlpValue,
} from './otlp-decode';

/** One accepted or rejected HTTP request. */
export interface OtlpRequest {
  path: string;
  /** `json` or `protobuf`, from the Content-Type. */
  encoding: 'json' | 'protobuf' | 'unknown';
  headers: IncomingHttpHeaders;
  /** HTTP status the receiver answered with. */
  status: number;
  /** Why the request was rejected, when it was. */
  error?: string;
}

/** A running receiver. */
export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43127`; set `OTEL_EXPORTER_OTLP_ENDPOINT` to it. */
  readonly url: string;
  readonly port: number;
  /** Every span received so far, in arrival order. */
  spans(): OtlpSpan[];
  /** The first span received with this name, or `undefined`. */
  spanByName(name: string): OtlpSpan | undefined;
  /** Every data point received so far for the metric `name`, in arrival order. */
  metricPoints(name: string): OtlpMetricPoint[];
  /** Names of all metrics received so far. */
  metricNames(): string[];
  /** Every HTTP request received so far. */
  requests(): OtlpRequest[];
  /**
   * Resolves with the first truthy value `predicate` returns, checked now and after every
   * received request; rejects after `timeoutMs` with a summary of what was received.
   */
  waitFor<T>(predicate: (receiver: OtlpReceiver) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  /** Forget everything received so far. */
  clear(): void;
  /** Stop listening. */
  close(): Promise<void>;
}

function encodingOf(contentType: string | undefined): OtlpRequest['encoding'] {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  return 'unknown';
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const contentEncoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (contentEncoding === 'gzip') return gunzipSync(raw);
  if (contentEncoding === 'deflate') return inflateSync(raw);
  return raw;
}

/** Starts a receiver on 127.0.0.1 with a port chosen by the operating system. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const points: OtlpMetricPoint[] = [];
  const requests: OtlpRequest[] = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const encoding = encodingOf(req.headers['content-type']);
    const record: OtlpRequest = { path, encoding, headers: req.headers, status: 200 };
    const reply = (status: number, error?: string) => {
      record.status = status;
      if (error) record.error = error;
      requests.push(record);
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'text/plain' }).end(error ?? '');
      } else if (encoding === 'json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        // An empty Export*ServiceResponse encodes to zero bytes.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
      notify();
    };

    if (req.method !== 'POST' || (path !== '/v1/traces' && path !== '/v1/metrics')) {
      req.resume();
      return reply(404, `no OTLP route for ${req.method} ${path}`);
    }
    if (encoding === 'unknown') {
      req.resume();
      return reply(415, `unsupported content-type ${String(req.headers['content-type'])}`);
    }
    try {
      const bytes = await readBody(req);
      if (path === '/v1/traces') spans.push(...decodeOtlpSpans(bytes, encoding));
      else points.push(...decodeOtlpMetricPoints(bytes, encoding));
      reply(200);
    } catch (err) {
      reply(400, `could not decode ${encoding} body: ${(err as Error).message}`);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const receiver: OtlpReceiver = {
    url: `http://127.0.0.1:${port}`,
    port,
    spans: () => [...spans],
    spanByName: (name) => spans.find((s) => s.name === name),
    metricPoints: (name) => points.filter((p) => p.name === name),
    metricNames: () => [...new Set(points.map((p) => p.name))],
    requests: () => [...requests],
    waitFor<T>(predicate: (r: OtlpReceiver) => T | undefined | null | false, timeoutMs = 5_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          let result: T | undefined | null | false;
          try {
            result = predicate(receiver);
          } catch (err) {
            finish();
            reject(err);
            return;
          }
          if (result) {
            finish();
            resolve(result);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `OTLP receiver: condition not met within ${timeoutMs} ms; received ${requests.length} request(s), ` +
                `spans [${spans.map((s) => s.name).join(', ')}], metrics [${receiver.metricNames().join(', ')}]` +
                requests
                  .filter((r) => r.error)
                  .map((r) => `; ${r.path} ${r.status}: ${r.error}`)
                  .join(''),
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    clear() {
      spans.length = 0;
      points.length = 0;
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
  };
  return receiver;
}
