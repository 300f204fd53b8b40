import { diag, type Counter, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_TOKENOMICS_TELEMETRY_DROP_REASON as ATTR_TELEMETRY_DROP_REASON,
  ATTR_TOKENOMICS_TELEMETRY_SIGNAL as ATTR_TELEMETRY_SIGNAL,
} from '@tokenomics/contract/attributes';
import {
  METRIC_TOKENOMICS_TELEMETRY_DROPPED as METRIC_TELEMETRY_DROPPED,
  TOKENOMICS_TELEMETRY_DROPPED,
} from '@tokenomics/contract/metrics';

/** Counter of telemetry the hook gave up on: `tokenomics.telemetry.dropped`. */
export { METRIC_TELEMETRY_DROPPED };
/** Which signal was dropped: `traces` (unit: spans) or `metrics` (unit: data points). */
export { ATTR_TELEMETRY_SIGNAL };
/**
 * Why it was dropped: `queue_full` (the span batch queue was full), `in_flight_limit` (too many
 * exports still waiting for the backend), `export_failed` (the backend refused, failed or did not
 * answer within `OTEL_EXPORTER_OTLP_TIMEOUT`, retries included), `backend_unavailable` (exports
 * failed several times in a row, so the hook stopped sending for a while; see {@link BackendPause}).
 */
export { ATTR_TELEMETRY_DROP_REASON };

export type TelemetrySignal = 'traces' | 'metrics';
export type DropReason = 'queue_full' | 'in_flight_limit' | 'export_failed' | 'backend_unavailable';

/**
 * Counts what the hook's exports dropped, as the counter {@link METRIC_TELEMETRY_DROPPED} and in
 * totals for the message at exit, and says so through `diag` once per process, at the first drop,
 * never once per failure.
 */
export class DeliveryLedger {
  private readonly totals: Record<TelemetrySignal, number> = { traces: 0, metrics: 0 };
  private counter: Counter | undefined;
  private meterProvider: MeterProvider | undefined;
  private reported = false;

  /** Where the counter lives (the hook's own MeterProvider); until set, only the totals are kept. */
  useMeterProvider(meterProvider: MeterProvider | undefined): void {
    this.meterProvider = meterProvider;
    this.counter = undefined;
  }

  /** Records `count` items of `signal` dropped for `reason`. */
  drop(signal: TelemetrySignal, reason: DropReason, count: number): void {
    if (!(count > 0)) return;
    this.totals[signal] += count;
    try {
      this.counter ??= this.meterProvider?.getMeter('@tokenomics/node').createCounter(TOKENOMICS_TELEMETRY_DROPPED.name, {
        description: TOKENOMICS_TELEMETRY_DROPPED.description,
        unit: TOKENOMICS_TELEMETRY_DROPPED.unit,
      });
      this.counter?.add(count, { [ATTR_TELEMETRY_SIGNAL]: signal, [ATTR_TELEMETRY_DROP_REASON]: reason });
    } catch {
      // Counting must never fail an export.
    }
    this.reportOnce();
  }

  /** Says once per process, through `diag`, that telemetry is being dropped. */
  reportOnce(): void {
    if (this.reported) return;
    this.reported = true;
    diag.warn(
      '@tokenomics/node: telemetry is being dropped (the backend refused, failed or did not answer); ' +
        `counted in ${METRIC_TELEMETRY_DROPPED}, totals in the message at exit. This is reported once.`,
    );
  }

  /** Spans and metric data points dropped so far. */
  dropped(): Readonly<Record<TelemetrySignal, number>> {
    return { ...this.totals };
  }
}

/** The ledger of this process (shared by every start). */
export const deliveryLedger = new DeliveryLedger();

/** Exports failed in a row after which sending pauses. */
export const FAILURES_BEFORE_PAUSE = 3;
/** First pause after {@link FAILURES_BEFORE_PAUSE} failures; doubled after each failed probe. */
export const INITIAL_PAUSE_MILLIS = 5_000;
/** Longest pause. */
export const MAX_PAUSE_MILLIS = 60_000;

