import { metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { getPriceBook, PriceBook } from '@tokenomics/pricing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, isListening } from '../../../test/support/free-port';
import { registeredGlobals } from '../src/global-providers';
import { ConfigError, currentHandle, getAttribution, start, withAttribution, type TokenomicsHandle } from '../src/index';

let handle: TokenomicsHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
/** A temporary folder, removed after the file's tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenomics-node-'));
  dirs.push(dir);
  return dir;
}

function inMemory() {
  const spans = new InMemorySpanExporter();
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
  return { spans, metricExporter, reader };
}

const HOUSE_BOOK = PriceBook.load({
  overrides: { models: [{ provider: 'openai', model: 'house-model', prices: { input: 2, output: 8 } }] },
});

describe('start()', () => {
  it('starts an SDK whose spans and metrics carry the resource from code over the environment', async () => {
    const { spans, metricExporter, reader } = inMemory();
    handle = start({
      serviceName: 'from-code',
      resourceAttributes: { region: 'eu-west-1' },
      env: { OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: 'team=ml,region=us-east-1' },
      traceExporter: spans,
      metricReaders: [reader],
      flushOnExit: false,
    });
    expect(handle.mode).toBe('sdk');
    trace.getTracer('t').startSpan('unit of work').end();
    metrics.getMeter('m').createCounter('jobs').add(2);
    await handle.forceFlush();

    const [span] = spans.getFinishedSpans();
    expect(span.name).toBe('unit of work');
    expect(span.resource.attributes).toMatchObject({ 'service.name': 'from-code', team: 'ml', region: 'eu-west-1' });
    const [batch] = metricExporter.getMetrics();
    const jobs = batch.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'jobs')!;
    expect(jobs.dataPoints.map((p) => p.value)).toEqual([2]);
    expect(batch.resource.attributes['service.name']).toBe('from-code');
  });

  it('runs the resource detectors OTEL_NODE_RESOURCE_DETECTORS names instead of the host and process ones', async () => {
    const { spans } = inMemory();
    process.env.OTEL_NODE_RESOURCE_DETECTORS = 'os';
    try {
      handle = start({
        serviceName: 'from-code',
        env: { OTEL_NODE_RESOURCE_DETECTORS: 'os', OTEL_RESOURCE_ATTRIBUTES: 'team=ml' },
        traceExporter: spans,
        metricReaders: [],
        flushOnExit: false,
      });
    } finally {
      delete process.env.OTEL_NODE_RESOURCE_DETECTORS;
    }
    trace.getTracer('t').startSpan('unit of work').end();
    await handle.forceFlush();
    const attributes = spans.getFinishedSpans()[0].resource.attributes;
    expect(attributes).toMatchObject({ 'service.name': 'from-code', team: 'ml', 'os.type': expect.any(String) });
    expect(attributes['host.name']).toBeUndefined();
    expect(attributes['process.pid']).toBeUndefined();
  });

  it('prices GenAI spans that lack cost: the trace exporter is wrapped in CostEnrichingSpanExporter', async () => {
    const { spans } = inMemory();
    handle = start({ traceExporter: spans, metricReaders: [], priceBook: HOUSE_BOOK, env: {}, flushOnExit: false });
    trace
      .getTracer('foreign-genai-instrumentation')
      .startSpan('chat house-model', {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'house-model',
          'gen_ai.usage.input_tokens': 1_000_000,
          'gen_ai.usage.output_tokens': 500_000,
        },
      })
      .end();
    await handle.forceFlush();

    const [span] = spans.getFinishedSpans();
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.cost.amount': 6,
      'gen_ai.usage.cost.currency': 'USD',
      'tokenomics.price_book.version': HOUSE_BOOK.version,
    });
  });

  it('makes priceBook the process-wide price book', () => {
    handle = start({ priceBook: HOUSE_BOOK, metricReaders: [], env: {}, flushOnExit: false });
    expect(getPriceBook()).toBe(HOUSE_BOOK);
  });

  it('loads TOKENOMICS_PRICE_OVERRIDES at start', () => {
    const dir = tempDir();
    const file = join(dir, 'overrides.yaml');
    writeFileSync(file, 'models:\n  - provider: openai\n    model: house-model\n    prices: { input: 1, output: 1 }\n');
    handle = start({ metricReaders: [], env: { TOKENOMICS_PRICE_OVERRIDES: file }, flushOnExit: false });
    expect(
      getPriceBook().price({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, { provider: 'openai', model: 'house-model' }).amount,
    ).toBe(2);
  });

  it('fails with ConfigError naming the variable and the file problem, registering nothing', () => {
    const dir = tempDir();
    const file = join(dir, 'overrides.yaml');
    writeFileSync(file, 'models:\n  - provider: openai\n    id: house-model\n');
    const missing = join(dir, 'missing.json');
    // The file problems are worded by @tokenomics/pricing; start() prefixes the variable.
    const fileProblem = (load: () => unknown) => {
      try {
        load();
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected a PriceFileError');
    };
    const badField = fileProblem(() => PriceBook.load({ overridesFile: file }));
    expect(badField.startsWith(`${file}:3: models[0].id: `)).toBe(true);
    expect(() => start({ env: { TOKENOMICS_PRICE_OVERRIDES: file }, flushOnExit: false })).toThrow(
      new ConfigError([`TOKENOMICS_PRICE_OVERRIDES: ${badField}`]),
    );
    const unreadable = fileProblem(() => PriceBook.load({ pricesFile: missing }));
    expect(unreadable).toContain(missing);
    expect(() => start({ env: { TOKENOMICS_PRICES_FILE: missing }, flushOnExit: false })).toThrow(
      new ConfigError([`TOKENOMICS_PRICES_FILE: ${unreadable}`]),
    );
    expect(() => start({ env: { OTEL_TRACES_EXPORTER: 'jaeger' }, flushOnExit: false })).toThrow(ConfigError);
    expect(currentHandle()).toBeUndefined();
    expect(registeredGlobals()).toEqual({ trace: false, metrics: false, context: false, propagation: false });
  });

  it('returns the running handle on a second call; shutdown unregisters the globals so start works again', async () => {
    const first = start({ metricReaders: [inMemory().reader], traceExporter: new InMemorySpanExporter(), env: {}, flushOnExit: false });
    expect(start()).toBe(first);
    expect(currentHandle()).toBe(first);
    expect(registeredGlobals()).toEqual({ trace: true, metrics: true, context: true, propagation: true });

    await first.shutdown();
    expect(currentHandle()).toBeUndefined();
    expect(registeredGlobals()).toEqual({ trace: false, metrics: false, context: false, propagation: false });

    handle = start({ metricReaders: [inMemory().reader], env: {}, flushOnExit: false });
    expect(handle).not.toBe(first);
    expect(handle.mode).toBe('sdk');
  });

  it('registers no TracerProvider when no trace exporter is configured', () => {
    handle = start({ metricReaders: [inMemory().reader], env: {}, flushOnExit: false });
    expect(registeredGlobals()).toEqual({ trace: false, metrics: true, context: true, propagation: true });
    expect(trace.getTracer('t').startSpan('dropped').isRecording()).toBe(false);
  });

  it('sets up the propagators OTEL_PROPAGATORS names (NodeSDK reads it), W3C Trace Context and Baggage by default', async () => {
    handle = start({ metricReaders: [], env: {}, flushOnExit: false });
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    await handle.shutdown();
    process.env.OTEL_PROPAGATORS = 'b3';
    try {
      handle = start({ metricReaders: [], env: { OTEL_PROPAGATORS: 'b3' }, flushOnExit: false });
      expect(propagation.fields()).toEqual(['b3']);
    } finally {
      delete process.env.OTEL_PROPAGATORS;
    }
  });

  it('merges instrumentationConfig over the TOKENOMICS_* variables', () => {
    handle = start({
      env: { TOKENOMICS_ATTRIBUTION_KEYS: 'team', TOKENOMICS_MAX_ATTRIBUTE_VALUES: '20' },
      instrumentationConfig: { maxAttributeValues: 5 },
      metricReaders: [],
      flushOnExit: false,
    });
    const openai = handle.instrumentations.find((i) => i.instrumentationName === '@tokenomics/instrumentation-openai')!;
    expect(openai.getConfig()).toMatchObject({ attributionKeys: ['team'], maxAttributeValues: 5 });
  });

  it('with OTEL_SDK_DISABLED=true registers nothing', () => {
    handle = start({ env: { OTEL_SDK_DISABLED: 'true' } });
    expect(handle.mode).toBe('disabled');
    expect(handle.instrumentations).toEqual([]);
    expect(registeredGlobals()).toEqual({ trace: false, metrics: false, context: false, propagation: false });
  });

  it('keeps attribution across awaits (the context manager is registered)', async () => {
    handle = start({ metricReaders: [], env: {}, flushOnExit: false });
    const seen = await withAttribution({ tenant: 'acme' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return withAttribution({ feature: 'search' }, async () => {
        await Promise.resolve();
        return getAttribution();
      });
    });
    expect(seen).toEqual({ tenant: 'acme', feature: 'search' });
    expect(getAttribution()).toEqual({});
  });
});

describe('start() when the app already registered part of an SDK', () => {
  it("sends spans to the app's TracerProvider and, as the app has no MeterProvider, records metrics through its own", async () => {
    const appSpans = new InMemorySpanExporter();
    const appProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appSpans)] });
    trace.setGlobalTracerProvider(appProvider);
    try {
      const ours = new InMemorySpanExporter();
      const { reader } = inMemory();
      handle = start({ traceExporter: ours, metricReaders: [reader], env: {}, flushOnExit: false });
      expect(handle.mode).toBe('sdk');
      expect(handle.instrumentations.map((i) => i.instrumentationName)).toContain('@tokenomics/instrumentation-openai');
      expect(handle.instrumentations.every((i) => (i as InstrumentationBase).isEnabled())).toBe(true);
      expect(registeredGlobals()).toEqual({ trace: true, metrics: true, context: true, propagation: true });

      trace.getTracer('t').startSpan('app span').end();
      expect(appSpans.getFinishedSpans().map((s) => s.name)).toEqual(['app span']);
      await handle.forceFlush();
      expect(ours.getFinishedSpans()).toEqual([]);

      await handle.shutdown();
      handle = undefined;
      // The app's provider stays; what this start registered is gone.
      expect(registeredGlobals()).toEqual({ trace: true, metrics: false, context: false, propagation: false });
    } finally {
      trace.disable();
    }
  });
});

describe('start() when the app registers its own SDK afterwards', () => {
  it("closes the hook's Prometheus endpoint when the app registers its MeterProvider: the points go where the app exports them", async () => {
    const port = await freePort();
    handle = start({ env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }, flushOnExit: false });
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).status;
    // The endpoint answers once its server is listening.
    while (!(await isListening('127.0.0.1', port)));
    expect(await scrape()).toBe(200);

    const appMeterProvider = new MeterProvider({ readers: [inMemory().reader] });
    try {
      expect(metrics.setGlobalMeterProvider(appMeterProvider)).toBe(true);
      while (await isListening('127.0.0.1', port));
      expect(handle.mode).toBe('existing-sdk');
    } finally {
      metrics.disable();
      await appMeterProvider.shutdown();
    }
  });

  it('keeps recording metrics through its own MeterProvider when the app registers a TracerProvider only', async () => {
    const ours = inMemory();
    handle = start({ traceExporter: ours.spans, metricReaders: [ours.reader], env: {}, flushOnExit: false });
    const appSpans = new InMemorySpanExporter();
    try {
      expect(trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appSpans)] }))).toBe(true);
      expect(handle.mode).toBe('sdk');
      expect(registeredGlobals()).toEqual({ trace: true, metrics: true, context: true, propagation: true });
      metrics.getMeter('m').createCounter('jobs').add(3);
      await handle.forceFlush();
      const jobs = ours.metricExporter
        .getMetrics()
        .flatMap((b) => b.scopeMetrics.flatMap((sm) => sm.metrics))
        .find((m) => m.descriptor.name === 'jobs');
      expect(jobs?.dataPoints.map((p) => p.value)).toEqual([3]);

      await handle.shutdown();
      handle = undefined;
      expect(registeredGlobals()).toEqual({ trace: true, metrics: false, context: false, propagation: false });
    } finally {
      trace.disable();
    }
  });

  it("hands every global over to the app's SDK, which is not refused, and moves the instrumentations to its providers", async () => {
    const ourSpans = new InMemorySpanExporter();
    handle = start({ traceExporter: ourSpans, metricReaders: [inMemory().reader], env: {}, flushOnExit: false });
    expect(handle.mode).toBe('sdk');
    const appSpans = new InMemorySpanExporter();
    const app = inMemory();
    const appTracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appSpans)] });
    const appMeterProvider = new MeterProvider({ readers: [app.reader] });
    try {
      expect(trace.setGlobalTracerProvider(appTracerProvider)).toBe(true);
      expect(metrics.setGlobalMeterProvider(appMeterProvider)).toBe(true);
      expect(handle.mode).toBe('existing-sdk');

      const openai = handle.instrumentations.find((i) => i.instrumentationName === '@tokenomics/instrumentation-openai')!;
      (openai as unknown as { tracer: { startSpan(name: string): { end(): void } } }).tracer.startSpan('through the instrumentation').end();
      expect(appSpans.getFinishedSpans().map((s) => s.name)).toEqual(['through the instrumentation']);
      expect(ourSpans.getFinishedSpans()).toEqual([]);

      await handle.shutdown();
      handle = undefined;
      // The app's providers stay registered after the hook stops.
      expect(trace.getTracerProvider().getTracer('x').startSpan('after').isRecording()).toBe(true);
      expect(registeredGlobals()).toEqual({ trace: true, metrics: true, context: false, propagation: false });
    } finally {
      trace.disable();
      metrics.disable();
      await appMeterProvider.shutdown();
    }
  });
});
