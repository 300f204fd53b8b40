import { diag, DiagConsoleLogger, metrics, trace, type Attributes, type ProxyTracerProvider } from '@opentelemetry/api';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { sep } from 'node:path';
import {
  attachCallMetrics,
  CallMetrics,
  DEFAULT_BAGGAGE_KEYS,
  INSTRUMENTED_MODULES,
  InstrumentationLoader,
  setAttributionPropagation,
  setBaggageAttributionKeys,
  setBudgetGuard,
  waitForPendingEstimates,
  type BudgetsConfig,
  type TokenomicsInstrumentationConfig,
} from '@tokenomics/instrumentation/hook';
import type { PriceBook } from '@tokenomics/pricing/price-book';
import { readConfig, type NodeConfig } from './config';
import { redactUrl, type Env } from './env-reader';
import { deliveryLedger, stopFlushHolds } from './delivery';
import { boundedFlush, DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS, installExitFlush } from './exit-flush';
import { GLOBAL_SIGNALS, GlobalsHandover, loadLogsApi, registeredSignals, type GlobalSignal } from './handover';
import { metricReadersFor } from './metric-readers';
import { applyPriceBook } from './price-book';
import { checkProviderHostsOption } from './provider-hosts';
import { buildResource } from './resource';
import { startSdkParts } from './sdk-start';
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
  /**
   * Budgets for the in-process guard, instead of `TOKENOMICS_BUDGETS_FILE`: the path of a budgets
   * file, or budgets already read. The guard is off without budgets.
   */
  budgets?: string | BudgetsConfig;
  /**
   * OpenTelemetry Baggage keys read as attribution, instead of `TOKENOMICS_BAGGAGE_KEYS`
   * (default `tenant` and `feature`; `[]` reads none).
   */
  baggageKeys?: string[];
  /** `withAttribution()` also sets Baggage unless a call says otherwise, instead of `TOKENOMICS_ATTRIBUTION_PROPAGATE`. Default false. */
  propagateAttribution?: boolean;
  /**
   * Environment to read and check the configuration from; default `process.env`. What `NodeSDK`
   * sets up itself (propagators, resource detectors, logs, sampler) reads `process.env`.
   */
  env?: Env;
  /** Flush on `beforeExit`, `SIGTERM` and `SIGINT` (see the README). Default true. */
  flushOnExit?: boolean;
  /** Bound on the flush at exit or on a signal, in ms. Default 2000. */
  exitFlushTimeoutMillis?: number;
}

/**
 * How Tokenomics is running: `sdk` — its own OpenTelemetry SDK (`NodeSDK`) exports at least one
 * signal; `existing-sdk` — everything goes through the app's SDK (registered before the hook, or
 * registered after it and given the hook's globals), the instrumentations recording through its
 * providers; `disabled` — `OTEL_SDK_DISABLED=true`, nothing runs.
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
 * applies `options` over it, loads the price book, starts an OpenTelemetry SDK (`NodeSDK`) for the
 * signals the app has not registered, and registers the Tokenomics instrumentations. An SDK the
 * app registers later takes those globals over (see the README).
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

/** How the register hook starts, beyond {@link StartOptions}. */
export interface StartInternals {
  /**
   * Called with the function that creates and registers the instrumentations, to run it later;
   * default: at once. Given a package name, it creates only the instrumentations of that client
   * library not created yet (the hook runs it as each library first loads); without, all of them.
   */
  deferInstrumentations?: (bind: (loaded?: string) => void) => void;
  /** Called once, when an SDK the app starts after this one registers its first global. */
  appSdkStarted?: () => void;
}

