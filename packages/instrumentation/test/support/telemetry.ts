import { context, metrics, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { waitForPendingEstimates } from '../../src';

/** A real OpenTelemetry SDK set-up that keeps everything in memory for assertions. */
export class TestTelemetry {
  readonly spanExporter = new InMemorySpanExporter();
  readonly tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.spanExporter)] });
  private readonly metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  private readonly reader = new PeriodicExportingMetricReader({ exporter: this.metricExporter, exportIntervalMillis: 3_600_000 });
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  private readonly contextManager = new AsyncLocalStorageContextManager().enable();

  constructor() {
    context.setGlobalContextManager(this.contextManager);
  }

  /** Points `instrumentation` at this set-up's tracer and meter providers and enables it. */
  instrument<T extends Instrumentation>(instrumentation: T): T {
    instrumentation.setTracerProvider(this.tracerProvider);
    instrumentation.setMeterProvider(this.meterProvider);
    instrumentation.enable();
    return instrumentation;
  }

  spans(): ReadableSpan[] {
    return this.spanExporter.getFinishedSpans();
  }

  /**
   * Waits until every call whose usage is being estimated has ended its span (the token worker
   * counts off the app's path, so such spans end a little after the call).
   */
  async settled(): Promise<void> {
    await waitForPendingEstimates(120_000);
  }

  reset(): void {
    this.spanExporter.reset();
  }

  /** Collects the current cumulative metric points of `name`. */
  async points(name: string): Promise<Array<DataPoint<number | Histogram>>> {
    const { resourceMetrics } = await this.reader.collect();
    const out: Array<DataPoint<number | Histogram>> = [];
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name === name) out.push(...(metric.dataPoints as Array<DataPoint<number | Histogram>>));
      }
    }
    return out;
  }

  /** Sum of counter points of `name` whose attributes include `match`. */
  async counterSum(name: string, match: Record<string, unknown> = {}): Promise<number> {
    const points = await this.points(name);
    return points
      .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
      .reduce((sum, p) => sum + (p.value as number), 0);
  }

  async shutdown(): Promise<void> {
    await this.tracerProvider.shutdown();
    await this.meterProvider.shutdown();
    context.disable();
    trace.disable();
    metrics.disable();
  }
}
