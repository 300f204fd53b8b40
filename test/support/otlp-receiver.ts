/**
 * A local OTLP/HTTP receiver for tests: listens on 127.0.0.1 (random port), accepts
 * `POST /v1/traces` and `POST /v1/metrics` in http/json and http/protobuf (optionally gzip),
 * and keeps every decoded span and metric point.
 *
 * Protobuf payloads are decoded, never by hand, with the message classes that the OpenTelemetry
 * JS project generated from the OTLP `.proto` files and published in
 * `@opentelemetry/otlp-transformer` (`build/src/generated/root`, shipped with both signals up to 0.216.0; later
 * releases encode with a hand-written writer and ship no decoder). The OTLP/JSON shape those
 * classes convert to is the shape every decoder below reads, so this module is the one place
 * that knows the wire formats.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { gunzipSync, inflateSync } from 'node:zlib';

/** An OTLP attribute value, decoded. 64-bit integers beyond 2^53 stay `bigint`. */
export type OtlpValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | OtlpValue[]
  | { [key: string]: OtlpValue };

/** Decoded attributes, keyed by attribute name. */
export type OtlpAttributes = Record<string, OtlpValue>;

/** Instrumentation scope of a span or metric. */
export interface OtlpScope {
  name: string;
  version?: string;
  attributes: OtlpAttributes;
}

/** OTLP `Span.SpanKind` numbers. */
export const OTLP_SPAN_KIND = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** OTLP `Status.StatusCode` numbers. */
export const OTLP_STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** One received span. */
export interface OtlpSpan {
  name: string;
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 lowercase hex digits, or `undefined` for a root span. */
  parentSpanId: string | undefined;
  /** {@link OTLP_SPAN_KIND} number. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpAttributes;
  events: { name: string; timeUnixNano: bigint; attributes: OtlpAttributes }[];
  status: { code: number; message: string | undefined };
  resource: OtlpAttributes;
  scope: OtlpScope;
}

/** One received metric data point, with its metric's name, type and unit. */
export interface OtlpMetricPoint {
  name: string;
  description: string;
  unit: string;
  type: 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';
  /** Sums only. */
  isMonotonic?: boolean;
  /** Sums and histograms. */
  temporality?: 'delta' | 'cumulative' | 'unspecified';
  attributes: OtlpAttributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** Gauges and sums. */
  value?: number;
  /** Histograms (and summaries): number of measurements. */
  count?: number;
  /** Histograms (and summaries): sum of measurements. */
  sum?: number;
  min?: number;
  max?: number;
  /** Explicit-bucket histograms. */
  bucketCounts?: number[];
  /** Explicit-bucket histograms. */
  explicitBounds?: number[];
  resource: OtlpAttributes;
  scope: OtlpScope;
}

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

/** The part of a generated protobufjs message class that the receiver uses. */
interface GeneratedMessageType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Json;
}

let protoTypes: { traceRequest: GeneratedMessageType; metricsRequest: GeneratedMessageType } | undefined;

function otlpProtoTypes() {
  if (!protoTypes) {
    const require = createRequire(import.meta.url);
    const root = require('@opentelemetry/otlp-transformer/build/src/generated/root') as Json;
    const collector = root.opentelemetry.proto.collector;
    protoTypes = {
      traceRequest: collector.trace.v1.ExportTraceServiceRequest,
      metricsRequest: collector.metrics.v1.ExportMetricsServiceRequest,
    };
  }
  return protoTypes;
}

/** Decoded request body in the OTLP/JSON shape (camelCase keys); ids per `idEncoding`. */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Decoded {
  body: Json;
  /** How span/trace ids are written in `body`: hex (OTLP/JSON) or base64 (protobuf via the generated classes). */
  idEncoding: 'hex' | 'base64';
}

function decodeProtobuf(type: GeneratedMessageType, bytes: Uint8Array): Decoded {
  const message = type.decode(bytes);
  const body = type.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false, arrays: true });
  return { body, idEncoding: 'base64' };
}

function decodeJson(bytes: Uint8Array): Decoded {
  return { body: JSON.parse(Buffer.from(bytes).toString('utf8')), idEncoding: 'hex' };
}

function toId(value: unknown, encoding: 'hex' | 'base64'): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return encoding === 'hex' ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
}

function toBigInt(value: unknown): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  return BigInt(String(value));
}

function toInt(value: unknown): number | bigint {
  const big = toBigInt(value);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    // OTLP/JSON may spell doubles as strings (`"NaN"`, `"Infinity"`) and 64-bit integers as strings.
    return Number(value);
  }
  return 0;
}

function anyValue(value: Json): OtlpValue {
  if (value === undefined || value === null) return null;
  if ('stringValue' in value) return String(value.stringValue);
  if ('boolValue' in value) return Boolean(value.boolValue);
  if ('intValue' in value) return toInt(value.intValue);
  if ('doubleValue' in value) return toNumber(value.doubleValue);
  if ('bytesValue' in value) return new Uint8Array(Buffer.from(String(value.bytesValue), 'base64'));
  if ('arrayValue' in value) return ((value.arrayValue?.values ?? []) as Json[]).map(anyValue);
  if ('kvlistValue' in value) return attributes(value.kvlistValue?.values);
  return null;
}

