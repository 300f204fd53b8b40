/**
 * Which OpenTelemetry globals are already registered in this process, by any copy of
 * `@opentelemetry/api` 1.x (they share one registry on `globalThis`).
 */
export interface RegisteredGlobals {
  trace: boolean;
  metrics: boolean;
  context: boolean;
  propagation: boolean;
}

const API_REGISTRY = Symbol.for('opentelemetry.js.api.1');

/** Reads the registry without touching it (no registration attempt, no diagnostics). */
export function registeredGlobals(): RegisteredGlobals {
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[API_REGISTRY] ?? {};
  return {
    trace: registry.trace !== undefined,
    metrics: registry.metrics !== undefined,
    context: registry.context !== undefined,
    propagation: registry.propagation !== undefined,
  };
}
