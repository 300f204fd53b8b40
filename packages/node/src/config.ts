import { DiagLogLevel } from '@opentelemetry/api';
import type { TokenomicsInstrumentationConfig } from '@tokenomics/instrumentation';
import { ConfigError } from './config-error';
import { EnvReader, type Env } from './env-reader';
import { readProviderHosts } from './provider-hosts';

/** Span exporters accepted in `OTEL_TRACES_EXPORTER`. */
export const TRACE_EXPORTERS = ['otlp', 'console', 'none'] as const;
/** Metric exporters accepted in `OTEL_METRICS_EXPORTER`. */
export const METRIC_EXPORTERS = ['otlp', 'prometheus', 'console', 'none'] as const;
/** Log exporters accepted in `OTEL_LOGS_EXPORTER` (set up by `@opentelemetry/sdk-node`). */
export const LOG_EXPORTERS = ['otlp', 'console', 'none'] as const;
/** Propagators accepted in `OTEL_PROPAGATORS` (set up by `@opentelemetry/sdk-node`). */
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const;
/** Detectors accepted in `OTEL_NODE_RESOURCE_DETECTORS` (run by `@opentelemetry/sdk-node`). */
export const RESOURCE_DETECTORS = ['env', 'host', 'os', 'process', 'serviceinstance', 'all', 'none'] as const;
/** Protocols accepted in `OTEL_EXPORTER_OTLP_PROTOCOL` and its per-signal variants. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
/** Levels accepted in `OTEL_LOG_LEVEL`. */
export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;

export type TraceExporterName = Exclude<(typeof TRACE_EXPORTERS)[number], 'none'>;
export type MetricExporterName = Exclude<(typeof METRIC_EXPORTERS)[number], 'none'>;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export type LogExporterName = Exclude<(typeof LOG_EXPORTERS)[number], 'none'>;

/** Where and how one signal is sent over OTLP. */
export interface OtlpSignalConfig {
  protocol: OtlpProtocol;
  /** Full URL: with the `/v1/<signal>` path for HTTP, `scheme://host:port` for gRPC. */
  url: string;
  headers: Record<string, string>;
}

/** Defaults of the embedded Prometheus endpoint. */
export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';
export const DEFAULT_PROMETHEUS_PORT = 9464;
/** Default of `OTEL_METRIC_EXPORT_INTERVAL` (ms). */
export const DEFAULT_METRIC_EXPORT_INTERVAL = 60_000;
/** Default of `OTEL_METRIC_EXPORT_TIMEOUT` (ms), lowered to the interval when that is shorter. */
export const DEFAULT_METRIC_EXPORT_TIMEOUT = 30_000;

/** Everything `@tokenomics/node` reads from the environment, validated. */
export interface NodeConfig {
  /** `OTEL_SDK_DISABLED=true`: start nothing. */
  disabled: boolean;
  /** `OTEL_LOG_LEVEL`; `undefined` leaves `diag` silent. */
  logLevel: DiagLogLevel | undefined;
  /** `OTEL_SERVICE_NAME`. */
  serviceName: string | undefined;
  /** `OTEL_RESOURCE_ATTRIBUTES`, decoded. */
  resourceAttributes: Record<string, string>;
  traces: { exporters: TraceExporterName[]; otlp: OtlpSignalConfig };
  metrics: {
    exporters: MetricExporterName[];
    otlp: OtlpSignalConfig;
    exportIntervalMillis: number;
    exportTimeoutMillis: number;
    prometheus: { host: string; port: number };
  };
  /**
   * `OTEL_LOGS_EXPORTER`: log exporters, none unless named (the exporters themselves and
   * `OTEL_EXPORTER_OTLP_LOGS_*` are read by `@opentelemetry/sdk-node`).
   */
  logs: { exporters: LogExporterName[] };
  /**
   * `OTEL_NODE_RESOURCE_DETECTORS` when set (the detectors are run by `@opentelemetry/sdk-node`);
   * `undefined`: the host and process detectors.
   */
  resourceDetectors: string[] | undefined;
  /** Instrumentation settings from `TOKENOMICS_*` and `OTEL_INSTRUMENTATION_GENAI_*`; unset ones are absent. */
  instrumentation: TokenomicsInstrumentationConfig;
  /**
   * `TOKENOMICS_BAGGAGE_KEYS` (Baggage keys read as attribution; `none`: none) and
   * `TOKENOMICS_ATTRIBUTION_PROPAGATE` (`withAttribution()` also sets Baggage); unset ones are absent.
   */
  attribution?: { baggageKeys?: string[]; propagate?: boolean };
}

