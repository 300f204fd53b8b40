import {
  ConsoleMetricExporter,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import type { MetricExporterName, NodeConfig, OtlpSignalConfig } from './config';
import { backgroundMetricExporter } from './delivery';
import { detachedAgentFactory, detachRetries } from './detached-http';

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
 * Metric readers for the exporters named in `OTEL_METRICS_EXPORTER`. OTLP exports run in the
 * background, at most a few waiting for the backend at once; more are counted as dropped.
 */
export function metricReadersFor(names: readonly MetricExporterName[], metrics: NodeConfig['metrics']): IMetricReader[] {
  const periodic = (exporter: PushMetricExporter) =>
    new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: metrics.exportIntervalMillis,
      exportTimeoutMillis: metrics.exportTimeoutMillis,
    });
  return names.map((name) => {
    switch (name) {
      case 'otlp':
        return periodic(backgroundMetricExporter(createOtlpMetricExporter(metrics.otlp)));
      case 'console':
        return periodic(new ConsoleMetricExporter());
      case 'prometheus': {
        const m = require('@opentelemetry/exporter-prometheus') as typeof import('@opentelemetry/exporter-prometheus');
        // The server is unref'd: it never keeps the process alive. A port in use is reported through diag.
        return new m.PrometheusExporter({ host: metrics.prometheus.host, port: metrics.prometheus.port });
      }
    }
  });
}
