/**
 * The collector stage: OTLP in (HTTP and gRPC), GenAI spans and token-usage histograms priced with
 * the exporter's enrichment, OTLP/HTTP protobuf out through a bounded queue.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { SpanCostEnricher, TokenUsageCost, DEFAULT_DEDUPE_CAPACITY, DEFAULT_MAX_METRIC_STREAMS } from '@tokenomics/exporter';
import { TOKENOMICS_SCOPE_PREFIX } from './names';
import { CostMetrics, DEFAULT_MAX_COST_SERIES } from './cost-metrics';
import { countTally } from './cost-tally';
import { Forwarder, type DestinationOptions, type RetryOptions } from './forwarder';
import { GrpcReceiver } from './grpc-receiver';
import { HttpReceiver } from './http-receiver';
import { MetricsEnricher } from './metrics-enrichment';
import { PriceBookHolder, type PriceBookSource } from './price-book-holder';
import { CollectorStats, type Signal } from './stats';
import { TelemetryServer } from './telemetry-server';
import { enrichTraces, type TraceEnrichment } from './trace-enrichment';
import { fieldsOf, readerOf } from './wire';
import { PACKAGE_NAME } from './version';
import { routeTraces, type TraceRoute } from './trace-routing';
import { EnrichPool, type WorkResult } from './worker-pool';

/** A `host:port` listen address. */
export interface ListenAddress {
  host: string;
  /** 0 lets the operating system choose (see {@link TokenomicsCollector.addresses}). */
  port: number;
}

/** Options of {@link TokenomicsCollector}. */
export interface CollectorOptions {
  /** OTLP/HTTP receiver address; default 127.0.0.1:4318. `null` turns it off. */
  http?: ListenAddress | null | undefined;
  /** OTLP/gRPC receiver address; default off (the CLI's config turns it on at 4317). */
  grpc?: ListenAddress | null | undefined;
  /** Health (`/health`) and Prometheus (`/metrics`) endpoint for the stage's own metrics; default off. */
  telemetry?: ListenAddress | null | undefined;
  /** Where to forward; at least one. */
  destinations: readonly DestinationOptions[];
  /** Memory limit of each destination's queue, bytes. Default 64 MiB. */
  queueMemoryLimitBytes?: number | undefined;
  /** Largest request accepted (compressed and decompressed), bytes. Default 16 MiB. */
  maxRequestBytes?: number | undefined;
  /** Retry schedule of the forwarder. */
  retry?: RetryOptions | undefined;
  /** Price book files; default the bundled book. */
  priceBook?: PriceBookSource | undefined;
  /** How often the cost metrics of priced spans are sent, milliseconds. Default 10 000. */
  metricsIntervalMs?: number | undefined;
  /** How long shutdown waits for the queue to drain, milliseconds. Default 10 000. */
  shutdownTimeoutMs?: number | undefined;
  /** Seconds a refused sender is told to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number | undefined;
  /**
   * Where a service's cost counters come from, so that each call is counted once: `spans` (the
   * default) counts the GenAI spans the stage prices and forwards `gen_ai.client.token.usage`
   * histograms as they came; `histograms` converts the histograms into cost counters and prices
   * the spans without counting them. Choose `histograms` for a service whose traces are sampled
   * before the stage (cost counters must not depend on trace sampling).
   */
  costMetricsFrom?: CostMetricsSource | undefined;
  /** Per `service.name`, the source when it differs from {@link CollectorOptions.costMetricsFrom}. */
  costMetricsFromServices?: Readonly<Record<string, CostMetricsSource>> | undefined;
  /**
   * This replica's identity, sent as `service.instance.id` on the cost counters it emits (replicas
   * behind one gateway send distinct series). Default `<hostname>-<pid>`.
   */
  instanceId?: string | undefined;
  /**
   * Worker threads that do the CPU work of requests (pricing spans, converting histograms, checking
   * log framing), so that the stage uses several cores; the main thread receives, queues and
   * forwards. `0` (the default here) does the work in the main thread. The CLI and the YAML
   * configuration default to {@link defaultWorkerCount}. Needs the built package (`dist/`).
   */
  workers?: number | undefined;
}

/** Most workers the CLI starts by default. */
export const MAX_DEFAULT_WORKERS = 4;

/**
 * The default number of workers of `tokenomics collector`: one fewer than the cores the process may
 * use (the main thread receives, routes and forwards, about a fifth of the CPU of a GenAI span), at
 * most 4; none on one core. The cores are those Node.js reports, capped by the container's CPU limit
 * (cgroup quota) when there is one.
 */
