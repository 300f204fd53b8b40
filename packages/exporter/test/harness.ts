import { context, diag, DiagLogLevel, trace, type Attributes, type DiagLogger, type Span, type SpanOptions } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

export const resource = resourceFromAttributes({ 'service.name': 'checkout' });

/** 2025-06-02T12:00:00Z, the start time of spans made by {@link recordSpans}. */
export const START = new Date('2025-06-02T12:00:00Z');

/**
 * Real SDK spans: runs `build` with a tracer factory against a BasicTracerProvider that collects
 * ended spans in memory, and returns them in end order.
 */
export function recordSpans(build: (tracer: (scope: string) => Tracerish) => void): ReadableSpan[] {
  const sink = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(sink)] });
  build((scope) => {
    const tracer = provider.getTracer(scope, '1.0.0');
    return {
      span(name, attributes, parent) {
        const ctx = parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
        const options: SpanOptions = { attributes, startTime: START, kind: 2 };
        return tracer.startSpan(name, options, ctx);
      },
    };
  });
  return sink.getFinishedSpans();
}

export interface Tracerish {
  /** Start a CLIENT span at {@link START} with attributes, optionally as a child of `parent`. */
  span(name: string, attributes: Attributes, parent?: Span): Span;
}

/** Export one batch through `exporter` and resolve with the result (the callback must fire once). */
export function exportBatch(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve, reject) => {
    let calls = 0;
    exporter.export(spans, (result) => {
      calls++;
      if (calls > 1) reject(new Error('result callback called twice'));
      else setTimeout(() => (calls === 1 ? resolve(result) : undefined), 0);
    });
  });
}

export const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

/** A MeterProvider whose metrics a test can collect on demand. */
export class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function selfMetricsProvider(): { meterProvider: MeterProvider; read: () => Promise<ResourceMetrics> } {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  return {
    meterProvider,
    read: async () => (await reader.collect()).resourceMetrics,
  };
}

/** Sum-metric points of `name` as `[attributes, value]`, across scopes. */
export function sumPoints(rm: ResourceMetrics, name: string): Array<{ attributes: Attributes; value: number; metric: MetricData }> {
  const out: Array<{ attributes: Attributes; value: number; metric: MetricData }> = [];
  for (const sm of rm.scopeMetrics) {
    for (const metric of sm.metrics) {
      if (metric.descriptor.name !== name || metric.dataPointType !== DataPointType.SUM) continue;
      for (const p of metric.dataPoints) out.push({ attributes: p.attributes, value: p.value, metric });
    }
  }
  return out;
}

/** Value of a counter point whose attributes include `match`, or undefined. */
export function counterValue(rm: ResourceMetrics, name: string, match: Attributes): number | undefined {
  const hit = sumPoints(rm, name).find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
  return hit?.value;
}

/** Collects diag output for assertions. */
export function captureDiag(): { messages: Array<{ level: string; message: string }>; restore: () => void } {
  const messages: Array<{ level: string; message: string }> = [];
  const logger: DiagLogger = {
    error: (message) => messages.push({ level: 'error', message }),
    warn: (message) => messages.push({ level: 'warn', message }),
    info: (message) => messages.push({ level: 'info', message }),
    debug: (message) => messages.push({ level: 'debug', message }),
    verbose: (message) => messages.push({ level: 'verbose', message }),
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}

export { AggregationTemporality };
