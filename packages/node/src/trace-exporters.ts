import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { TraceSerializer } from '@tokenomics/exporter/otlp-span-serializer';
import type { OtlpSignalConfig, TraceExporterName } from './config';
import { backgroundSpanExporter, deliveryLedger } from './delivery';
import { detachedAgentFactory, detachRetries } from './detached-http';

/**
 * The OTLP span exporter for `config.protocol`; the package is loaded only when used. Over HTTP its
 * sockets and retry timers never hold the process open (see `detached-http.ts`); the request
 * timeout, retries included, is `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT` (default 10 s). Over
 * http/protobuf see {@link protobufSpanExporter}.
 */
export function createOtlpSpanExporter(config: OtlpSignalConfig): SpanExporter {
  const options = { url: config.url, headers: config.headers, httpAgentOptions: detachedAgentFactory };
  switch (config.protocol) {
    case 'http/protobuf':
      return detachRetries(protobufSpanExporter(options));
    case 'http/json': {
      const m = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return detachRetries(new m.OTLPTraceExporter(options));
    }
    case 'grpc': {
      const m = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      // gRPC metadata (headers) is read by the exporter itself from OTEL_EXPORTER_OTLP_*HEADERS.
      return new m.OTLPTraceExporter({ url: config.url });
    }
  }
}

/** `otel.component.type` of the exporter's own metrics, as `@opentelemetry/exporter-trace-otlp-proto` names it. */
const OTLP_HTTP_SPAN_EXPORTER = 'otlp_http_span_exporter';

/** What the exporter's own metrics count in a batch, as `TraceExporterMetricsHelper` counts it. */
const SPAN_METRICS_HELPER = { name: 'span' as const, countItems: (request: ReadableSpan[]): number => request.length };

/** The official serializer, loaded only for a batch the fast one cannot encode (reported once through `diag` there). */
function officialTraceSerializer(): TraceSerializer {
  const m = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  return m.ProtobufTraceSerializer;
}

/**
 * The http/protobuf OTLP span exporter, built from `@opentelemetry/otlp-exporter-base` the way
 * `OTLPTraceExporter` of `@opentelemetry/exporter-trace-otlp-proto` 0.223 builds it (the same
 * configuration from options and environment: endpoint, headers, timeout, compression, concurrency,
 * agent; the same retrying transport and the same `_delegate` shape), with the serializer of
 * `@tokenomics/exporter/otlp-span-serializer`: requests are encoded and responses read without
 * `@opentelemetry/otlp-transformer` (about 1 MB of heap once loaded), which is loaded only for a
 * batch the fast serializer cannot encode, to encode it as before.
 */