function attributes(list: Json): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of (list ?? []) as Json[]) out[String(kv.key)] = anyValue(kv.value);
  return out;
}

function scopeOf(scope: Json): OtlpScope {
  return {
    name: String(scope?.name ?? ''),
    ...(scope?.version ? { version: String(scope.version) } : {}),
    attributes: attributes(scope?.attributes),
  };
}

function spansOf({ body, idEncoding }: Decoded): OtlpSpan[] {
  const out: OtlpSpan[] = [];
  for (const rs of (body.resourceSpans ?? []) as Json[]) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of (rs.scopeSpans ?? []) as Json[]) {
      const scope = scopeOf(ss.scope);
      for (const s of (ss.spans ?? []) as Json[]) {
        out.push({
          name: String(s.name ?? ''),
          traceId: toId(s.traceId, idEncoding) ?? '',
          spanId: toId(s.spanId, idEncoding) ?? '',
          parentSpanId: toId(s.parentSpanId, idEncoding),
          kind: Number(s.kind ?? 0),
          startTimeUnixNano: toBigInt(s.startTimeUnixNano),
          endTimeUnixNano: toBigInt(s.endTimeUnixNano),
          attributes: attributes(s.attributes),
          events: ((s.events ?? []) as Json[]).map((e) => ({
            name: String(e.name ?? ''),
            timeUnixNano: toBigInt(e.timeUnixNano),
            attributes: attributes(e.attributes),
          })),
          status: { code: Number(s.status?.code ?? 0), message: s.status?.message ? String(s.status.message) : undefined },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

const TEMPORALITY = ['unspecified', 'delta', 'cumulative'] as const;

function metricPointsOf({ body }: Decoded): OtlpMetricPoint[] {
  const out: OtlpMetricPoint[] = [];
  for (const rm of (body.resourceMetrics ?? []) as Json[]) {
    const resource = attributes(rm.resource?.attributes);
    for (const sm of (rm.scopeMetrics ?? []) as Json[]) {
      const scope = scopeOf(sm.scope);
      for (const m of (sm.metrics ?? []) as Json[]) {
        const common = { name: String(m.name ?? ''), description: String(m.description ?? ''), unit: String(m.unit ?? '') };
        const base = (p: Json) => ({
          attributes: attributes(p.attributes),
          startTimeUnixNano: toBigInt(p.startTimeUnixNano),
          timeUnixNano: toBigInt(p.timeUnixNano),
          resource,
          scope,
        });
        const numberValue = (p: Json) => ('asDouble' in p ? toNumber(p.asDouble) : Number(toInt(p.asInt ?? 0)));
        if (m.gauge) {
          for (const p of (m.gauge.dataPoints ?? []) as Json[]) {
            out.push({ ...common, type: 'gauge', ...base(p), value: numberValue(p) });
          }
        } else if (m.sum) {
          for (const p of (m.sum.dataPoints ?? []) as Json[]) {
            out.push({
              ...common,
              type: 'sum',
              isMonotonic: Boolean(m.sum.isMonotonic),
              temporality: TEMPORALITY[Number(m.sum.aggregationTemporality ?? 0)] ?? 'unspecified',
              ...base(p),
              value: numberValue(p),
            });
          }
        } else if (m.histogram) {
          for (const p of (m.histogram.dataPoints ?? []) as Json[]) {
            out.push({
              ...common,
              type: 'histogram',
              temporality: TEMPORALITY[Number(m.histogram.aggregationTemporality ?? 0)] ?? 'unspecified',
              ...base(p),
              count: Number(toInt(p.count ?? 0)),
              sum: p.sum === undefined ? undefined : toNumber(p.sum),
              min: p.min === undefined ? undefined : toNumber(p.min),
              max: p.max === undefined ? undefined : toNumber(p.max),
              bucketCounts: ((p.bucketCounts ?? []) as unknown[]).map((c) => Number(toInt(c))),
              explicitBounds: ((p.explicitBounds ?? []) as unknown[]).map(toNumber),
            });
          }
        } else if (m.exponentialHistogram) {
          for (const p of (m.exponentialHistogram.dataPoints ?? []) as Json[]) {
            out.push({
              ...common,
              type: 'exponentialHistogram',
              temporality: TEMPORALITY[Number(m.exponentialHistogram.aggregationTemporality ?? 0)] ?? 'unspecified',
              ...base(p),
              count: Number(toInt(p.count ?? 0)),
              sum: p.sum === undefined ? undefined : toNumber(p.sum),
            });
          }
        } else if (m.summary) {
          for (const p of (m.summary.dataPoints ?? []) as Json[]) {
            out.push({
              ...common,
              type: 'summary',
              ...base(p),
              count: Number(toInt(p.count ?? 0)),
              sum: toNumber(p.sum ?? 0),
            });
          }
        }
      }
    }
  }
  return out;
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
      const types = otlpProtoTypes();
      if (path === '/v1/traces') {
        spans.push(...spansOf(encoding === 'json' ? decodeJson(bytes) : decodeProtobuf(types.traceRequest, bytes)));
      } else {
        points.push(...metricPointsOf(encoding === 'json' ? decodeJson(bytes) : decodeProtobuf(types.metricsRequest, bytes)));
      }
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
