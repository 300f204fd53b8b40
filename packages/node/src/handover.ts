import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { createRequire } from 'node:module';

/** The OpenTelemetry globals a start may register and an app's SDK may take over. */
export type GlobalSignal = 'trace' | 'metrics' | 'context' | 'propagation' | 'logs';

/** Every {@link GlobalSignal}. */
export const GLOBAL_SIGNALS: readonly GlobalSignal[] = ['trace', 'metrics', 'context', 'propagation', 'logs'];

const API_REGISTRY = Symbol.for('opentelemetry.js.api.1');
const LOGS_REGISTRY = Symbol.for('io.opentelemetry.js.api.logs');

/** The part of `@opentelemetry/api-logs` used here. */
interface LogsApi {
  setGlobalLoggerProvider(provider: unknown): unknown;
  getLoggerProvider(): unknown;
  disable(): void;
}

let logsApi: LogsApi | null | undefined;

/**
 * `@opentelemetry/api-logs` as `@opentelemetry/sdk-node` (which registers the global
 * LoggerProvider) resolves it; `undefined` if it cannot be loaded.
 */
export function loadLogsApi(): LogsApi | undefined {
  if (logsApi === undefined) {
    try {
      const fromSdk = createRequire(require.resolve('@opentelemetry/sdk-node'));
      logsApi = (fromSdk('@opentelemetry/api-logs') as { logs: LogsApi }).logs;
    } catch (err) {
      diag.debug('@tokenomics/node: @opentelemetry/api-logs could not be loaded', err);
      logsApi = null;
    }
  }
  return logsApi ?? undefined;
}

/** The registry entry of `signal` (what the OpenTelemetry API holds for it), without touching it. */
export function registryEntry(signal: GlobalSignal): unknown {
  const slot = globalThis as Record<symbol, unknown>;
  if (signal === 'logs') return slot[LOGS_REGISTRY];
  const registry = slot[API_REGISTRY] as Record<string, unknown> | undefined;
  return registry?.[signal];
}

/** Which of the OpenTelemetry globals are registered right now, by anyone. */
export function registeredSignals(): Record<GlobalSignal, boolean> {
  return {
    trace: registryEntry('trace') !== undefined,
    metrics: registryEntry('metrics') !== undefined,
    context: registryEntry('context') !== undefined,
    propagation: registryEntry('propagation') !== undefined,
    logs: registryEntry('logs') !== undefined,
  };
}

interface Registrar {
  api: object;
  method: string;
  disable(): void;
}

function registrarOf(signal: GlobalSignal): Registrar | undefined {
  switch (signal) {
    case 'trace':
      return { api: trace, method: 'setGlobalTracerProvider', disable: () => trace.disable() };
    case 'metrics':
      return { api: metrics, method: 'setGlobalMeterProvider', disable: () => metrics.disable() };
    case 'context':
      return { api: context, method: 'setGlobalContextManager', disable: () => context.disable() };
    case 'propagation':
      return { api: propagation, method: 'setGlobalPropagator', disable: () => propagation.disable() };
    case 'logs': {
      const logs = loadLogsApi();
      return logs && { api: logs, method: 'setGlobalLoggerProvider', disable: () => logs.disable() };
    }
  }
}

/** What {@link GlobalsHandover} tells its owner. */
export interface HandoverListener {
  /**
   * The app registered its own provider (or context manager, propagator) for `signal`; `released`
   * says whether it replaced one this start had registered (which is unregistered by then).
   * Called right after the app's registration went through.
   */
  taken(signal: GlobalSignal, released: boolean): void;
}

/**
 * Patch early, bind late: the globals a start registered are held only until the app registers
 * its own. While installed, a registration through the OpenTelemetry API (`NodeSDK.start()`,
 * `provider.register()`, `trace.setGlobalTracerProvider()`, ...) of a signal this start holds first
 * unregisters ours, so the app's registration goes through instead of being refused as a
 * duplicate; the listener then moves the instrumentations to the app's providers.
 *
 * Works through the API copy this package loads, which is the app's as long as the app has one
 * copy of `@opentelemetry/api` (a peer dependency everywhere, as OpenTelemetry requires).
 */
export class GlobalsHandover {
  private readonly held = new Map<GlobalSignal, unknown>();
  private readonly restores: (() => void)[] = [];

  constructor(private readonly listener: HandoverListener) {}

  /**
   * Records the globals this start has just registered (those in `signals` whose registry entry is
   * set), and starts watching every signal for the app's registration.
   */
  install(signals: readonly GlobalSignal[]): void {
    for (const signal of signals) {
      const entry = registryEntry(signal);
      if (entry !== undefined) this.held.set(signal, entry);
    }
    for (const signal of GLOBAL_SIGNALS) {
      // Logs are watched only when ours are registered (the API is loaded only then).
      if (signal === 'logs' && !this.held.has('logs')) continue;
      this.watch(signal);
    }
  }

  /** Whether the global of `signal` is still the one this start registered. */
  holds(signal: GlobalSignal): boolean {
    return this.held.has(signal) && registryEntry(signal) === this.held.get(signal);
  }

  /** Whether this start still holds any global. */
  holdsAny(): boolean {
    return GLOBAL_SIGNALS.some((signal) => this.holds(signal));
  }

  /** Stops watching, and unregisters the globals this start still holds (never the app's). */
  uninstall(): void {
    for (const restore of this.restores.splice(0)) restore();
    for (const signal of GLOBAL_SIGNALS) {
      if (this.holds(signal)) registrarOf(signal)?.disable();
    }
    this.held.clear();
  }

  private watch(signal: GlobalSignal): void {
    const registrar = registrarOf(signal);
    if (!registrar) return;
    const api = registrar.api as Record<string, unknown>;
    const original = api[registrar.method];
    if (typeof original !== 'function') return;
    const own = Object.getOwnPropertyDescriptor(api, registrar.method);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const handover = this;
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      let released = false;
      if (handover.holds(signal)) {
        try {
          registrar.disable();
          released = true;
        } catch (err) {
          diag.error(`@tokenomics/node: could not hand the global ${signal} over to the app's SDK`, err);
        }
        handover.held.delete(signal);
      }
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      try {
        handover.listener.taken(signal, released);
      } catch (err) {
        diag.error(`@tokenomics/node: could not move the instrumentations to the app's ${signal} provider`, err);
      }
      return result;
    };
    Object.defineProperty(api, registrar.method, { value: wrapper, configurable: true, writable: true, enumerable: false });
    this.restores.push(() => {
      if (api[registrar.method] !== wrapper) return;
      if (own) Object.defineProperty(api, registrar.method, own);
      else delete api[registrar.method];
    });
  }
}
