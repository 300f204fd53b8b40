import { context, diag, DiagConsoleLogger, metrics, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { MeterProvider, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createInstrumentations, waitForPendingEstimates, type TokenomicsInstrumentationConfig } from '@tokenomics/instrumentation';
import type { PriceBook } from '@tokenomics/pricing';
import { readConfig, type NodeConfig } from './config';
import { redactUrl, type Env } from './env-reader';
import { deliveryLedger } from './delivery';
import { boundedFlush, DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS, installExitFlush } from './exit-flush';
import { registeredGlobals, type RegisteredGlobals } from './global-providers';
import { metricReadersFor } from './metric-readers';
import { applyPriceBook } from './price-book';
import { checkProviderHostsOption } from './provider-hosts';
import { buildResource } from './resource';
import { costEnrichingBatchProcessor, spanProcessorsFor } from './trace-exporters';

/** Options of {@link start}. Anything given here wins over the environment. */
export interface StartOptions {
  /** `service.name`; wins over `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** Resource attributes added to (and winning over) `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Attributes;
  /** Instrumentation settings, merged over those from `TOKENOMICS_*` variables. */
  instrumentationConfig?: TokenomicsInstrumentationConfig;
  /** More instrumentations to register next to Tokenomics' own (e.g. HTTP). */
  instrumentations?: Instrumentation[];
  /**
   * Where spans go, instead of the exporters `OTEL_TRACES_EXPORTER` names. It is wrapped in
   * `CostEnrichingSpanExporter` and batched, like the OTLP exporter.
   */
  traceExporter?: SpanExporter;
  /** Span processors added as they are (after the one for `traceExporter`, if any). */
  spanProcessors?: SpanProcessor[];
  /** Metric readers, instead of the ones `OTEL_METRICS_EXPORTER` names. */
  metricReaders?: IMetricReader[];
  /** Price book for cost, instead of `TOKENOMICS_PRICES_FILE` / `TOKENOMICS_PRICE_OVERRIDES`. */
  priceBook?: PriceBook;
  /** Environment to read configuration from; default `process.env`. */
  env?: Env;
  /** Flush on `beforeExit`, `SIGTERM` and `SIGINT` (see the README). Default true. */
  flushOnExit?: boolean;
  /** Bound on the flush at exit or on a signal, in ms. Default 2000. */
  exitFlushTimeoutMillis?: number;
}

/**
 * How Tokenomics is running: `sdk` — it started its own OpenTelemetry SDK; `existing-sdk` — the app
 * had already registered one, so only the instrumentations were registered against it;
 * `disabled` — `OTEL_SDK_DISABLED=true`, nothing runs.
 */
export type StartMode = 'sdk' | 'existing-sdk' | 'disabled';

/** What {@link start} returns. */
export interface TokenomicsHandle {
  readonly mode: StartMode;
  /** The instrumentations registered (empty when disabled). */
  readonly instrumentations: readonly Instrumentation[];
  /**
   * Exports everything recorded so far (no-op unless `mode` is `sdk`). Resolves when the exports
   * are done or after the exit-flush bound (`exitFlushTimeoutMillis`, default 2 s), whichever is
   * first; never rejects.
   */
  forceFlush(): Promise<void>;
  /**
   * Flushes and stops: removes the exit listeners, disables the instrumentations, shuts the
   * providers down and unregisters the globals this start registered. `start()` may be called again.
   * Waiting for the backend is bounded like {@link TokenomicsHandle.forceFlush}.
   */
  shutdown(): Promise<void>;
}

const HANDLE = Symbol.for('tokenomics.node.handle');

/** The handle of the Tokenomics start in this process, if any (shared by every copy of this package). */
export function currentHandle(): TokenomicsHandle | undefined {
  return (globalThis as Record<symbol, TokenomicsHandle | undefined>)[HANDLE];
}

function setCurrentHandle(handle: TokenomicsHandle | undefined): void {
  (globalThis as Record<symbol, TokenomicsHandle | undefined>)[HANDLE] = handle;
}

/**
 * Starts Tokenomics in code: reads the `OTEL_*` / `TOKENOMICS_*` configuration (see the README),
 * applies `options` over it, loads the price book, starts an OpenTelemetry SDK (unless the app
 * already registered one) and registers the Tokenomics instrumentations.
 *
 * Call it before the app loads its LLM client libraries. Only one start is active per process:
 * later calls return the first handle. Throws `ConfigError` on bad configuration.
 *
 * @example
 * const tokenomics = start({ serviceName: 'checkout' });
 * // ...
 * await tokenomics.shutdown();
 */
export function start(options: StartOptions = {}): TokenomicsHandle {
  const running = currentHandle();
  if (running) {
    if (Object.keys(options).length > 0) diag.warn('@tokenomics/node: already started; the options of this start() are ignored');
    return running;
  }
  return startWithConfig(readConfig(options.env ?? process.env), options);
}

/** {@link start} with a configuration already read (used by the register hook). */
export function startWithConfig(config: NodeConfig, options: StartOptions = {}): TokenomicsHandle {
  const running = currentHandle();
  if (running) return running;

  if (config.logLevel !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: config.logLevel, suppressOverrideMessage: true });
  }
  if (config.disabled) {
    diag.info('@tokenomics/node: OTEL_SDK_DISABLED=true; not starting');
    return remember(disabledHandle());
  }

  checkProviderHostsOption(options.instrumentationConfig);
  applyPriceBook(options.env ?? process.env, options.priceBook);
  const instrumentationConfig = { ...config.instrumentation, ...options.instrumentationConfig };
  const found = registeredGlobals();
  if (found.trace || found.metrics) return remember(attachToExistingSdk(found, instrumentationConfig, options));
  return remember(startSdk(config, instrumentationConfig, options, found));
}