function protobufSpanExporter(options: OTLPExporterNodeConfigBase): SpanExporter {
  const base = require('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base');
  const http = require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const { fastTraceSerializer } =
    require('@tokenomics/exporter/otlp-span-serializer') as typeof import('@tokenomics/exporter/otlp-span-serializer');
  const delegate = http.createOtlpHttpExportDelegate(
    http.convertLegacyHttpOptions(options, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    fastTraceSerializer(officialTraceSerializer),
    OTLP_HTTP_SPAN_EXPORTER,
    SPAN_METRICS_HELPER,
    undefined,
  );
  return new base.OTLPExporterBase<ReadableSpan[]>(delegate);
}

/**
 * The trace SDK and the cost-enriching exporter, loaded when the first span processor is built:
 * an app that exports no spans never loads them.
 */
function traceSdk(): typeof import('@opentelemetry/sdk-trace-base') {
  return require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
}

function costEnrichingExporter(exporter: SpanExporter): SpanExporter {
  const { CostEnrichingSpanExporter } =
    require('@tokenomics/exporter/span-exporter') as typeof import('@tokenomics/exporter/span-exporter');
  return new CostEnrichingSpanExporter(exporter);
}

type BoundedBatchSpanProcessorClass = new (exporter: SpanExporter) => SpanProcessor;
let boundedBatchSpanProcessor: BoundedBatchSpanProcessorClass | undefined;

/**
 * A {@link BatchSpanProcessor} whose queue (`OTEL_BSP_MAX_QUEUE_SIZE`, default 2048) is the bound
 * on spans waiting to be exported: a span that finds it full is counted as dropped
 * (`tokenomics.telemetry.dropped`), and `forceFlush()` also waits for the exports in flight.
 */
function boundedBatchSpanProcessorClass(): BoundedBatchSpanProcessorClass {
  if (boundedBatchSpanProcessor) return boundedBatchSpanProcessor;
  class BoundedBatchSpanProcessor extends traceSdk().BatchSpanProcessor {
    private readonly shapes = new AttributeShapes();

    constructor(private readonly exporter: SpanExporter) {
      super(exporter);
    }

    override onEnd(span: ReadableSpan): void {
      this.shapes.observe(span);
      const queue = this as unknown as { _finishedSpans?: unknown; _maxQueueSize?: unknown };
      if (
        Array.isArray(queue._finishedSpans) &&
        typeof queue._maxQueueSize === 'number' &&
        queue._finishedSpans.length >= queue._maxQueueSize &&
        (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0
      ) {
        deliveryLedger.drop('traces', 'queue_full', 1);
      }
      super.onEnd(span);
    }

    override async forceFlush(): Promise<void> {
      await super.forceFlush();
      await this.exporter.forceFlush?.();
    }
  }
  boundedBatchSpanProcessor = BoundedBatchSpanProcessor;
  return BoundedBatchSpanProcessor;
}

/** Properties V8 adds to an object by keyed stores before it turns it into a hash table. */
const FAST_KEYED_PROPERTIES = 16;
/** Share of spans looked at (the first one always), drawn at random so that no periodic mix of spans is missed. */
const SHAPE_SAMPLE_SHARE = 1 / 16;
/** Most attribute sequences laid down. */
const MAX_SHAPES = 64;
const UNDEFINED_FIELD: PropertyDescriptor = { value: undefined, writable: true, enumerable: true, configurable: true };

/**
 * Keeps the attribute objects of wide spans (a priced GenAI span has about 24 attributes) in V8's
 * fast mode while they wait in the batch and when they are serialised. The SDK writes each
 * attribute with a keyed store, and V8 turns an object that gains more than 16 properties that way
 * into a hash table: more memory per queued span and slower `for...in` and look-ups in the OTLP
 * serialiser. Properties added along an existing chain of hidden classes stay fast, so for each
 * sequence of attribute names seen on a sample of spans the chain is laid down once, by
 * `defineProperty` with `undefined` values (a field that takes any later value), and one object per
 * sequence is kept so that the chain is not collected. What a span holds and exports is unchanged.
 */
class AttributeShapes {
  private readonly seen = new Set<string>();
  private readonly kept: object[] = [];
  private first = true;

  observe(span: ReadableSpan): void {
    if (this.first) this.first = false;
    else if (Math.random() >= SHAPE_SAMPLE_SHARE) return;
    if (this.kept.length >= MAX_SHAPES) return;
    try {
      const keys = Object.keys(span.attributes);
      if (keys.length <= FAST_KEYED_PROPERTIES) return;
      const sequence = keys.join('\n');
      if (this.seen.has(sequence)) return;
      this.seen.add(sequence);
      const shape = {};
      for (const key of keys) Object.defineProperty(shape, key, UNDEFINED_FIELD);
      this.kept.push(shape);
    } catch {
      // A span without attributes to read: nothing to lay down.
    }
  }
}

/**
 * Wraps `exporter` so GenAI spans lacking cost are priced before they ship, and batches it; the
 * batches are exported in the background, a bounded number at a time (see `delivery.ts`). Every
 * span exporter of the SDK goes through this.
 */
export function costEnrichingBatchProcessor(exporter: SpanExporter): SpanProcessor {
  return new (boundedBatchSpanProcessorClass())(backgroundSpanExporter(costEnrichingExporter(exporter)));
}

/** Span processors for the exporters named in `OTEL_TRACES_EXPORTER`. */
export function spanProcessorsFor(names: readonly TraceExporterName[], otlp: OtlpSignalConfig): SpanProcessor[] {
  return names.map((name) => {
    switch (name) {
      case 'otlp':
        return costEnrichingBatchProcessor(createOtlpSpanExporter(otlp));
      case 'console': {
        // Printed as each span ends, which is what a console exporter is for.
        const sdk = traceSdk();
        return new sdk.SimpleSpanProcessor(costEnrichingExporter(new sdk.ConsoleSpanExporter()));
      }
    }
  });
}
