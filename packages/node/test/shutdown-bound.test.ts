import { diag, DiagLogLevel, metrics, trace, type DiagLogger } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeadBackend, type DeadBackend, type DeadBackendKind } from '../../../test/support/dead-backends';
import { deliveryLedger } from '../src/delivery';
import { start, type TokenomicsHandle } from '../src/index';

let handle: TokenomicsHandle | undefined;
let backend: DeadBackend | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  await backend?.close();
  backend = undefined;
  diag.disable();
  delete process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
});

/** A diag logger that keeps the warnings. */
function captureWarnings(): string[] {
  const warnings: string[] = [];
  const keep = (message: string) => void warnings.push(message);
  const logger: DiagLogger = { error: keep, warn: keep, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return warnings;
}

describe.each(['no-answer', '503'] as DeadBackendKind[])('handle.shutdown() with a dead backend (%s)', (kind) => {
  it('forceFlush() and shutdown() each resolve at the flush bound, not after the exporter timeout', async () => {
    backend = await startDeadBackend(kind);
    const warnings = captureWarnings();
    const started = start({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: backend.url,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'otlp',
      },
      flushOnExit: false,
      exitFlushTimeoutMillis: 300,
    });
    handle = started;
    for (let i = 0; i < 50; i++) trace.getTracer('app').startSpan(`work ${i}`).end();
    metrics.getMeter('app').createCounter('jobs').add(1);

    await started.forceFlush();
    await started.shutdown();

    // Both waits ended at the 300 ms bound, not after the exporter's 10 s request timeout.
    expect(warnings.filter((w) => w.includes('telemetry flush did not finish within 300 ms'))).toHaveLength(2);
  });
});

describe('spans a 503 backend never takes', () => {
  it('are counted in tokenomics.telemetry.dropped, exports give up at OTEL_EXPORTER_OTLP_TIMEOUT, and the drop is said once, not per failure', async () => {
    backend = await startDeadBackend('503');
    // The OTLP exporter reads its timeout from the process environment, as the specification says.
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '200';
    const warnings = captureWarnings();
    const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
    const started = start({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: backend.url, OTEL_TRACES_EXPORTER: 'otlp' },
      metricReaders: [reader],
      flushOnExit: false,
    });
    handle = started;
    const before = deliveryLedger.dropped().traces;
    const tracer = trace.getTracer('app');

    for (let i = 0; i < 30; i++) tracer.startSpan(`first ${i}`).end();
    await started.forceFlush();
    const saidAfterFirst = warnings.filter((w) => w.includes('telemetry is being dropped')).length;
    for (let i = 0; i < 20; i++) tracer.startSpan(`second ${i}`).end();
    await started.forceFlush();

    // The exports failed within the 200 ms timeout (a 1 s retry does not fit), well inside the 2 s bound.
    expect(warnings.some((w) => w.includes('did not finish within'))).toBe(false);
    expect(deliveryLedger.dropped().traces - before).toBe(50);
    const dropped = (await reader.collect()).resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'tokenomics.telemetry.dropped');
    expect(dropped?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'tokenomics.telemetry.signal': 'traces', 'tokenomics.telemetry.drop_reason': 'export_failed' }, 50],
    ]);
    // Said at most once in the process (earlier tests may have said it), and not again for the second failure.
    expect(saidAfterFirst).toBeLessThanOrEqual(1);
    expect(warnings.filter((w) => w.includes('telemetry is being dropped')).length).toBe(saidAfterFirst);
  });
});
