import http from 'node:http';
import { context, diag, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, isTracingSuppressed, setGlobalErrorHandler, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PeriodicMetricReader, type PeriodicMetricReaderOptions } from '../src/periodic-reader';

const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  manager.enable();
  context.setGlobalContextManager(manager);
});
afterAll(() => {
  context.disable();
});

/** An exporter that notes, for each export, whether tracing was suppressed and whether a context was entered for it. */
class NotingExporter implements PushMetricExporter {
  readonly exports: Array<{ suppressed: boolean; entered: boolean; points: number }> = [];
  result: ExportResult | undefined = { code: ExportResultCode.SUCCESS };
  shutDown = false;
  private readonly memory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);

  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    const active = context.active();
    const points = metrics.scopeMetrics.flatMap((s) => s.metrics).reduce((n, m) => n + m.dataPoints.length, 0);
    this.exports.push({ suppressed: isTracingSuppressed(active), entered: entered > 0, points });
    this.memory.export(metrics, () => {});
    if (this.result !== undefined) done(this.result);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.shutDown = true;
    return Promise.resolve();
  }
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}

// Contexts entered through the context manager while a test runs.
let entered = 0;
const withContext = manager.with.bind(manager);
manager.with = ((...args: Parameters<typeof manager.with>) => {
  entered++;
  try {
    return withContext(...args);
  } finally {
    entered--;
  }
}) as typeof manager.with;

const open: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.shutdown().catch(() => undefined)));
  trace.disable();
  setGlobalErrorHandler(() => {});
});

function readerWith(exporter: PushMetricExporter, options: Partial<PeriodicMetricReaderOptions> = {}) {
  const reader = new PeriodicMetricReader({
    exporter,
    exportIntervalMillis: 60_000,
    exportTimeoutMillis: 30_000,
    suppressTracing: 'when-observed',
    ...options,
  });
  const provider = new MeterProvider({ readers: [reader] });
  open.push(provider);
  provider.getMeter('test').createCounter('test.calls').add(3, { model: 'a' });
  return { reader, provider };
}

describe('PeriodicMetricReader', () => {
  it('exports what was recorded on a flush, and flushes and shuts the exporter down on shutdown', async () => {
    const exporter = new NotingExporter();
    const { provider } = readerWith(exporter);
    await provider.forceFlush();
    expect(exporter.exports.map((e) => e.points)).toEqual([1]);
    await provider.shutdown();
    expect(exporter.exports).toHaveLength(2);
    expect(exporter.shutDown).toBe(true);
  });

  it('enters no context for an export that nothing could trace', async () => {
    const exporter = new NotingExporter();
    await readerWith(exporter).provider.forceFlush();
    expect(exporter.exports[0]).toMatchObject({ suppressed: false, entered: false });
  });

  it('suppresses tracing around the export once a tracer provider is registered', async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    const exporter = new NotingExporter();
    await readerWith(exporter).provider.forceFlush();
    expect(exporter.exports[0]).toMatchObject({ suppressed: true, entered: true });
  });

  it('suppresses tracing around the export while an instrumentation wraps http.request', async () => {
    const original = http.request;
    const wrapped = Object.assign((...args: Parameters<typeof http.request>) => original(...args), { __wrapped: true });
    (http as { request: unknown }).request = wrapped;
    try {
      const exporter = new NotingExporter();
      await readerWith(exporter).provider.forceFlush();
      expect(exporter.exports[0]).toMatchObject({ suppressed: true, entered: true });
    } finally {
      (http as { request: unknown }).request = original;
    }
  });

  it("with suppressTracing 'always', suppresses it around every export", async () => {
    const exporter = new NotingExporter();
    await readerWith(exporter, { suppressTracing: 'always' }).provider.forceFlush();
    expect(exporter.exports[0]).toMatchObject({ suppressed: true, entered: true });
  });

  it('reports a failed export to the global error handler', async () => {
    const errors: unknown[] = [];
    setGlobalErrorHandler((err) => errors.push(err));
    const exporter = new NotingExporter();
    exporter.result = { code: ExportResultCode.FAILED, error: new Error('backend said no') };
    await readerWith(exporter).provider.forceFlush();
    expect(errors.map(String)).toEqual(['Error: metric export failed (Error: backend said no)']);
  });

  it('gives up on an export that never answers after the timeout, and a flush meanwhile starts no second one', async () => {
    const messages: string[] = [];
    const logger: DiagLogger = {
      error: (m) => messages.push(m),
      warn: () => {},
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger);
    try {
      const exporter = new NotingExporter();
      exporter.result = undefined;
      const { reader } = readerWith(exporter, { exportTimeoutMillis: 50 });
      await Promise.all([reader.forceFlush(), reader.forceFlush()]);
      expect(exporter.exports).toHaveLength(1);
      expect(messages).toContain('@tokenomics/node: metric export timed out after 50 ms');
    } finally {
      diag.disable();
    }
  });

  it('rejects an interval or timeout that is not positive', () => {
    const exporter = new NotingExporter();
    const make = (exportIntervalMillis: number, exportTimeoutMillis: number) => () =>
      new PeriodicMetricReader({ exporter, exportIntervalMillis, exportTimeoutMillis, suppressTracing: 'always' });
    expect(make(0, 10)).toThrow('exportIntervalMillis must be greater than 0');
    expect(make(10, Number.NaN)).toThrow('exportTimeoutMillis must be greater than 0');
  });
});
