/**
 * OTLP export request decoding, in http/json and http/protobuf, into plain spans and metric
 * points. No HTTP here: the test receiver uses it, and a stage that reads OTLP can share it.
 *
 * Protobuf payloads are decoded, never by hand, with the message classes that the OpenTelemetry
 * JS project generated from the OTLP `.proto` files and published in
 * `@opentelemetry/otlp-transformer` (`build/src/generated/root`, shipped with both signals up to
 * 0.216.0; later releases encode with a hand-written writer and ship no decoder). Those classes
 * convert a message to the OTLP/JSON shape, so one reader below serves both encodings.
 */
import { createRequire } from 'node:module';

/** An OTLP attribute value, decoded. 64-bit integers beyond 2^53 stay `bigint`. */
export type OtlpValue = string | number | bigint | boolean | Uint8Array | null | OtlpValue[] | { [key: string]: OtlpValue };

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
  isMonotonic?: boolean | undefined;
  /** Sums and histograms. */
  temporality?: 'delta' | 'cumulative' | 'unspecified' | undefined;
  attributes: OtlpAttributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** Gauges and sums. */
  value?: number | undefined;
  /** Histograms (and summaries): number of measurements. */
  count?: number | undefined;
  /** Histograms (and summaries): sum of measurements. */
  sum?: number | undefined;
  min?: number | undefined;
  max?: number | undefined;
  /** Explicit-bucket histograms. */
  bucketCounts?: number[] | undefined;
  /** Explicit-bucket histograms. */
  explicitBounds?: number[] | undefined;
  resource: OtlpAttributes;
  scope: OtlpScope;
}

/** The part of a generated protobufjs message class that is used here. */
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

/** The two OTLP/HTTP payload encodings. */
export type OtlpEncoding = 'json' | 'protobuf';

/** Decodes the body of an `ExportTraceServiceRequest` (`POST /v1/traces`); throws on a malformed body. */
export function decodeOtlpSpans(body: Uint8Array, encoding: OtlpEncoding): OtlpSpan[] {
  return spansOf(encoding === 'json' ? decodeJson(body) : decodeProtobuf(otlpProtoTypes().traceRequest, body));
}

/** Decodes the body of an `ExportMetricsServiceRequest` (`POST /v1/metrics`); throws on a malformed body. */
export function decodeOtlpMetricPoints(body: Uint8Array, encoding: OtlpEncoding): OtlpMetricPoint[] {
  return metricPointsOf(encoding === 'json' ? decodeJson(body) : decodeProtobuf(otlpProtoTypes().metricsRequest, body));
}
