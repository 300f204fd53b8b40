/**
 * The OTLP protobuf message classes, as the OpenTelemetry JS project generated them from the OTLP
 * `.proto` files and published them in `@opentelemetry/otlp-transformer` 0.216.0
 * (`build/src/generated/root`), and the protobufjs runtime they were generated for. Nothing here
 * parses protobuf by hand: every message is decoded and encoded by those classes, and the byte
 * ranges of nested messages are found with the runtime's own `Reader`.
 */
import { createRequire } from 'node:module';

/** A 64-bit integer as the protobufjs runtime returns it: a number, or a `Long` when `long` is installed. */
export type Int64 = number | { low: number; high: number; unsigned?: boolean; toNumber(): number; toString(): string };

/** `opentelemetry.proto.common.v1.AnyValue`, decoded. */
export interface AnyValueMessage {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValueMessage[] | null } | null;
  kvlistValue?: { values?: KeyValueMessage[] | null } | null;
  bytesValue?: Uint8Array | null;
}

/** `opentelemetry.proto.common.v1.KeyValue`, decoded. */
export interface KeyValueMessage {
  key?: string | null;
  value?: AnyValueMessage | null;
}

/** `opentelemetry.proto.trace.v1.Span`, decoded (the fields the stage reads). */
export interface SpanMessage {
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  parentSpanId?: Uint8Array | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64 | null;
  endTimeUnixNano?: Int64 | null;
  attributes?: KeyValueMessage[] | null;
}

/** The part of a generated message class the stage uses. */
export interface MessageType<T = unknown> {
  decode(reader: Uint8Array | ProtoReader, length?: number): T;
  encode(message: T, writer?: ProtoWriter): ProtoWriter;
  fromObject(object: Record<string, unknown>): T;
  toObject(message: T, options?: Record<string, unknown>): Record<string, unknown>;
  verify(message: Record<string, unknown>): string | null;
}

/** protobufjs `Reader`. */
export interface ProtoReader {
  pos: number;
  len: number;
  buf: Uint8Array;
  uint32(): number;
  int32(): number;
  int64(): Int64;
  fixed32(): number;
  bool(): boolean;
  double(): number;
  string(): string;
  skip(length?: number): ProtoReader;
  skipType(wireType: number): ProtoReader;
}

/** protobufjs `Writer`. */
export interface ProtoWriter {
  uint32(value: number): ProtoWriter;
  int64(value: number): ProtoWriter;
  fixed64(value: number): ProtoWriter;
  string(value: string): ProtoWriter;
  bytes(value: Uint8Array): ProtoWriter;
  finish(): Uint8Array;
}

interface ProtobufRuntime {
  Reader: { create(buf: Uint8Array): ProtoReader };
  Writer: { create(): ProtoWriter };
  util: { LongBits: { from(value: unknown): { toNumber(unsigned?: boolean): number } } };
}

/** The message classes the stage uses, loaded once. */
export interface OtlpMessages {
  readonly runtime: ProtobufRuntime;
  readonly traceRequest: MessageType;
  readonly metricsRequest: MessageType;
  readonly resourceSpans: MessageType;
  readonly resourceMetrics: MessageType;
  readonly scopeSpans: MessageType;
  readonly scope: MessageType<{ name?: string | null; version?: string | null }>;
  readonly resource: MessageType<{ attributes?: KeyValueMessage[] | null }>;
  readonly span: MessageType<SpanMessage>;
  readonly metric: MessageType;
  readonly keyValue: MessageType<KeyValueMessage>;
  readonly keyValueList: MessageType<{ values?: KeyValueMessage[] | null }>;
  readonly arrayValue: MessageType<{ values?: AnyValueMessage[] | null }>;
}

let messages: OtlpMessages | undefined;

/** The generated OTLP message classes and their protobufjs runtime. */
export function otlpMessages(): OtlpMessages {
  if (messages !== undefined) return messages;
  const require = createRequire(__filename);
  const transformerDir = require.resolve('@opentelemetry/otlp-transformer/package.json');
  const fromTransformer = createRequire(transformerDir);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const root = fromTransformer('./build/src/generated/root') as any;
  const runtime = fromTransformer('protobufjs/minimal') as ProtobufRuntime;
  const p = root.opentelemetry.proto;
  messages = {
    runtime,
    traceRequest: p.collector.trace.v1.ExportTraceServiceRequest,
    metricsRequest: p.collector.metrics.v1.ExportMetricsServiceRequest,
    resourceSpans: p.trace.v1.ResourceSpans,
    resourceMetrics: p.metrics.v1.ResourceMetrics,
    scopeSpans: p.trace.v1.ScopeSpans,
    scope: p.common.v1.InstrumentationScope,
    resource: p.resource.v1.Resource,
    span: p.trace.v1.Span,
    metric: p.metrics.v1.Metric,
    keyValue: p.common.v1.KeyValue,
    keyValueList: p.common.v1.KeyValueList,
    arrayValue: p.common.v1.ArrayValue,
  };
  return messages;
}

/** A number from a decoded 64-bit integer (exact up to 2^53). */
export function int64ToNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  return otlpMessages()
    .runtime.util.LongBits.from(value)
    .toNumber(value.unsigned === true);
}
