import { DiagLogLevel } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/index';

function problems(env: Record<string, string>): readonly string[] {
  try {
    readConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('readConfig defaults', () => {
  it('with no variables: Prometheus on 127.0.0.1:9464, no trace export, silent diag', () => {
    const config = readConfig({});
    expect(config).toEqual({
      disabled: false,
      logLevel: undefined,
      serviceName: undefined,
      resourceAttributes: {},
      traces: { exporters: [], otlp: { protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces', headers: {} } },
      metrics: {
        exporters: ['prometheus'],
        otlp: { protocol: 'http/protobuf', url: 'http://localhost:4318/v1/metrics', headers: {} },
        exportIntervalMillis: 60_000,
        exportTimeoutMillis: 30_000,
        prometheus: { host: '127.0.0.1', port: 9464 },
      },
      logs: { exporters: [] },
      resourceDetectors: undefined,
      instrumentation: {},
    });
  });

  it('treats blank variables as unset', () => {
    expect(readConfig({ OTEL_METRICS_EXPORTER: '  ', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_LOG_LEVEL: '' })).toEqual(readConfig({}));
  });

  it('an OTLP endpoint turns on OTLP for traces and metrics instead of Prometheus', () => {
    const config = readConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(config.traces.exporters).toEqual(['otlp']);
    expect(config.metrics.exporters).toEqual(['otlp']);
    expect(config.traces.otlp.url).toBe('http://collector:4318/v1/traces');
    expect(config.metrics.otlp.url).toBe('http://collector:4318/v1/metrics');
  });

  it('a traces-only endpoint exports traces over OTLP and keeps metrics on Prometheus', () => {
    const config = readConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.test/custom/path' });
    expect(config.traces).toMatchObject({ exporters: ['otlp'], otlp: { url: 'https://traces.example.test/custom/path' } });
    expect(config.metrics.exporters).toEqual(['prometheus']);
  });

  it('OTEL_TRACES_EXPORTER alone exports to the default local collector', () => {
    expect(readConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).traces).toEqual({
      exporters: ['otlp'],
      otlp: { protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces', headers: {} },
    });
  });
});

describe('readConfig exporters and protocols', () => {
  it('accepts comma lists, any case, dropping duplicates and none', () => {
    const config = readConfig({ OTEL_METRICS_EXPORTER: 'Prometheus, otlp,console,otlp', OTEL_TRACES_EXPORTER: 'none' });
    expect(config.metrics.exporters).toEqual(['prometheus', 'otlp', 'console']);
    expect(config.traces.exporters).toEqual([]);
  });

  it('none silences metrics even with an endpoint', () => {
    expect(readConfig({ OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).metrics.exporters).toEqual([]);
  });

  it('per-signal protocol, endpoint and headers win over the general ones', () => {
    const config = readConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4317',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-team=a',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-team=metrics',
    });
    expect(config.traces.otlp).toEqual({
      protocol: 'http/json',
      url: 'http://collector:4318/v1/traces',
      headers: { authorization: 'Bearer abc', 'x-team': 'a' },
    });
    expect(config.metrics.otlp).toEqual({
      protocol: 'grpc',
      url: 'http://collector:4317',
      headers: { authorization: 'Bearer abc', 'x-team': 'metrics' },
    });
  });

  it('grpc uses the general endpoint as it is, without a signal path', () => {
    const config = readConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' });
    expect([config.traces.otlp.url, config.metrics.otlp.url]).toEqual(['http://collector:4317', 'http://collector:4317']);
    expect(readConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_EXPORTER: 'otlp' }).traces.otlp.url).toBe('http://localhost:4317');
  });

  it('rejects an unknown metrics exporter with the exact message', () => {
    expect(problems({ OTEL_METRICS_EXPORTER: 'promethus' })).toEqual([
      'OTEL_METRICS_EXPORTER=promethus: unknown exporter; accepted: otlp, prometheus, console, none',
    ]);
  });

  it('rejects prometheus as a trace exporter and none mixed with others', () => {
    expect(problems({ OTEL_TRACES_EXPORTER: 'prometheus', OTEL_METRICS_EXPORTER: 'otlp,none' })).toEqual([
      'OTEL_TRACES_EXPORTER=prometheus: unknown exporter; accepted: otlp, console, none',
      'OTEL_METRICS_EXPORTER=otlp,none: "none" cannot be combined with other exporters; accepted: otlp, prometheus, console, none (none alone)',
    ]);
  });

  it('checks the variables NodeSDK reads: propagators, resource detectors, log exporters and their protocol', () => {
    expect(
      problems({
        OTEL_PROPAGATORS: 'tracecontext,xray',
        OTEL_NODE_RESOURCE_DETECTORS: 'hosts',
        OTEL_LOGS_EXPORTER: 'loki',
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http',
      }),
    ).toEqual([
      'OTEL_LOGS_EXPORTER=loki: unknown exporter; accepted: otlp, console, none',
      'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=http: unknown protocol; accepted: http/protobuf, http/json, grpc',
      'OTEL_PROPAGATORS=tracecontext,xray: unknown propagator "xray"; accepted: tracecontext, baggage, b3, b3multi, jaeger, none',
      'OTEL_NODE_RESOURCE_DETECTORS=hosts: unknown resource detector; accepted: env, host, os, process, serviceinstance, all, none',
    ]);
    const config = readConfig({ OTEL_LOGS_EXPORTER: 'otlp,console', OTEL_NODE_RESOURCE_DETECTORS: 'env,os' });
    expect([config.logs.exporters, config.resourceDetectors]).toEqual([
      ['otlp', 'console'],
      ['env', 'os'],
    ]);
    expect(readConfig({ OTEL_LOGS_EXPORTER: 'none' }).logs.exporters).toEqual([]);
  });

  it('rejects endpoints that are not absolute http(s) URLs', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x/v1/traces' })).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=ftp://x/v1/traces: not an http(s) URL; accepted: an absolute http:// or https:// URL, e.g. http://localhost:4318',
      'OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318: not an http(s) URL; accepted: an absolute http:// or https:// URL, e.g. http://localhost:4318',
    ]);
  });

  it('reports a bad per-signal protocol', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http' })).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http: unknown protocol; accepted: http/protobuf, http/json, grpc',
    ]);
  });

  it('reports bad header pairs by position, never by value', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'api-key=%E0%A4%A' })).toEqual([
      'OTEL_EXPORTER_OTLP_METRICS_HEADERS (value not shown): entry 1 of 1 has a bad percent-encoding; accepted: comma-separated key=value pairs with percent-encoded values, e.g. key1=value1,key2=value%202',
    ]);
  });
});

