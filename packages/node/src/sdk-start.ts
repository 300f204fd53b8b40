import { context, metrics, propagation, type ContextManager, type TextMapPropagator } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  getBooleanFromEnv,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What a start registers for the signals the app has not registered. */
export interface SdkParts {
  resource: Resource;
  /** `start({ serviceName })`, merged over the resource after any detector ran. */
  serviceName: string | undefined;
  spanProcessors: SpanProcessor[];
  metricReaders: IMetricReader[];
  /** Whether logs are exported (`OTEL_LOGS_EXPORTER` set and no logger provider registered). */
  ownLogs: boolean;
  /** Whether `OTEL_NODE_RESOURCE_DETECTORS` names detectors to run. */
  detectResources: boolean;
  /** Register a context manager (false: the app registered one). */
  contextManager: boolean;
  /** Register the `OTEL_PROPAGATORS` propagators (false: the app registered one). */
  propagator: boolean;
}

/**
 * Registers the OpenTelemetry components of a start. With no span processor, no logs and no
 * resource detectors to run, and only W3C propagators named, it registers what `NodeSDK` would
 * (context manager, propagator, meter provider) without loading `@opentelemetry/sdk-node`, which
 * loads every exporter, protocol encoder and configuration-file reader it supports (about 4 MB of
 * heap an app that exports metrics only would carry for nothing). Otherwise it starts `NodeSDK`.
 */
export function startSdkParts(parts: SdkParts): void {
  const propagator = parts.propagator ? propagatorFromEnv() : null;
  if (parts.spanProcessors.length === 0 && !parts.ownLogs && !parts.detectResources && propagator !== NEEDS_NODE_SDK) {
    startMetricsOnly(parts, propagator);
    return;
  }
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  // NodeSDK reads OTEL_LOG_LEVEL (the diag logger is set by the start, once) and defaults
  // OTEL_LOGS_EXPORTER to otlp (logs are exported only when it is set).
  withProcessEnv({ OTEL_LOG_LEVEL: undefined, ...(parts.ownLogs ? {} : { OTEL_LOGS_EXPORTER: 'none' }) }, () =>
    new NodeSDK({
      resource: parts.resource,
      // With OTEL_NODE_RESOURCE_DETECTORS set, NodeSDK runs the detectors it names.
      autoDetectResources: parts.detectResources,
      // Merged after the detectors: the service name given in code always wins.
      ...(parts.serviceName !== undefined ? { serviceName: parts.serviceName } : {}),
      spanProcessors: parts.spanProcessors,
      metricReaders: parts.metricReaders,
      // null: register none (NodeSDK accepts it, its types do not say so).
      contextManager: (parts.contextManager ? new AsyncLocalStorageContextManager() : null) as ContextManager,
      // Not given: NodeSDK sets up OTEL_PROPAGATORS (W3C Trace Context and Baggage by default).
      ...(parts.propagator ? {} : { textMapPropagator: null }),
    }).start(),
  );
}

/** `OTEL_PROPAGATORS` names a propagator only `NodeSDK` sets up (B3, Jaeger). */
const NEEDS_NODE_SDK = Symbol('needs NodeSDK');

/**
 * The propagator `NodeSDK` would register for `OTEL_PROPAGATORS` (read from `process.env`, as
 * `NodeSDK` does): W3C Trace Context and Baggage when unset, none with `none`, the ones named
 * otherwise (each once, in order).
 */
function propagatorFromEnv(): TextMapPropagator | null | typeof NEEDS_NODE_SDK {
  const names = getStringListFromEnv('OTEL_PROPAGATORS');
  if (names === undefined) {
    return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
  }
  if (names.includes('none')) return null;
  const unique = [...new Set(names)];
  const propagators: TextMapPropagator[] = [];
  for (const name of unique) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else return NEEDS_NODE_SDK;
  }
  return propagators.length === 1 ? (propagators[0] as TextMapPropagator) : new CompositePropagator({ propagators });
}

/** What `NodeSDK.start()` does when it has only metric readers (or nothing) to set up. */
function startMetricsOnly(parts: SdkParts, propagator: TextMapPropagator | null): void {
  // NodeSDK registers nothing when OTEL_SDK_DISABLED is set in the process environment.
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return;
  if (parts.contextManager) {
    const manager = new AsyncLocalStorageContextManager();
    manager.enable();
    context.setGlobalContextManager(manager);
  }
  if (propagator) propagation.setGlobalPropagator(propagator);
  if (parts.metricReaders.length === 0) return;
  const resource =
    parts.serviceName === undefined ? parts.resource : parts.resource.merge(resourceFromAttributes({ 'service.name': parts.serviceName }));
  metrics.setGlobalMeterProvider(
    new MeterProvider({
      resource,
      views: [],
      readers: parts.metricReaders,
      sdkMetricsEnabled: getBooleanFromEnv('OTEL_NODE_EXPERIMENTAL_SDK_METRICS'),
    }),
  );
}

/**
 * Runs `fn` with some variables of `process.env` changed (`undefined` removes one), restoring them
 * right after; `fn` is synchronous, so nothing else can see the change.
 */
function withProcessEnv<T>(changes: Record<string, string | undefined>, fn: () => T): T {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(changes)) {
    saved.set(key, Object.hasOwn(process.env, key) ? process.env[key] : undefined);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