/**
 * Stops sending to a backend that keeps failing: after {@link FAILURES_BEFORE_PAUSE} failed
 * exports in a row, batches are dropped at once (counted as `backend_unavailable`) for a pause of
 * {@link INITIAL_PAUSE_MILLIS}; the first batch after the pause is sent as a probe. A probe that
 * succeeds ends the pauses; one that fails doubles the pause, up to {@link MAX_PAUSE_MILLIS}. A dead
 * backend then costs the app neither the serialisation nor the connection attempts and retries of
 * every batch. Metrics are cumulative, so the first export after the backend is back carries every
 * total.
 */
export class BackendPause {
  private failures = 0;
  private pausedUntil = 0;
  private pause: number;
  private probing = false;

  constructor(
    private readonly initialPauseMillis = INITIAL_PAUSE_MILLIS,
    private readonly maxPauseMillis = MAX_PAUSE_MILLIS,
    private readonly now: () => number = Date.now,
  ) {
    this.pause = initialPauseMillis;
  }

  /** Whether a batch may be sent now (a probe while one is out is not). */
  admits(): boolean {
    if (this.failures < FAILURES_BEFORE_PAUSE) return true;
    if (this.probing || this.now() < this.pausedUntil) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.probing = false;
    this.pause = this.initialPauseMillis;
  }

  failed(): void {
    const wasProbe = this.probing;
    this.probing = false;
    this.failures++;
    if (this.failures < FAILURES_BEFORE_PAUSE) return;
    if (wasProbe) this.pause = Math.min(this.pause * 2, this.maxPauseMillis);
    this.pausedUntil = this.now() + this.pause;
  }
}

/**
 * Longest that waiting for the exports in flight holds the process open: the OTLP exporters'
 * default timeout, by which an export in flight has settled.
 */
export const FLUSH_HOLD_MILLIS = 10_000;
let flushHoldsAllowed = true;
const flushHolds = new Set<ReturnType<typeof setTimeout>>();

function noop(): void {}

/**
 * The exports' sockets and retry timers never hold the process open, so an app awaiting
 * `forceFlush()` of a global provider, with nothing else to keep the event loop alive, would see
 * the process end before its flush resumed it. While `wait` runs, a timer holds the process, for
 * at most {@link FLUSH_HOLD_MILLIS}, as the SDK's own exporters hold it with their sockets.
 */
async function holdingProcess<T>(wait: () => Promise<T>): Promise<T> {
  if (!flushHoldsAllowed) return wait();
  const hold = setTimeout(noop, FLUSH_HOLD_MILLIS);
  flushHolds.add(hold);
  try {
    return await wait();
  } finally {
    clearTimeout(hold);
    flushHolds.delete(hold);
  }
}

/**
 * A bounded flush reached its bound: the flushes still waiting for the exports in flight no longer
 * hold the process open.
 */
export function releaseFlushHolds(): void {
  for (const hold of flushHolds) hold.unref();
  flushHolds.clear();
}

/**
 * The flush at exit or on a signal has its own bound: from then on, waiting for the exports in
 * flight holds nothing, and the holds of flushes still waiting are released.
 */
export function stopFlushHolds(): void {
  flushHoldsAllowed = false;
  releaseFlushHolds();
}

