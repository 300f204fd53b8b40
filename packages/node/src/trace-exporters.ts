import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CostEnrichingSpanExporter } from '@tokenomics/exporter';
import type { OtlpSignalConfig, TraceExporterName } from './config';

/** The OTLP span exporter for `config.protocol`; the package is loaded only when used. */
export function createOtlpSpanExporter(config: OtlpSignalConfig): SpanExporter {
  const options = { url: config.url, headers: config.headers };
  switch (config.protocol) {
    case 'http/protobuf': {
      const m = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new m.OTLPTraceExporter(options);
    }
    case 'http/json': {
      const m = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new m.OTLPTraceExporter(options);
    }
    case 'grpc': {
      const m = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      // gRPC metadata (headers) is read by the exporter itself from OTEL_EXPORTER_OTLP_*HEADERS.
      return new m.OTLPTraceExporter({ url: config.url });
    }
  }
}

/**
 * Wraps `exporter` so GenAI spans lacking cost are priced before they ship, and batches it.
 * Every span exporter of the SDK goes through this.
 */
export function costEnrichingBatchProcessor(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor(new CostEnrichingSpanExporter(exporter));
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