describe('readConfig resource, metrics timing, Prometheus and logging', () => {
  it('decodes OTEL_RESOURCE_ATTRIBUTES and keeps OTEL_SERVICE_NAME apart', () => {
    const config = readConfig({ OTEL_SERVICE_NAME: 'api', OTEL_RESOURCE_ATTRIBUTES: 'team=ml%20ops, region = eu-west-1 ,service.name=x' });
    expect(config.serviceName).toBe('api');
    expect(config.resourceAttributes).toEqual({ team: 'ml ops', region: 'eu-west-1', 'service.name': 'x' });
  });

  it('rejects a resource attribute without a value separator, naming it', () => {
    expect(problems({ OTEL_RESOURCE_ATTRIBUTES: 'team=ml,oops' })).toEqual([
      'OTEL_RESOURCE_ATTRIBUTES=team=ml,oops: "oops" is not key=value; accepted: comma-separated key=value pairs with percent-encoded values, e.g. key1=value1,key2=value%202',
    ]);
  });

  it('lowers the default export timeout to a shorter interval', () => {
    expect(readConfig({ OTEL_METRIC_EXPORT_INTERVAL: '5000' }).metrics).toMatchObject({
      exportIntervalMillis: 5000,
      exportTimeoutMillis: 5000,
    });
    expect(readConfig({ OTEL_METRIC_EXPORT_INTERVAL: '5000', OTEL_METRIC_EXPORT_TIMEOUT: '1000' }).metrics).toMatchObject({
      exportIntervalMillis: 5000,
      exportTimeoutMillis: 1000,
    });
  });

  it('rejects a non-numeric interval and a timeout longer than the interval', () => {
    expect(problems({ OTEL_METRIC_EXPORT_INTERVAL: '10s' })).toEqual([
      'OTEL_METRIC_EXPORT_INTERVAL=10s: not accepted; accepted: a whole number of milliseconds, at least 1',
    ]);
    expect(problems({ OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '5000' })).toEqual([
      'OTEL_METRIC_EXPORT_TIMEOUT=5000: longer than OTEL_METRIC_EXPORT_INTERVAL (1000); accepted: a timeout no longer than the export interval',
    ]);
  });

  it('reads the Prometheus host and port, rejecting port 0', () => {
    expect(readConfig({ OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: '9100' }).metrics.prometheus).toEqual({
      host: '0.0.0.0',
      port: 9100,
    });
    expect(problems({ OTEL_EXPORTER_PROMETHEUS_PORT: '0' })).toEqual([
      'OTEL_EXPORTER_PROMETHEUS_PORT=0: not accepted; accepted: a TCP port number from 1 to 65535',
    ]);
  });

  it('maps OTEL_LOG_LEVEL to diag levels and rejects others', () => {
    expect(readConfig({ OTEL_LOG_LEVEL: 'DEBUG' }).logLevel).toBe(DiagLogLevel.DEBUG);
    expect(readConfig({ OTEL_LOG_LEVEL: 'none' }).logLevel).toBe(DiagLogLevel.NONE);
    expect(problems({ OTEL_LOG_LEVEL: 'trace' })).toEqual([
      'OTEL_LOG_LEVEL=trace: unknown log level; accepted: none, error, warn, info, debug, verbose, all',
    ]);
  });
});

