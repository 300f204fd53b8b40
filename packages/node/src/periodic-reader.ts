import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, globalErrorHandler, suppressTracing, type ExportResult } from '@opentelemetry/core';
import { MetricReader, type MetricProducer, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { tracerProviderRegistered } from '@tokenomics/instrumentation/hook';
import http from 'node:http';
import https from 'node:https';

/** Cardinality limit per metric stream, as `PeriodicExportingMetricReader` sets it by default. */
const CARDINALITY_LIMIT = 2000;

export interface PeriodicMetricReaderOptions {
  exporter: PushMetricExporter;
  exportIntervalMillis: number;
  /** Longest wait for one collection and export; at most the interval. */
  exportTimeoutMillis: number;
  metricProducers?: MetricProducer[];
  /**
   * `always`: every export runs with tracing suppressed, as the SDK's reader does. `when-observed`
   * (OTLP over HTTP): only where something could trace the export's request (a tracer provider is
   * registered, or `http.request` / `https.request` is wrapped by an instrumentation).
   */
  suppressTracing: 'always' | 'when-observed';
}

/**
 * Whether an export's own request could be recorded by something: spans need a registered tracer
 * provider (one of another copy of the API counts as registered), an HTTP instrumentation's
 * metrics need `http.request` or `https.request` wrapped (its `__wrapped` mark).
 */
function exportObserved(): boolean {
  if (tracerProviderRegistered()) return true;
  return (http.request as { __wrapped?: unknown }).__wrapped === true || (https.request as { __wrapped?: unknown }).__wrapped === true;
}

/**
 * Collects and exports every `exportIntervalMillis` (an unreferenced timer), like the SDK's
 * `PeriodicExportingMetricReader`: one export at a time, each bounded by `exportTimeoutMillis`,
 * `forceFlush()` waiting for the export in progress before its own, `shutdown()` flushing once more.
 *
 * The difference: the SDK's reader calls the exporter inside a context with tracing suppressed,
 * and a context entered even once makes the context manager track every promise of the process
 * from then on. In a process that records no spans (metrics only), that tracking costs every later
 * call, for nothing the export needs. With `suppressTracing: 'when-observed'` this reader enters
 * that context only where something could trace the export.
 */
export class PeriodicMetricReader extends MetricReader {
  private readonly exporter: PushMetricExporter;
  private readonly intervalMillis: number;
  private readonly timeoutMillis: number;
  private readonly suppress: PeriodicMetricReaderOptions['suppressTracing'];
  private interval: ReturnType<typeof setInterval> | undefined;
  private ongoing: Promise<void> | undefined;

  constructor(options: PeriodicMetricReaderOptions) {
    const { exporter } = options;
    super({
      ...(exporter.selectAggregation ? { aggregationSelector: exporter.selectAggregation.bind(exporter) } : {}),
      ...(exporter.selectAggregationTemporality
        ? { aggregationTemporalitySelector: exporter.selectAggregationTemporality.bind(exporter) }
        : {}),
      cardinalitySelector: () => CARDINALITY_LIMIT,
      otelComponentType: 'periodic_metric_reader',
      ...(options.metricProducers ? { metricProducers: options.metricProducers } : {}),
    });
    if (!(options.exportIntervalMillis > 0)) throw new Error('exportIntervalMillis must be greater than 0');
    if (!(options.exportTimeoutMillis > 0)) throw new Error('exportTimeoutMillis must be greater than 0');
    this.exporter = exporter;
    this.intervalMillis = options.exportIntervalMillis;
    this.timeoutMillis = Math.min(options.exportTimeoutMillis, options.exportIntervalMillis);
    this.suppress = options.suppressTracing;
  }

  protected override onInitialized(): void {
    this.interval = setInterval(() => void this.runOnce(), this.intervalMillis);
    this.interval.unref();
  }

  protected override async onForceFlush(): Promise<void> {
    // Never a collection beside the one in progress: wait for it, then run one of our own (unless
    // another caller started one meanwhile, which is then the one awaited).
    await this.settled();
    if (this.ongoing) await this.settled();
    else await this.runOnce();
    await this.exporter.forceFlush();
  }

  protected override async onShutdown(): Promise<void> {
    if (this.interval) clearInterval(this.interval);
    await this.onForceFlush();
    await this.exporter.shutdown();
  }

  /** One collection and export; never rejects (failures go to the global error handler). */
  private async runOnce(): Promise<void> {
    if (this.ongoing) {
      diag.debug('@tokenomics/node: metric export already in progress, skipped');
      return;
    }
    const run = this.collectAndExport();
    this.ongoing = run;
    try {
      await run;
    } catch (err) {
      globalErrorHandler(err as Error);
    } finally {
      this.ongoing = undefined;
    }
  }

  private async settled(): Promise<void> {
    try {
      await this.ongoing;
    } catch {
      // reported by the run that started it
    }
  }

  private async collectAndExport(): Promise<void> {
    const { resourceMetrics, errors } = await this.collect({ timeoutMillis: this.timeoutMillis });
    if (errors.length > 0) diag.error('@tokenomics/node: metric collection errors', ...errors);
    const resource = resourceMetrics.resource as { asyncAttributesPending?: boolean; waitForAsyncAttributes?: () => Promise<void> };
    if (resource.asyncAttributesPending) {
      try {
        await resource.waitForAsyncAttributes?.();
      } catch (err) {
        diag.debug('@tokenomics/node: async resource attributes not resolved', err);
        globalErrorHandler(err as Error);
      }
    }
    if (resourceMetrics.scopeMetrics.length === 0) return;
    const result = await this.exportWithin(resourceMetrics);
    if (result === undefined) {
      diag.error(`@tokenomics/node: metric export timed out after ${this.timeoutMillis} ms`);
      return;
    }
    if (result.code !== ExportResultCode.SUCCESS) throw new Error(`metric export failed (${String(result.error ?? 'no error given')})`);
  }

  /** The exporter's result, or `undefined` when it did not answer within the timeout. */
  private exportWithin(metrics: ResourceMetrics): Promise<ExportResult | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), this.timeoutMillis);
      timer.unref();
      const done = (result: ExportResult) => {
        clearTimeout(timer);
        resolve(result);
      };
      const send = () => {
        try {
          this.exporter.export(metrics, done);
        } catch (err) {
          done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
        }
      };
      if (this.suppress === 'always' || exportObserved()) context.with(suppressTracing(context.active()), send);
      else send();
    });
  }
}