interface Exporter<T> {
  export(batch: T, resultCallback: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Hands batches to `inner` without making the caller wait for the backend: the caller's callback
 * is answered at once (the batch is accepted), the export goes on in the background, at most
 * `maxInFlight` at a time; a batch beyond that, and a failed export, are counted as dropped.
 * `forceFlush()` and `shutdown()` wait for the exports in flight, holding the process meanwhile
 * (at most {@link FLUSH_HOLD_MILLIS}, and not at exit, whose flush has its own bound).
 *
 * The SDK's batch span processor and periodic metric reader each hold a timer open while they
 * wait for an export; answering at once keeps those timers from holding the process open while a
 * dead backend is retried.
 */
class BackgroundExport<T> {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly inner: Exporter<T>,
    private readonly signal: TelemetrySignal,
    private readonly maxInFlight: number,
    private readonly size: (batch: T) => number,
    private readonly ledger: DeliveryLedger,
    private readonly pause: BackendPause,
  ) {}

  export(batch: T, resultCallback: (result: ExportResult) => void): void {
    try {
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (err) {
      diag.error('@tokenomics/node: export result callback threw', err);
    }
    // Counted now, so that waiting for the backend does not keep the batch itself reachable from here.
    const size = this.size(batch);
    if (this.inFlight.size >= this.maxInFlight) {
      this.ledger.drop(this.signal, 'in_flight_limit', size);
      return;
    }
    if (!this.pause.admits()) {
      this.ledger.drop(this.signal, 'backend_unavailable', size);
      return;
    }
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.inFlight.add(done);
    let called = false;
    const onResult = (result: ExportResult) => {
      if (called) return;
      called = true;
      if (result.code === ExportResultCode.SUCCESS) this.pause.succeeded();
      else {
        this.pause.failed();
        this.ledger.drop(this.signal, 'export_failed', size);
      }
      this.inFlight.delete(done);
      settle();
    };
    try {
      this.inner.export(batch, onResult);
    } catch (err) {
      diag.error(`@tokenomics/node: ${this.signal} exporter threw from export()`, err);
      onResult({ code: ExportResultCode.FAILED });
    }
  }

  /** Waits for the exports in flight, then flushes `inner`; the process is held meanwhile (see {@link holdingProcess}). */
  forceFlush(): Promise<void> {
    return holdingProcess(async () => {
      await Promise.all(this.inFlight);
      await this.inner.forceFlush?.();
    });
  }

  shutdown(): Promise<void> {
    return holdingProcess(async () => {
      await Promise.all(this.inFlight);
      await this.inner.shutdown();
    });
  }
}

/** Most span batches exported at once (a flush of a full queue is four batches). */
export const MAX_SPAN_EXPORTS_IN_FLIGHT = 6;
/** Most metric exports waiting for the backend at once. */
export const MAX_METRIC_EXPORTS_IN_FLIGHT = 3;

/** {@link BackgroundExport} for spans. */
export function backgroundSpanExporter(
  inner: SpanExporter,
  ledger: DeliveryLedger = deliveryLedger,
  maxInFlight = MAX_SPAN_EXPORTS_IN_FLIGHT,
  pause: BackendPause = new BackendPause(),
): SpanExporter {
  return new BackgroundExport<ReadableSpan[]>(inner, 'traces', maxInFlight, (spans) => spans.length, ledger, pause);
}

/** {@link BackgroundExport} for metrics; temporality and aggregation are `inner`'s. */
export function backgroundMetricExporter(
  inner: PushMetricExporter,
  ledger: DeliveryLedger = deliveryLedger,
  maxInFlight = MAX_METRIC_EXPORTS_IN_FLIGHT,
  pause: BackendPause = new BackendPause(),
): PushMetricExporter {
  const background = new BackgroundExport<ResourceMetrics>(inner, 'metrics', maxInFlight, countDataPoints, ledger, pause);
  const exporter: PushMetricExporter = {
    export: (metrics, resultCallback) => background.export(metrics, resultCallback),
    forceFlush: () => background.forceFlush(),
    shutdown: () => background.shutdown(),
  };
  if (inner.selectAggregationTemporality) exporter.selectAggregationTemporality = (type) => inner.selectAggregationTemporality!(type);
  if (inner.selectAggregation) exporter.selectAggregation = (type) => inner.selectAggregation!(type);
  return exporter;
}

function countDataPoints(metrics: ResourceMetrics): number {
  let points = 0;
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) points += metric.dataPoints.length;
  return points;
}
