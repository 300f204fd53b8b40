import { metrics, propagation, trace } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port';
import { runApp, stopAllApps } from '../../../test/support/run-app';
import { registeredGlobals } from '../src/global-providers';
import { start, type TokenomicsHandle } from '../src/index';

const LOADED_PACKAGES_APP = fileURLToPath(new URL('./fixtures/loaded-packages.cjs', import.meta.url));
const WARM_PRICE_BOOK_APP = fileURLToPath(new URL('./fixtures/warm-price-book.cjs', import.meta.url));
const LOADED_FILES_APP = fileURLToPath(new URL('./fixtures/loaded-files.cjs', import.meta.url));
const MODULE_PATH_STRINGS_APP = fileURLToPath(new URL('./fixtures/module-path-strings.cjs', import.meta.url));

/** Packages the default set-up has no use for: NodeSDK and what it loads for exporters it may set up. */
const NOT_IN_DEFAULT_SET_UP = [
  '@opentelemetry/sdk-node',
  '@opentelemetry/configuration',
  '@opentelemetry/sdk-logs',
  '@opentelemetry/otlp-transformer',
  '@opentelemetry/otlp-exporter-base',
  '@opentelemetry/otlp-grpc-exporter-base',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-grpc',
  '@opentelemetry/exporter-metrics-otlp-proto',
  '@opentelemetry/exporter-logs-otlp-proto',
  '@opentelemetry/exporter-zipkin',
  '@opentelemetry/propagator-b3',
  '@opentelemetry/propagator-jaeger',
  '@grpc/grpc-js',
  'protobufjs',
  'yaml',
  'tiktoken',
];