function remember(handle: TokenomicsHandle): TokenomicsHandle {
  setCurrentHandle(handle);
  return handle;
}

function forget(handle: TokenomicsHandle): void {
  if (currentHandle() === handle) setCurrentHandle(undefined);
}

function disabledHandle(): TokenomicsHandle {
  const handle: TokenomicsHandle = {
    mode: 'disabled',
    instrumentations: [],
    forceFlush: async () => {},
    shutdown: async () => forget(handle),
  };
  return handle;
}

function attachToExistingSdk(
  found: RegisteredGlobals,
  instrumentationConfig: TokenomicsInstrumentationConfig,
  options: StartOptions,
): TokenomicsHandle {
  const instrumentations = [...createInstrumentations(instrumentationConfig), ...(options.instrumentations ?? [])];
  const unregister = registerInstrumentations({
    instrumentations,
    tracerProvider: trace.getTracerProvider(),
    meterProvider: metrics.getMeterProvider(),
  });
  const which = [found.trace ? 'TracerProvider' : '', found.metrics ? 'MeterProvider' : ''].filter(Boolean).join(' and ');
  diag.info(
    `@tokenomics/node: an OpenTelemetry SDK is already registered (global ${which}); not starting another. ` +
      "Tokenomics instrumentations were registered against the existing providers; exporters, resource and flushing stay the app's.",
  );
  const handle: TokenomicsHandle = {
    mode: 'existing-sdk',
    instrumentations,
    forceFlush: async () => {},
    shutdown: async () => {
      unregister();
      forget(handle);
    },
  };
  return handle;
}

