import { context, metrics, trace, type Context } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createInstrumentations, waitForPendingEstimates } from '../../../src';
import { acceptableAttribute } from './exported-values';

/** Keeps the spans that have started and not yet ended. */
class OpenSpans implements SpanProcessor {
  readonly open = new Set<Span>();
  onStart(span: Span, _parent: Context): void {
    this.open.add(span);
  }
  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The real instrumentations (`createInstrumentations()`) wired to a real OpenTelemetry SDK that keeps
 * everything in memory. Metrics are read with delta temporality, so each check sees only what the
 * calls since the previous check recorded, and one case cannot hide behind another.
 */
export class PropertyTelemetry {
  private readonly spanExporter = new InMemorySpanExporter();
  private readonly openSpans = new OpenSpans();
  private readonly tracerProvider = new BasicTracerProvider({
    spanProcessors: [this.openSpans, new SimpleSpanProcessor(this.spanExporter)],
  });
  private readonly reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.DELTA),
    exportIntervalMillis: 3_600_000,
  });
  private readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly contextManager = new AsyncLocalStorageContextManager().enable();
  readonly instrumentations: Instrumentation[];
  /** Calls recorded (spans ended) over the life of this set-up. */
  spansSeen = 0;

  constructor() {
    context.setGlobalContextManager(this.contextManager);
    this.instrumentations = createInstrumentations();
    for (const instrumentation of this.instrumentations) {
      instrumentation.setTracerProvider(this.tracerProvider);
      instrumentation.setMeterProvider(this.meterProvider);
      instrumentation.enable();
    }
  }

  /** Turns the hook off: the client libraries are unpatched and behave as without it. */
  disable(): void {
    for (const instrumentation of this.instrumentations) instrumentation.disable();
  }

  /** Turns the hook back on. */
  enable(): void {
    for (const instrumentation of this.instrumentations) instrumentation.enable();
  }

  /**
   * Waits until every started span has ended, or `limitMs` has passed: a call may end a moment
   * after the app is done with it (a stream's end handler, an estimate counted off the app's path).
   * Calls waiting for an estimate are waited for first, as long as the token worker may take: at its
   * low priority it starts slowly on a busy machine, and those spans end only once it answered.
   */
  async spansEnded(limitMs = 10_000): Promise<void> {
    await waitForPendingEstimates(120_000);
    const deadline = Date.now() + limitMs;
    for (let turn = 0; this.openSpans.open.size > 0 && Date.now() < deadline; turn++) {
      await new Promise((resolve) => (turn < 50 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }

  /**
   * Problems with what was exported since the previous check: a numeric span attribute or metric
   * value that is not a finite non-negative number, or a span still open. Clears the spans.
   */
  async problems(): Promise<string[]> {
    const out: string[] = [];
    const spans = this.spanExporter.getFinishedSpans();
    this.spansSeen += spans.length;
    for (const span of spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        const values = Array.isArray(value) ? value : [value];
        for (const v of values) {
          if (typeof v === 'number' && !acceptableAttribute(key, v)) out.push(`span "${span.name}" attribute ${key} = ${v}`);
        }
      }
    }
    this.spanExporter.reset();
    for (const span of this.openSpans.open) out.push(`span "${span.name}" still open`);
    const { resourceMetrics, errors } = await this.reader.collect();
    for (const err of errors) out.push(`metric collection error: ${String(err)}`);
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          const name = `${metric.descriptor.name} ${JSON.stringify(point.attributes)}`;
          const bad = (what: string, v: unknown) => {
            if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) out.push(`metric ${name} ${what} = ${String(v)}`);
          };
          if (typeof point.value === 'number') bad('value', point.value);
          else {
            const h = point.value as Histogram;
            bad('count', h.count);
            if (h.count > 0) {
              bad('sum', h.sum);
              bad('min', h.min);
              bad('max', h.max);
            }
            h.buckets.counts.forEach((c, i) => bad(`bucket[${i}]`, c));
          }
        }
      }
    }
    return out;
  }

  async shutdown(): Promise<void> {
    for (const instrumentation of this.instrumentations) instrumentation.disable();
    await this.tracerProvider.shutdown();
    await this.meterProvider.shutdown();
    context.disable();
    trace.disable();
    metrics.disable();
  }
}