/** {@link start} with a configuration already read (used by the register hook). */
export function startWithConfig(config: NodeConfig, options: StartOptions = {}, internal: StartInternals = {}): TokenomicsHandle {
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
  setBaggageAttributionKeys(options.baggageKeys ?? config.attribution?.baggageKeys ?? DEFAULT_BAGGAGE_KEYS);
  setAttributionPropagation(options.propagateAttribution ?? config.attribution?.propagate ?? false);
  const env = options.env ?? process.env;
  if (options.budgets !== undefined || env.TOKENOMICS_BUDGETS_FILE?.trim()) {
    // The budgets file reader is loaded only when there are budgets (at start-up, off any call). The
    // `require` resolves in the built package; tests of the sources call `applyBudgets` directly.
    const { applyBudgets } = require('./budgets') as typeof import('./budgets');
    applyBudgets(env, options.budgets, options.serviceName ?? config.serviceName ?? config.resourceAttributes['service.name']);
  } else setBudgetGuard(undefined);
  const instrumentationConfig = { ...config.instrumentation, ...options.instrumentationConfig };
  return remember(startSdk(config, instrumentationConfig, options, internal));
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

/** A provider this start owns: flushed at exit, shut down when the app takes its signal over. */
interface OwnedProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

function asOwned(provider: unknown): OwnedProvider | undefined {
  const p = provider as Partial<OwnedProvider> | undefined;
  return p && typeof p.forceFlush === 'function' && typeof p.shutdown === 'function' ? (p as OwnedProvider) : undefined;
}

/** Whether a package named in `modules` (or one of its files) has been loaded with `require`. */
function anyModuleLoaded(modules: readonly string[]): boolean {
  const packages = new Set(
    modules.map((m) =>
      m
        .split('/')
        .slice(0, m.startsWith('@') ? 2 : 1)
        .join('/'),
    ),
  );
  const needles = [...packages].map((name) => `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`);
  return Object.keys(require.cache).some((file) => needles.some((needle) => file.includes(needle)));
}

/**
 * Starts `NodeSDK` for every signal the app has not registered yet (all of them when the hook
 * runs first), registers the instrumentations, and hands each global over to the app's SDK if the
 * app registers its own later (see `handover.ts`).
 */
function startSdk(
  config: NodeConfig,
  instrumentationConfig: TokenomicsInstrumentationConfig,
  options: StartOptions,
  internal: StartInternals,
): TokenomicsHandle {
  const taken = registeredSignals();
  const ownLogs = !taken.logs && config.logs.exporters.length > 0;

  const spanProcessors = taken.trace
    ? []
    : [
        ...(options.traceExporter
          ? [costEnrichingBatchProcessor(options.traceExporter)]
          : options.spanProcessors
            ? []
            : spanProcessorsFor(config.traces.exporters, config.traces.otlp)),
        ...(options.spanProcessors ?? []),
      ];
  // Readers the hook builds report the call metrics from Tokenomics' own aggregation (readers given
  // in code cannot take a producer: the instruments of their provider record the call metrics).
  // (An earlier build of @tokenomics/instrumentation without the aggregation records through the instruments.)
  const callMetrics = taken.metrics || options.metricReaders || typeof CallMetrics !== 'function' ? undefined : new CallMetrics();
  const readers = taken.metrics ? [] : (options.metricReaders ?? metricReadersFor(config.metrics.exporters, config.metrics, callMetrics));

  let tracerProvider: OwnedProvider | undefined;
  let meterProvider: OwnedProvider | undefined;
  let loggerProvider: OwnedProvider | undefined;
  // The app registered both providers before us: only the instrumentations are added (nothing else
  // is touched: no context manager, propagator, exporters or exit listeners of ours).
  const attachOnly = taken.trace && taken.metrics;
  let appSdk = taken.trace || taken.metrics;
  if (!attachOnly) {
    const resource = buildResource({
      envAttributes: config.resourceAttributes,
      envServiceName: config.serviceName,
      attributes: options.resourceAttributes,
      serviceName: options.serviceName,
      detect: config.resourceDetectors === undefined,
    });
    // NodeSDK (which loads every exporter it supports) only when a part needs it (see sdk-start.ts).
    startSdkParts({
      resource,
      serviceName: options.serviceName,
      spanProcessors,
      metricReaders: readers,
      ownLogs,
      detectResources: config.resourceDetectors !== undefined,
      contextManager: !taken.context,
      propagator: !taken.propagation,
    });
    if (spanProcessors.length > 0) tracerProvider = asOwned((trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.());
    if (readers.length > 0) meterProvider = asOwned(metrics.getMeterProvider());
    if (meterProvider && callMetrics) attachCallMetrics(metrics.getMeterProvider(), callMetrics);
    if (ownLogs) loggerProvider = asOwned(loadLogsApi()?.getLoggerProvider());
  }
  deliveryLedger.useMeterProvider(meterProvider ? metrics.getMeterProvider() : undefined);

  let instrumentations: Instrumentation[] = [];
  let loader = new InstrumentationLoader(instrumentationConfig);
  let extrasBound = false;
  let unregisters: (() => void)[] = [];
  const unregister = () => {
    for (const off of unregisters) off();
    unregisters = [];
  };
  let stopped = false;
  // Each client library's instrumentation is loaded and created when `loaded` names that library,
  // the instrumentations given in the options with the first ones.
  const bindInstrumentations = (loaded?: string) => {
    if (stopped) return;
    const added = loader.create(loaded);
    if (!extrasBound) {
      extrasBound = true;
      added.push(...(options.instrumentations ?? []));
    }
    if (added.length === 0) return;
    instrumentations = [...instrumentations, ...added];
    unregisters.push(
      registerInstrumentations({
        instrumentations: added,
        tracerProvider: trace.getTracerProvider(),
        meterProvider: metrics.getMeterProvider(),
      }),
    );
  };
  if (internal.deferInstrumentations) internal.deferInstrumentations(bindInstrumentations);
  else bindInstrumentations();

  const flushBound = options.exitFlushTimeoutMillis ?? DEFAULT_EXIT_FLUSH_TIMEOUT_MILLIS;
  // Calls whose usage the token worker is counting end their spans first, within half the bound;
  // when the app is done, what the worker has not counted by then is counted here.
  const settleEstimates = (appDone: boolean) => waitForPendingEstimates(flushBound / 2, { appDone });
  const flushProviders = async () => {
    await Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush(), loggerProvider?.forceFlush()]);
  };
  const forceFlush = async (appDone = false) => {
    await settleEstimates(appDone);
    await flushProviders();
  };
  const owns = () => tracerProvider !== undefined || meterProvider !== undefined || loggerProvider !== undefined;
  // At exit the export gets its whole bound after the estimates have settled (their own bound).
  let uninstallExitFlush =
    options.flushOnExit === false || !owns()
      ? () => {}
      : installExitFlush(
          () => {
            stopFlushHolds();
            return flushProviders();
          },
          flushBound,
          settleEstimates,
        );

  const retire = (provider: OwnedProvider | undefined) => {
    provider?.shutdown().catch((err: unknown) => diag.error('@tokenomics/node: shutting down a provider the app took over failed', err));
  };
  // The app's SDK registers its instrumentations before its globals. Ours, if created earlier and
  // nothing is patched yet, are created again so they come after the app's: when two
  // instrumentations patch the same method, the later one replaces the earlier (as when the app's
  // SDK is loaded first), so Tokenomics keeps recording whatever the order.
  let reordered = false;
  const comeAfterAppInstrumentations = () => {
    if (reordered) return;
    reordered = true;
    internal.appSdkStarted?.();
    if (instrumentations.length === 0) return;
    if (anyModuleLoaded(INSTRUMENTED_MODULES)) return;
    unregister();
    instrumentations = [];
    loader = new InstrumentationLoader(instrumentationConfig);
    extrasBound = false;
    bindInstrumentations();
  };
  const handover = new GlobalsHandover({
    taken(signal, released) {
      comeAfterAppInstrumentations();
      if (signal === 'trace' || signal === 'metrics') appSdk = true;
      if (signal === 'trace') {
        for (const i of instrumentations) i.setTracerProvider(trace.getTracerProvider());
        if (released) {
          retire(tracerProvider);
          tracerProvider = undefined;
        }
      } else if (signal === 'metrics') {
        for (const i of instrumentations) i.setMeterProvider(metrics.getMeterProvider());
        if (released) {
          retire(meterProvider);
          meterProvider = undefined;
          deliveryLedger.useMeterProvider(metrics.getMeterProvider());
        }
      } else if (signal === 'logs' && released) {
        retire(loggerProvider);
        loggerProvider = undefined;
      }
      if (released) {
        diag.info(`@tokenomics/node: the app registered its own global ${signal}; Tokenomics uses the app's from now on`);
        if (!owns()) {
          uninstallExitFlush();
          uninstallExitFlush = () => {};
        }
      }
    },
  });
  handover.install(attachOnly ? [] : GLOBAL_SIGNALS.filter((signal) => !taken[signal]));

  if (attachOnly) {
    const which = [taken.trace ? 'TracerProvider' : '', taken.metrics ? 'MeterProvider' : ''].filter(Boolean).join(' and ');
    diag.info(
      `@tokenomics/node: an OpenTelemetry SDK is already registered (global ${which}); not starting another. ` +
        "Tokenomics instrumentations were registered against the existing providers; exporters, resource and flushing stay the app's.",
    );
  } else {
    const app = [taken.trace ? 'traces' : '', taken.metrics ? 'metrics' : ''].filter(Boolean).join(' and ');
    diag.info(
      `@tokenomics/node: started; ${describeOutputs(config, options, spanProcessors.length, readers.length, taken)}` +
        (app ? ` (${app} through the app's SDK, registered before)` : ''),
    );
  }

  let stopping: Promise<void> | undefined;
  const handle: TokenomicsHandle = {
    get mode(): StartMode {
      return appSdk && !owns() ? 'existing-sdk' : 'sdk';
    },
    get instrumentations(): readonly Instrumentation[] {
      return instrumentations;
    },
    forceFlush: () => (owns() ? boundedFlush(() => forceFlush(false), flushBound, true) : Promise.resolve()),
    shutdown: () =>
      (stopping ??= (async () => {
        stopped = true;
        uninstallExitFlush();
        unregister();
        const providers = [tracerProvider, meterProvider, loggerProvider];
        tracerProvider = meterProvider = loggerProvider = undefined;
        await boundedFlush(
          async () => {
            await waitForPendingEstimates(flushBound / 2);
            await Promise.all(providers.map((p) => p?.shutdown()));
          },
          flushBound,
          true,
        );
        if (providers[1]) deliveryLedger.useMeterProvider(undefined);
        handover.uninstall();
        setBudgetGuard(undefined);
        setBaggageAttributionKeys(DEFAULT_BAGGAGE_KEYS);
        setAttributionPropagation(false);
        forget(handle);
      })()),
  };
  return handle;
}

function describeOutputs(
  config: NodeConfig,
  options: StartOptions,
  spanProcessors: number,
  readers: number,
  taken: Record<GlobalSignal, boolean>,
): string {
  const traces = taken.trace
    ? "the app's"
    : options.traceExporter || options.spanProcessors
      ? `${spanProcessors} span processor(s) from code`
      : config.traces.exporters.length === 0
        ? 'not exported'
        : config.traces.exporters
            .map((e) => (e === 'otlp' ? `otlp (${config.traces.otlp.protocol} to ${redactUrl(config.traces.otlp.url)})` : e))
            .join(', ');
  const metricOutputs = taken.metrics
    ? "the app's"
    : options.metricReaders
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
