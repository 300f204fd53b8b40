import { TraceFlags } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { CostEnrichingSpanExporter } from '@tokenomics/exporter';
import type { OtlpSignalConfig, TraceExporterName } from './config';
import { backgroundSpanExporter, deliveryLedger } from './delivery';
import { detachedAgentFactory, detachRetries } from './detached-http';

/**
 * The OTLP span exporter for `config.protocol`; the package is loaded only when used. Over HTTP its
 * sockets and retry timers never hold the process open (see `detached-http.ts`); the request
 * timeout, retries included, is `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT` (default 10 s).
 */
export function createOtlpSpanExporter(config: OtlpSignalConfig): SpanExporter {
  const options = { url: config.url, headers: config.headers, httpAgentOptions: detachedAgentFactory };
  switch (config.protocol) {
    case 'http/protobuf': {
      const m = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return detachRetries(new m.OTLPTraceExporter(options));
    }
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

/**
 * A {@link BatchSpanProcessor} whose queue (`OTEL_BSP_MAX_QUEUE_SIZE`, default 2048) is the bound
 * on spans waiting to be exported: a span that finds it full is counted as dropped
 * (`tokenomics.telemetry.dropped`), and `forceFlush()` also waits for the exports in flight.
 */
class BoundedBatchSpanProcessor extends BatchSpanProcessor {
  constructor(private readonly exporter: SpanExporter) {
    super(exporter);
  }

  override onEnd(span: ReadableSpan): void {
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

/**
 * Wraps `exporter` so GenAI spans lacking cost are priced before they ship, and batches it; the
 * batches are exported in the background, a bounded number at a time (see `delivery.ts`). Every
 * span exporter of the SDK goes through this.
 */
export function costEnrichingBatchProcessor(exporter: SpanExporter): SpanProcessor {
  return new BoundedBatchSpanProcessor(backgroundSpanExporter(new CostEnrichingSpanExporter(exporter)));
}

/** Span processors for the exporters named in `OTEL_TRACES_EXPORTER`. */
export function spanProcessorsFor(names: readonly TraceExporterName[], otlp: OtlpSignalConfig): SpanProcessor[] {
  return names.map((name) => {
    switch (name) {
      case 'otlp':
        return costEnrichingBatchProcessor(createOtlpSpanExporter(otlp));
      case 'console':
        // Printed as each span ends, which is what a console exporter is for.
        return new SimpleSpanProcessor(new CostEnrichingSpanExporter(new ConsoleSpanExporter()));
    }
  });
}