describe('readConfig Tokenomics settings', () => {
  it('maps every TOKENOMICS_* setting and content capture onto the instrumentation config', () => {
    expect(
      readConfig({
        TOKENOMICS_ATTRIBUTION_KEYS: 'tenant, feature,cost-center,tenant',
        TOKENOMICS_MAX_ATTRIBUTE_VALUES: '250',
        TOKENOMICS_OPENAI_STREAM_USAGE: 'off',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE',
      }).instrumentation,
    ).toEqual({
      attributionKeys: ['tenant', 'feature', 'cost-center'],
      maxAttributeValues: 250,
      injectStreamUsage: false,
      captureMessageContent: true,
    });
    expect(readConfig({ TOKENOMICS_OPENAI_STREAM_USAGE: 'inject' }).instrumentation).toEqual({ injectStreamUsage: true });
  });

  it('rejects bad attribution keys, caps and switches', () => {
    expect(
      problems({
        TOKENOMICS_ATTRIBUTION_KEYS: 'tenant,9lives,a b',
        TOKENOMICS_MAX_ATTRIBUTE_VALUES: '-1',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes',
      }),
    ).toEqual([
      'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=yes: not a boolean; accepted: true, false',
      'TOKENOMICS_ATTRIBUTION_KEYS=tenant,9lives,a b: invalid "9lives", "a b"; accepted: comma-separated keys of letters, digits, "_", "." and "-", starting with a letter or "_"',
      'TOKENOMICS_MAX_ATTRIBUTE_VALUES=-1: not accepted; accepted: a whole number from 1 to 1000000',
    ]);
  });
});

describe('readConfig OTEL_SDK_DISABLED', () => {
  it('true disables and ignores every other variable, even invalid ones', () => {
    const config = readConfig({ OTEL_SDK_DISABLED: 'true', OTEL_METRICS_EXPORTER: 'promethus' });
    expect(config).toEqual({ ...readConfig({}), disabled: true });
  });

  it('false is the default and other values are rejected', () => {
    expect(readConfig({ OTEL_SDK_DISABLED: 'false' }).disabled).toBe(false);
    expect(problems({ OTEL_SDK_DISABLED: '1' })).toEqual(['OTEL_SDK_DISABLED=1: not a boolean; accepted: true, false']);
  });

  it('ConfigError lists every problem in its message, one per line', () => {
    let error: unknown;
    try {
      readConfig({ OTEL_LOG_LEVEL: 'loud', OTEL_METRICS_EXPORTER: 'statsd' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'OTEL_LOG_LEVEL=loud: unknown log level; accepted: none, error, warn, info, debug, verbose, all\n' +
        'OTEL_METRICS_EXPORTER=statsd: unknown exporter; accepted: otlp, prometheus, console, none',
    );
  });
});
