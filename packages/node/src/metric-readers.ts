import { emptyResource } from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  type IMetricReader,
  type InstrumentType,
  type MetricProducer,
  type MetricReader,
  type PushMetricExporter,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { CallMetrics, CallMetricsReader } from '@tokenomics/instrumentation';
import type { MetricExporterName, NodeConfig, OtlpSignalConfig } from './config';
import { backgroundMetricExporter } from './delivery';
import { detachedAgentFactory, detachRetries } from './detached-http';
import { PeriodicMetricReader, type PeriodicMetricReaderOptions } from './periodic-reader';

/**
 * The OTLP metric exporter for `config.protocol`; the package is loaded only when used. Over HTTP
 * its sockets and retry timers never hold the process open (see `detached-http.ts`); the request
 * timeout, retries included, is `OTEL_EXPORTER_OTLP_(METRICS_)TIMEOUT` (default 10 s).
 */
export function createOtlpMetricExporter(config: OtlpSignalConfig): PushMetricExporter {
  const options = { url: config.url, headers: config.headers, httpAgentOptions: detachedAgentFactory };
  switch (config.protocol) {
    case 'http/protobuf': {
      const m = require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto');
      return detachRetries(new m.OTLPMetricExporter(options));
    }
    case 'http/json': {
      const m = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
      return detachRetries(new m.OTLPMetricExporter(options));
    }
    case 'grpc': {
      const m = require('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc');
      // gRPC metadata (headers) is read by the exporter itself from OTEL_EXPORTER_OTLP_*HEADERS.
      return new m.OTLPMetricExporter({ url: config.url });
    }
  }
}

/**
 * A reader built by `make` with a metric producer of `callMetrics` among its producers: at each
 * collection the reader gets Tokenomics' call metrics in the temporality it selects for each
 * instrument type, from a state of its own.
 */
function withCallMetrics<R extends MetricReader>(callMetrics: CallMetrics | undefined, make: (producers?: MetricProducer[]) => R): R {
  if (callMetrics === undefined) return make();
  const made: { view?: CallMetricsReader } = {};
  const resource = emptyResource();
  const producer: MetricProducer = {
    // The reader keeps its SDK's resource and adds these scopes. The data has the shape and the
    // enum values of `@opentelemetry/sdk-metrics` (a test compares it with the SDK's own).
    collect: () =>
      Promise.resolve({ resourceMetrics: { resource, scopeMetrics: (made.view?.collect() ?? []) as ScopeMetrics[] }, errors: [] }),
  };
  const reader = make([producer]);
  made.view = callMetrics.reader((type) => reader.selectAggregationTemporality(type as InstrumentType));
  return reader;
}

/**
 * Metric readers for the exporters named in `OTEL_METRICS_EXPORTER`. OTLP exports run in the
 * background, at most a few waiting for the backend at once; more are counted as dropped. With
 * `callMetrics`, every reader also reports the call metrics aggregated there. The push exporters'
 * reader suppresses tracing around an export only where something could trace it (see
 * `periodic-reader.ts`): a metrics-only process then never enters a context for its exports.
 */
export function metricReadersFor(
  names: readonly MetricExporterName[],
  metrics: NodeConfig['metrics'],
  callMetrics?: CallMetrics,
): IMetricReader[] {
  const periodic = (exporter: PushMetricExporter, suppressTracing: PeriodicMetricReaderOptions['suppressTracing']) =>
    withCallMetrics(
      callMetrics,
      (metricProducers) =>
        new PeriodicMetricReader({
          exporter,
          exportIntervalMillis: metrics.exportIntervalMillis,
          exportTimeoutMillis: metrics.exportTimeoutMillis,
          suppressTracing,
          ...(metricProducers ? { metricProducers } : {}),
        }),
    );
  return names.map((name) => {
    switch (name) {
      case 'otlp':
        // gRPC's own instrumentation is not among the checks: its exports always suppress tracing.
        return periodic(
          backgroundMetricExporter(createOtlpMetricExporter(metrics.otlp)),
          metrics.otlp.protocol === 'grpc' ? 'always' : 'when-observed',
        );
      case 'console':
        return periodic(new ConsoleMetricExporter(), 'when-observed');
      case 'prometheus': {
        const m = require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
        // The server is unref'd: it never keeps the process alive. A port in use is reported through diag.
        return withCallMetrics(
          callMetrics,
          (metricProducers) =>
            new m.PrometheusExporter({
              host: metrics.prometheus.host,
              port: metrics.prometheus.port,
              ...(metricProducers ? { metricProducers } : {}),
            }),
        );
      }
    }
  });
}