function startSdk(
  config: NodeConfig,
  instrumentationConfig: TokenomicsInstrumentationConfig,
  options: StartOptions,
  found: RegisteredGlobals,
): TokenomicsHandle {
  const resource = buildResource({
    envAttributes: config.resourceAttributes,
    envServiceName: config.serviceName,
    attributes: options.resourceAttributes,
    serviceName: options.serviceName,
  });

  const spanProcessors = [
    ...(options.traceExporter
      ? [costEnrichingBatchProcessor(options.traceExporter)]
      : options.spanProcessors
        ? []
        : spanProcessorsFor(config.traces.exporters, config.traces.otlp)),
    ...(options.spanProcessors ?? []),
  ];
  const readers = options.metricReaders ?? metricReadersFor(config.metrics.exporters, config.metrics);

  const tracerProvider = spanProcessors.length > 0 ? new BasicTracerProvider({ resource, spanProcessors }) : undefined;
  const meterProvider = readers.length > 0 ? new MeterProvider({ resource, readers }) : undefined;
  deliveryLedger.useMeterProvider(meterProvider);

  // Register globals only where nothing is registered yet (checked by the caller for trace and metrics).
  const registered = { trace: false, metrics: false, context: false, propagation: false };
  if (!found.context) {
    registered.context = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  if (!found.propagation) {
    registered.propagation = propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
  }
  if (tracerProvider) registered.trace = trace.setGlobalTracerProvider(tracerProvider);
  if (meterProvider) registered.metrics = metrics.setGlobalMeterProvider(meterProvider);

  const instrumentations = [...createInstrumentations(instrumentationConfig), ...(options.instrumentations ?? [])];
  const unregister = registerInstrumentations({
    instrumentations,
    tracerProvider: trace.getTracerProvider(),
    meterProvider: metrics.getMeterProvider(),
  });

  const forceFlush = async (appDone = false) => {
    // Calls whose usage the token worker is counting end their spans first, within half the bound;
    // when the app is done, what the worker has not counted by then is counted here.
    await waitForPendingEstimates(flushBound / 2, { appDone });
    await Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush()]);
  };
  const flushBound = options.exitFlushTimeoutMillis ?? DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS;
  const uninstallExitFlush = options.flushOnExit === false ? () => {} : installExitFlush(forceFlush, flushBound);

  diag.info(`@tokenomics/node: started; ${describeOutputs(config, options, spanProcessors.length, readers.length)}`);

  let stopping: Promise<void> | undefined;
  const handle: TokenomicsHandle = {
    mode: 'sdk',
    instrumentations,
    forceFlush: () => boundedFlush(() => forceFlush(false), flushBound, true),
    shutdown: () =>
      (stopping ??= (async () => {
        uninstallExitFlush();
        unregister();
        await boundedFlush(
          async () => {
            await waitForPendingEstimates(flushBound / 2);
            await Promise.all([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
          },
          flushBound,
          true,
        );
        if (meterProvider) deliveryLedger.useMeterProvider(undefined);
        if (registered.trace) trace.disable();
        if (registered.metrics) metrics.disable();
        if (registered.propagation) propagation.disable();
        if (registered.context) context.disable();
        forget(handle);
      })()),
  };
  return handle;
}

function describeOutputs(config: NodeConfig, options: StartOptions, spanProcessors: number, readers: number): string {
  const traces =
    options.traceExporter || options.spanProcessors
      ? `${spanProcessors} span processor(s) from code`
      : config.traces.exporters.length === 0
        ? 'not exported'
        : config.traces.exporters
            .map((e) => (e === 'otlp' ? `otlp (${config.traces.otlp.protocol} to ${redactUrl(config.traces.otlp.url)})` : e))
            .join(', ');
  const metricOutputs = options.metricReaders
    ? `${readers} metric reader(s) from code`
    : config.metrics.exporters.length === 0
      ? 'not exported'
      : config.metrics.exporters
          .map((e) =>
            e === 'otlp'
              ? `otlp (${config.metrics.otlp.protocol} to ${redactUrl(config.metrics.otlp.url)} every ${config.metrics.exportIntervalMillis} ms)`
              : e === 'prometheus'
                ? `prometheus (http://${config.metrics.prometheus.host}:${config.metrics.prometheus.port}/metrics)`
                : e,
          )
          .join(', ');
  return `traces: ${traces}; metrics: ${metricOutputs}`;
}