const LOG_LEVEL_VALUES: Record<(typeof LOG_LEVELS)[number], DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

const ATTRIBUTION_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function otlpSignal(read: EnvReader, signal: 'TRACES' | 'METRICS'): OtlpSignalConfig {
  const protocol =
    read.oneOf(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`, OTLP_PROTOCOLS, 'protocol') ??
    read.oneOf('OTEL_EXPORTER_OTLP_PROTOCOL', OTLP_PROTOCOLS, 'protocol') ??
    'http/protobuf';
  const specific = read.httpUrl(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);
  const base = read.httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT');
  const path = signal === 'TRACES' ? 'v1/traces' : 'v1/metrics';
  let url: string;
  if (specific !== undefined) url = specific;
  else if (protocol === 'grpc') url = base ?? 'http://localhost:4317';
  else url = `${(base ?? 'http://localhost:4318').replace(/\/+$/, '')}/${path}`;
  const headers = {
    ...read.keyValues('OTEL_EXPORTER_OTLP_HEADERS', true),
    ...read.keyValues(`OTEL_EXPORTER_OTLP_${signal}_HEADERS`, true),
  };
  return { protocol, url, headers };
}

/**
 * Reads and validates the configuration from `env`. Throws {@link ConfigError} listing every
 * problem; never returns a half-valid configuration.
 */
export function readConfig(env: Env): NodeConfig {
  const read = new EnvReader(env);

  const disabled = read.boolean('OTEL_SDK_DISABLED') ?? false;
  // Disabled means the hook does nothing, so nothing else needs to be valid.
  if (disabled) return { ...readConfig({}), disabled: true };
  const level = read.oneOf('OTEL_LOG_LEVEL', LOG_LEVELS, 'log level');
  const serviceName = read.string('OTEL_SERVICE_NAME');
  const resourceAttributes = read.keyValues('OTEL_RESOURCE_ATTRIBUTES', false) ?? {};

  const tracesOtlp = otlpSignal(read, 'TRACES');
  const metricsOtlp = otlpSignal(read, 'METRICS');
  const endpointFor = (signal: 'TRACES' | 'METRICS') =>
    read.isSet('OTEL_EXPORTER_OTLP_ENDPOINT') || read.isSet(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);

  const traceNames = read.names('OTEL_TRACES_EXPORTER', TRACE_EXPORTERS, 'exporter');
  const metricNames = read.names('OTEL_METRICS_EXPORTER', METRIC_EXPORTERS, 'exporter');
  const traceExporters = (traceNames ?? (endpointFor('TRACES') ? ['otlp'] : [])).filter((n): n is TraceExporterName => n !== 'none');
  const metricExporters = (metricNames ?? (endpointFor('METRICS') ? ['otlp'] : ['prometheus'])).filter(
    (n): n is MetricExporterName => n !== 'none',
  );

  const interval = read.integer('OTEL_METRIC_EXPORT_INTERVAL', 1, 2_147_483_647, 'a whole number of milliseconds, at least 1');
  const timeout = read.integer('OTEL_METRIC_EXPORT_TIMEOUT', 1, 2_147_483_647, 'a whole number of milliseconds, at least 1');
  const exportIntervalMillis = interval ?? DEFAULT_METRIC_EXPORT_INTERVAL;
  const exportTimeoutMillis = timeout ?? Math.min(DEFAULT_METRIC_EXPORT_TIMEOUT, exportIntervalMillis);
  if (timeout !== undefined && timeout > exportIntervalMillis) {
    read.problem(
      'OTEL_METRIC_EXPORT_TIMEOUT',
      String(timeout),
      `longer than OTEL_METRIC_EXPORT_INTERVAL (${exportIntervalMillis})`,
      'a timeout no longer than the export interval',
    );
  }

  const logExporters = (read.names('OTEL_LOGS_EXPORTER', LOG_EXPORTERS, 'exporter') ?? []).filter(
    (n): n is LogExporterName => n !== 'none',
  );
  read.oneOf('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', OTLP_PROTOCOLS, 'protocol');
  read.names('OTEL_PROPAGATORS', PROPAGATORS, 'propagator');
  const resourceDetectors = read.names('OTEL_NODE_RESOURCE_DETECTORS', RESOURCE_DETECTORS, 'resource detector');

  const prometheus = {
    host: read.string('OTEL_EXPORTER_PROMETHEUS_HOST') ?? DEFAULT_PROMETHEUS_HOST,
    port: read.integer('OTEL_EXPORTER_PROMETHEUS_PORT', 1, 65_535, 'a TCP port number from 1 to 65535') ?? DEFAULT_PROMETHEUS_PORT,
  };

  const instrumentation: TokenomicsInstrumentationConfig = {};
  const capture = read.boolean('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT');
  if (capture !== undefined) instrumentation.captureMessageContent = capture;
  const keys = read.words(
    'TOKENOMICS_ATTRIBUTION_KEYS',
    ATTRIBUTION_KEY,
    'comma-separated keys of letters, digits, "_", "." and "-", starting with a letter or "_"',
  );
  if (keys !== undefined) instrumentation.attributionKeys = keys;
  const maxValues = read.integer('TOKENOMICS_MAX_ATTRIBUTE_VALUES', 1, 1_000_000, 'a whole number from 1 to 1000000');
  if (maxValues !== undefined) instrumentation.maxAttributeValues = maxValues;
  const maxSeries = read.integer('TOKENOMICS_MAX_SERIES_PER_METRIC', 1, 1_000_000, 'a whole number from 1 to 1000000');
  if (maxSeries !== undefined) instrumentation.maxSeriesPerMetric = maxSeries;
  const streamUsage = read.oneOf('TOKENOMICS_OPENAI_STREAM_USAGE', ['inject', 'off'] as const);
  if (streamUsage !== undefined) instrumentation.injectStreamUsage = streamUsage === 'inject';
  const providerHosts = readProviderHosts(read);
  if (providerHosts !== undefined) instrumentation.providerHosts = providerHosts;

  const attribution: { baggageKeys?: string[]; propagate?: boolean } = {};
  const baggageKeys = read.words(
    'TOKENOMICS_BAGGAGE_KEYS',
    ATTRIBUTION_KEY,
    'comma-separated keys of letters, digits, "_", "." and "-", starting with a letter or "_"; or none',
  );
  if (baggageKeys !== undefined) attribution.baggageKeys = baggageKeys.length === 1 && baggageKeys[0] === 'none' ? [] : baggageKeys;
  const propagate = read.boolean('TOKENOMICS_ATTRIBUTION_PROPAGATE');
  if (propagate !== undefined) attribution.propagate = propagate;

  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return {
    disabled,
    logLevel: level === undefined ? undefined : LOG_LEVEL_VALUES[level],
    serviceName,
    resourceAttributes,
    traces: { exporters: traceExporters, otlp: tracesOtlp },
    metrics: { exporters: metricExporters, otlp: metricsOtlp, exportIntervalMillis, exportTimeoutMillis, prometheus },
    logs: { exporters: logExporters },
    resourceDetectors,
    instrumentation,
    ...(Object.keys(attribution).length > 0 ? { attribution } : {}),
  };
}