export function defaultWorkerCount(): number {
  const cores = Math.min(availableParallelism(), cgroupCpuLimit() ?? Infinity);
  return Math.max(0, Math.min(cores - 1, MAX_DEFAULT_WORKERS));
}

/**
 * Whole CPUs allowed by the cgroup CPU quota of this process (v2 `cpu.max`, v1
 * `cpu.cfs_quota_us`), at least 1; `undefined` without a quota or when it cannot be read.
 */
export function cgroupCpuLimit(root = '/sys/fs/cgroup'): number | undefined {
  const read = (file: string) => {
    try {
      return readFileSync(join(root, file), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  let quota: number;
  let period: number;
  const v2 = read('cpu.max');
  if (v2 !== undefined) {
    const [q, p] = v2.split(/\s+/);
    quota = Number(q);
    period = Number(p);
  } else {
    quota = Number(read('cpu/cpu.cfs_quota_us'));
    period = Number(read('cpu/cpu.cfs_period_us'));
  }
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return Math.max(1, Math.floor(quota / period));
}

/** Where a service's cost counters come from: its GenAI spans or its token-usage histograms. */
export type CostMetricsSource = 'spans' | 'histograms';

/** Result of offering one request to the stage. */
export type AcceptResult =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'full'; readonly retryAfterSeconds: number }
  /** A worker failed while it held the request: nothing was queued; the sender may retry. */
  | { readonly kind: 'unavailable'; readonly reason: string; readonly retryAfterSeconds: number }
  | { readonly kind: 'stopping' };

/** Defaults. */
export const DEFAULT_QUEUE_MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * The collector stage. `start()` opens the receivers; `shutdown()` closes them, sends the last cost
 * metrics and drains the queue within the timeout; `reloadPriceBook()` swaps the price book in place.
 */
export class TokenomicsCollector {
  /** The stage's own counters. */
  readonly stats = new CollectorStats();
  private readonly priceBook: PriceBookHolder;
  private readonly spans: SpanCostEnricher;
  private readonly metrics: MetricsEnricher;
  private readonly costMetrics: CostMetrics;
  private readonly costSources: ReadonlyMap<string, CostMetricsSource>;
  private readonly defaultCostSource: CostMetricsSource;
  private readonly forwarder: Forwarder;
  private readonly http: HttpReceiver | undefined;
  private readonly grpc: GrpcReceiver | undefined;
  private readonly telemetry: TelemetryServer | undefined;
  private readonly pool: EnrichPool | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;

  /** Builds the stage and loads the price book (throws `PriceFileError` on a bad price file). */
  constructor(readonly options: CollectorOptions) {
    if (options.destinations.length === 0) throw new Error(`${PACKAGE_NAME}: at least one destination is needed`);
    this.priceBook = new PriceBookHolder(options.priceBook);
    this.spans = new SpanCostEnricher({ priceBook: this.priceBook, dedupeCapacity: DEFAULT_DEDUPE_CAPACITY });
    this.defaultCostSource = options.costMetricsFrom ?? 'spans';
    this.costSources = new Map(Object.entries(options.costMetricsFromServices ?? {}));
    this.costMetrics = new CostMetrics(DEFAULT_MAX_COST_SERIES, options.instanceId ?? `${hostname()}-${process.pid}`);
    const cost = new TokenUsageCost(
      () => this.priceBook,
      (scope) => !scope.name.startsWith(TOKENOMICS_SCOPE_PREFIX),
      DEFAULT_MAX_METRIC_STREAMS,
    );
    this.metrics = new MetricsEnricher(cost, (service) => this.costSourceOf(service) === 'histograms');
    this.forwarder = new Forwarder(
      options.destinations,
      options.retry ?? {},
      options.queueMemoryLimitBytes ?? DEFAULT_QUEUE_MEMORY_LIMIT_BYTES,
      this.stats,
    );
    const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    const http = options.http === undefined ? { host: '127.0.0.1', port: 4318 } : options.http;
    // Bodies being read are capped like the queue, and never below one largest request.
    const maxInFlight = Math.max(maxRequestBytes, options.queueMemoryLimitBytes ?? DEFAULT_QUEUE_MEMORY_LIMIT_BYTES);
    if (http !== null) this.http = new HttpReceiver(this, http, maxRequestBytes, maxInFlight);
    if (options.grpc) this.grpc = new GrpcReceiver(this, options.grpc, maxRequestBytes);
    if (options.telemetry) this.telemetry = new TelemetryServer(this, options.telemetry);
    const workers = options.workers ?? 0;
    if (!Number.isInteger(workers) || workers < 0)
      throw new Error(`${PACKAGE_NAME}: workers must be a whole number from 0, not ${workers}`);
    if (workers > 0) {
      this.pool = new EnrichPool(workers, {
        priceBook: options.priceBook,
        costMetricsFrom: options.costMetricsFrom,
        costMetricsFromServices: options.costMetricsFromServices,
      });
    }
  }

  /** Number of worker threads doing the CPU work of requests (0: the main thread does it). */
  get workerCount(): number {
    return this.pool?.size ?? 0;
  }

  /** Enrichment worker threads replaced after they died (0 without workers). */
  get workerRestarts(): number {
    return this.pool?.restarts ?? 0;
  }

  /** The worker pool, for fault tests. @internal */
  get enrichPool(): EnrichPool | undefined {
    return this.pool;
  }

  /** Opens the receivers and starts the cost-metrics timer. */
  async start(): Promise<void> {
    try {
      await Promise.all([this.http?.start(), this.grpc?.start(), this.telemetry?.start()]);
    } catch (err) {
      await Promise.all([this.http?.stop(), this.grpc?.stop(), this.telemetry?.stop(), this.pool?.close()]);
      throw err;
    }
    const interval = this.options.metricsIntervalMs ?? 10_000;
    this.metricsTimer = setInterval(() => this.flushCostMetrics(), interval);
    this.metricsTimer.unref();
  }

  /** Where the cost counters of `service` come from. */
  costSourceOf(service: string | undefined): CostMetricsSource {
    return (service !== undefined ? this.costSources.get(service) : undefined) ?? this.defaultCostSource;
  }

  /** Bound addresses (useful with port 0). */
  get addresses(): { http?: string; grpc?: string; telemetry?: string } {
    const out: { http?: string; grpc?: string; telemetry?: string } = {};
    if (this.http?.address) out.http = this.http.address;
    if (this.grpc?.address) out.grpc = this.grpc.address;
    if (this.telemetry?.address) out.telemetry = this.telemetry.address;
    return out;
  }

  /** Bytes held by the fullest destination queue. */
  get queueBytes(): number {
    return this.forwarder.heldBytes;
  }

  /** Version of the price book in use. */
  get priceBookVersion(): string {
    return this.priceBook.version;
  }

  /** Whether the stage is shutting down. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Loads the price book files again and uses them for the next request; the old book stays on error. */
  reloadPriceBook(): Error | undefined {
    // Checked here first: workers load the files only once they are known good.
    const error = this.priceBook.reload();
    if (error === undefined) this.pool?.reload();
    return error;
  }

  /**
   * Offer one OTLP export request (protobuf bytes), doing its work in the calling thread (with the
   * main thread's enrichers, even when the stage has workers; the receivers use {@link submit}).
   * Never throws: malformed input is reported, a full queue is reported for backpressure.
   */
  accept(signal: Signal, body: Uint8Array): AcceptResult {
    if (this.stopping) return { kind: 'stopping' };
    // Check for room before the work: a sender told to back off should not cost CPU.
    if (!this.hasRoomFor(body.length)) return this.refuse();
    let processed: { bytes: Uint8Array; traces?: TraceEnrichment };
    try {
      processed = this.process(signal, body);
    } catch (err) {
      this.stats.invalid++;
      return { kind: 'malformed', reason: `malformed OTLP ${signal} protobuf: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!this.forwarder.offer(signal, processed.bytes)) return this.refuse();
    this.stats.requests[signal]++;
    // Counted once accepted: a refused request comes again, and its calls must not count twice.
    if (processed.traces !== undefined) this.countTraces(processed.traces);
    return { kind: 'accepted' };
  }

  /**
   * Offer one OTLP export request (protobuf bytes), doing its CPU work on a worker thread when the
   * stage has workers (in the main thread otherwise, as {@link accept}). The bytes are handed to the
   * worker: the caller must not use `body` afterwards. Never rejects. The request's bytes count
   * against the queue's memory limit from here until the worker is done (a sender is refused when
   * they do not fit), so memory stays bounded however many requests wait for a worker.
   */
  async submit(signal: Signal, body: Uint8Array): Promise<AcceptResult> {
    const pool = this.pool;
    if (pool === undefined) return this.accept(signal, body);
    if (this.stopping) return { kind: 'stopping' };
    const size = body.length;
    if (!this.forwarder.reserve(size)) return this.refuse();
    let results: WorkResult[];
    try {
      let route: TraceRoute = { kind: 'whole', worker: undefined };
      try {
        if (signal === 'traces') route = routeTraces(body, pool.size);
      } catch (err) {
        this.stats.invalid++;
        return { kind: 'malformed', reason: `malformed OTLP ${signal} protobuf: ${err instanceof Error ? err.message : String(err)}` };
      }
      results =
        route.kind === 'whole'
          ? [await pool.run(signal, body, route.worker)]
          : await Promise.all(route.parts.map((part) => pool.run(signal, part.bytes, part.worker)));
    } finally {
      this.forwarder.release(size);
    }
    const done: Extract<WorkResult, { kind: 'done' }>[] = [];
    for (const result of results) {
      switch (result.kind) {
        case 'malformed':
          this.stats.invalid++;
          return { kind: 'malformed', reason: `malformed OTLP ${signal} protobuf: ${result.reason}` };
        case 'failed':
          this.stats.failed++;
          return { kind: 'unavailable', reason: result.reason, retryAfterSeconds: this.retryAfterSeconds };
        case 'done':
          done.push(result);
      }
    }
    // The parts of a request cut by trace go on as one request, in the order they were cut (sent
    // one after the other: two encoded requests one after the other are one request).
    if (!this.forwarder.offer(signal, done.length === 1 ? done[0].bytes : done.map((d) => d.bytes))) return this.refuse();
    this.stats.requests[signal]++;
    for (const result of done) {
      this.stats.tokenUsagePoints += result.points;
      this.stats.spans += result.spans;
      this.stats.enriched += result.enriched;
      this.stats.unpriced += result.unpriced;
      this.stats.duplicates += result.duplicates;
      if (result.tally === undefined) continue;
      try {
        countTally(result.tally, this.costMetrics, (service) => this.costSourceOf(service) === 'spans');
      } catch (err) {
        diag.error(`${PACKAGE_NAME}: counting cost metrics failed`, err);
      }
    }
    return { kind: 'accepted' };
  }

  /** Whether every destination's queue has room for `bytes` more. */
  hasRoomFor(bytes: number): boolean {
    for (const d of this.forwarder.destinations) if (!d.hasRoom(bytes)) return false;
    return true;
  }

  /** Seconds a refused sender is told to wait. */
  get retryAfterSeconds(): number {
    return this.options.retryAfterSeconds ?? 1;
  }

  private refuse(): AcceptResult {
    this.stats.refused++;
    return { kind: 'full', retryAfterSeconds: this.retryAfterSeconds };
  }

  private process(signal: Signal, body: Uint8Array): { bytes: Uint8Array; traces?: TraceEnrichment } {
    if (signal === 'traces') {
      const traces = enrichTraces(body, this.spans);
      return { bytes: traces.bytes, traces };
    }
    if (signal === 'metrics') {
      const result = this.metrics.enrich(body);
      this.stats.tokenUsagePoints += result.points;
      return { bytes: result.bytes };
    }
    // Logs pass through; the framing is checked so that garbage is refused here, not downstream.
    fieldsOf(readerOf(body), 0, body.length);
    return { bytes: body };
  }

  private countTraces(result: TraceEnrichment): void {
    this.stats.spans += result.spans;
    this.stats.enriched += result.enriched;
    this.stats.unpriced += result.unpriced;
    this.stats.duplicates += result.duplicates;
    try {
      // A service whose cost counters come from its histograms is counted there, not here.
      for (const p of result.priced) if (this.costSourceOf(p.serviceName) === 'spans') this.costMetrics.addPriced(p);
      for (const u of result.unpricedCalls) if (this.costSourceOf(u.serviceName) === 'spans') this.costMetrics.addUnpriced(u);
    } catch (err) {
      diag.error(`${PACKAGE_NAME}: counting cost metrics failed`, err);
    }
  }

  /** Sends the cost metrics of the spans priced so far (cumulative) into the metrics stream. */
  flushCostMetrics(): void {
    try {
      const request = this.costMetrics.flush();
      if (request !== undefined && !this.forwarder.offer('metrics', request)) {
        // The queue is full: the counters are cumulative, so the next flush carries these values.
        this.costMetrics.markDirty();
      }
    } catch (err) {
      diag.error(`${PACKAGE_NAME}: sending cost metrics failed`, err);
    }
  }

  /** Closes the receivers, sends the last cost metrics and drains the queue within the timeout. */
  shutdown(): Promise<void> {
    this.stopped ??= this.doShutdown();
    return this.stopped;
  }

  private async doShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.metricsTimer);
    await Promise.all([this.http?.stop(), this.grpc?.stop()]);
    // Requests in the workers are finished and queued before the queue drains (within the timeout:
    // what a stuck worker still holds is answered 503 when the pool closes).
    const timeoutMs = this.options.shutdownTimeoutMs ?? 10_000;
    if (this.pool !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.pool.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.flushCostMetrics();
    await this.forwarder.drain(timeoutMs);
    await this.pool?.close();
    await this.telemetry?.stop();
  }
}