async function loadedPackages(env: Record<string, string>): Promise<string[]> {
  const result = await runApp({ app: LOADED_PACKAGES_APP, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.trim()) as string[];
}

/** The Tokenomics modules loaded on the app's thread (`node/start.js`, ...) once the hook's start-up work is done. */
async function loadedFiles(env: Record<string, string>): Promise<string[]> {
  const result = await runApp({ app: LOADED_FILES_APP, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.trim()) as string[];
}

afterEach(() => stopAllApps());

describe('what the hook loads', () => {
  it('the default set-up (Prometheus endpoint, no trace exporter) loads neither NodeSDK, nor an OTLP exporter, encoder or gRPC, nor the YAML reader or tiktoken', async () => {
    const loaded = await loadedPackages({ OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) });
    expect(loaded).toEqual(expect.arrayContaining(['@opentelemetry/exporter-prometheus', '@opentelemetry/sdk-metrics', 'openai']));
    expect(loaded.filter((name) => NOT_IN_DEFAULT_SET_UP.includes(name))).toEqual([]);
  });

  it("compiles the price-book models of the first client library's provider on the turn after it loads, and no other provider's", async () => {
    const result = await runApp({ app: WARM_PRICE_BOOK_APP, env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual(['openai']);
  });

  it('with spans exported over OTLP loads the OTLP exporter base and still not NodeSDK, its log exporters, the official encoders or the configuration-file reader', async () => {
    const loaded = await loadedPackages({ OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), OTEL_TRACES_EXPORTER: 'otlp' });
    expect(loaded).toEqual(expect.arrayContaining(['@opentelemetry/otlp-exporter-base', '@opentelemetry/sdk-trace-base']));
    const notLoaded = [
      '@opentelemetry/exporter-trace-otlp-proto',
      '@opentelemetry/otlp-transformer',
      '@opentelemetry/sdk-node',
      '@opentelemetry/configuration',
      '@opentelemetry/sdk-logs',
      '@opentelemetry/exporter-zipkin',
    ];
    expect(loaded.filter((name) => notLoaded.includes(name))).toEqual([]);
  });

  it('loads the budgets file reader only when there is a budgets file', async () => {
    const port = String(await freePort());
    const run = (env: Record<string, string>) => loadedFiles({ OTEL_EXPORTER_PROMETHEUS_PORT: port, ...env });
    const without = await run({});
    expect(without).toEqual(expect.arrayContaining(['node/start.js', 'pricing/price-book.js']));
    expect(without).not.toContain('node/budgets.js');
    const dir = mkdtempSync(join(tmpdir(), 'footprint-'));
    try {
      const budgets = join(dir, 'budgets.yml');
      writeFileSync(budgets, 'budgets:\n  - name: all\n    limit_usd: 5\n    window: day\n');
      expect(await run({ TOKENOMICS_BUDGETS_FILE: budgets })).toContain('node/budgets.js');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the OTLP span serialiser only when spans are exported over OTLP http/protobuf', async () => {
    const port = String(await freePort());
    const run = (env: Record<string, string>) => loadedFiles({ OTEL_EXPORTER_PROMETHEUS_PORT: port, ...env });
    const serialiser = (files: string[]) => files.filter((file) => file.endsWith('otlp-span-serializer.js'));
    expect(serialiser(await run({}))).toEqual([]);
    expect(serialiser(await run({ OTEL_TRACES_EXPORTER: 'console' }))).toEqual([]);
    expect(serialiser(await run({ OTEL_TRACES_EXPORTER: 'otlp' }))).toEqual(['exporter/otlp-span-serializer.js']);
  });

  it("loads the modules it uses, not the packages' indexes of re-exports or the price book's file tools, with and without spans", async () => {
    const port = String(await freePort());
    const run = (env: Record<string, string>) => loadedFiles({ OTEL_EXPORTER_PROMETHEUS_PORT: port, ...env });
    const indexes = (files: string[]) => files.filter((file) => /^[^/]+\/index\.js$/.test(file));
    const tools = ['pricing/price-diff.js', 'pricing/reference-table.js', 'pricing/validate-file.js', 'exporter/metric-exporter.js'];
    const metricsOnly = await run({});
    expect(metricsOnly).toEqual(expect.arrayContaining(['contract/attributes.js', 'pricing/price-book.js', 'tokens/worker-counter.js']));
    expect(indexes(metricsOnly)).toEqual([]);
    expect(metricsOnly.filter((file) => tools.includes(file))).toEqual([]);
    const spans = await run({ OTEL_TRACES_EXPORTER: 'otlp' });
    expect(spans).toEqual(expect.arrayContaining(['exporter/span-exporter.js', 'exporter/span-enricher.js']));
    expect(indexes(spans)).toEqual([]);
    expect(spans.filter((file) => tools.includes(file))).toEqual([]);
  });

  it('with logs exported, or a propagator only NodeSDK sets up, NodeSDK starts as before', async () => {
    const port = String(await freePort());
    const logs = await loadedPackages({ OTEL_EXPORTER_PROMETHEUS_PORT: port, OTEL_LOGS_EXPORTER: 'console' });
    expect(logs).toEqual(expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/sdk-logs']));
    const b3 = await loadedPackages({ OTEL_EXPORTER_PROMETHEUS_PORT: port, OTEL_PROPAGATORS: 'b3' });
    expect(b3).toEqual(expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/propagator-b3']));
  });
});

describe('what the hook holds', () => {
  it("holds each node_modules folder its modules search once, however many of them list it: those loaded at start and with a library's instrumentation", async () => {
    const result = await runApp({ app: MODULE_PATH_STRINGS_APP, env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const folders = JSON.parse(result.stdout.trim()) as { folder: string; listedBy: number; held: number }[];
    expect(folders.map((f) => f.folder)).toEqual([
      expect.stringMatching(/[\\/]node[\\/]dist[\\/]node_modules$/),
      expect.stringMatching(/[\\/]instrumentation[\\/]dist[\\/]genai[\\/]node_modules$/),
    ]);
    for (const { listedBy, held } of folders) {
      expect(listedBy).toBeGreaterThanOrEqual(10);
      // One string in the modules' lists, and the one the app made to look for it.
      expect(held).toBe(2);
    }
  });
});

describe('start() without NodeSDK', () => {
  let handle: TokenomicsHandle | undefined;
  const VARIABLES = [
    'OTEL_PROPAGATORS',
    'OTEL_TRACES_SAMPLER',
    'OTEL_TRACES_SAMPLER_ARG',
    'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_ATTRIBUTE_COUNT_LIMIT',
  ];
  const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));
  afterEach(async () => {
    await handle?.shutdown();
    handle = undefined;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('registers the meter provider with the resource and the service name from code, the context manager and the W3C propagators', async () => {
    delete process.env.OTEL_PROPAGATORS;
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    handle = start({
      serviceName: 'from-code',
      env: { OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: 'team=ml' },
      metricReaders: [reader],
      flushOnExit: false,
    });
    expect(handle.mode).toBe('sdk');
    expect(registeredGlobals()).toEqual({ trace: false, metrics: true, context: true, propagation: true });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    metrics.getMeter('m').createCounter('jobs').add(2);
    await handle.forceFlush();
    const [batch] = exporter.getMetrics();
    expect(batch.resource.attributes).toMatchObject({ 'service.name': 'from-code', team: 'ml' });
    const jobs = batch.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'jobs');
    expect(jobs?.dataPoints.map((p) => p.value)).toEqual([2]);
  });

  it('registers the propagators OTEL_PROPAGATORS names, each once and in order, and none with "none"', async () => {
    process.env.OTEL_PROPAGATORS = 'baggage, tracecontext,baggage';
    handle = start({ metricReaders: [], env: { OTEL_PROPAGATORS: 'baggage,tracecontext,baggage' }, flushOnExit: false });
    expect(propagation.fields()).toEqual(['baggage', 'traceparent', 'tracestate']);
    await handle.shutdown();
    process.env.OTEL_PROPAGATORS = 'none';
    handle = start({ metricReaders: [], env: { OTEL_PROPAGATORS: 'none' }, flushOnExit: false });
    expect(registeredGlobals().propagation).toBe(false);
  });

  it('exports spans through a tracer provider with the resource, and the sampler and span limits the environment names, as NodeSDK reads them', async () => {
    process.env.OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT = '2';
    const spans = new InMemorySpanExporter();
    handle = start({ serviceName: 'from-code', traceExporter: spans, metricReaders: [], env: {}, flushOnExit: false });
    trace
      .getTracer('t')
      .startSpan('unit of work', { attributes: { a: 1, b: 2, c: 3 } })
      .end();
    await handle.forceFlush();
    const [span] = spans.getFinishedSpans();
    expect(span.resource.attributes['service.name']).toBe('from-code');
    expect(Object.keys(span.attributes)).toHaveLength(2);
    await handle.shutdown();

    delete process.env.OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT;
    process.env.OTEL_ATTRIBUTE_COUNT_LIMIT = '1';
    process.env.OTEL_TRACES_SAMPLER = 'traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0';
    const more = new InMemorySpanExporter();
    handle = start({ traceExporter: more, metricReaders: [], env: {}, flushOnExit: false });
    expect(trace.getTracer('t').startSpan('never sampled').isRecording()).toBe(false);
    await handle.shutdown();

    process.env.OTEL_TRACES_SAMPLER = 'always_on';
    const last = new InMemorySpanExporter();
    handle = start({ traceExporter: last, metricReaders: [], env: {}, flushOnExit: false });
    trace
      .getTracer('t')
      .startSpan('sampled', { attributes: { a: 1, b: 2 } })
      .end();
    await handle.forceFlush();
    expect(last.getFinishedSpans().map((s) => Object.keys(s.attributes).length)).toEqual([1]);
  });
});
