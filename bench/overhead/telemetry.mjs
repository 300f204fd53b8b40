// The one OpenTelemetry SDK set-up every instrumented configuration shares: always-on sampler,
// batch span processor into a counting exporter, a meter provider whose reader is collected once at
// the end, and the AsyncLocalStorage context manager.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Counts exported spans; keeps the attributes of the last one to show what was recorded. */
class CountingSpanExporter {
  spans = 0;
  last = undefined;
  export(spans, done) {
    this.spans += spans.length;
    if (spans.length) this.last = spans[spans.length - 1];
    done({ code: 0 });
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

export function startTelemetry() {
  const api = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');

  class CollectAtEndReader extends MetricReader {
    onForceFlush() {
      return Promise.resolve();
    }
    onShutdown() {
      return Promise.resolve();
    }
  }

  const exporter = new CountingSpanExporter();
  const tracerProvider = new BasicTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const reader = new CollectAtEndReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.trace.setGlobalTracerProvider(tracerProvider);
  api.metrics.setGlobalMeterProvider(meterProvider);

  return {
    api,
    tracerProvider,
    meterProvider,
    exporter,
    /** Flushes spans, collects metrics once; returns what was exported. */
    async finish() {
      await tracerProvider.forceFlush();
      const { resourceMetrics } = await reader.collect();
      let metricPoints = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) metricPoints += metric.dataPoints.length;
      }
      return { spans: exporter.spans, metricPoints, lastSpan: exporter.last };
    },
  };
}
