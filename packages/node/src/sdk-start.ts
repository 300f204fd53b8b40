import {
  context,
  diag,
  metrics,
  propagation,
  trace,
  type ContextManager,
  type TextMapPropagator,
  type TracerProvider,
} from '@opentelemetry/api';
import {
  CompositePropagator,
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { MeterProvider, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  Sampler,
  SpanLimits,
  SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerConfig,
} from '@opentelemetry/sdk-trace-base';
import { createRequire } from 'node:module';
import { LeanContextManager } from './context-manager';

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
 * Registers the OpenTelemetry components of a start. With no logs and no resource detectors to
 * run, and only W3C propagators named, it registers what `NodeSDK` would (context manager,
 * propagator, meter provider, tracer provider with the sampler and span limits of the
 * environment) without loading `@opentelemetry/sdk-node`, which loads every exporter, protocol
 * encoder and configuration-file reader it supports (about 4 MB of heap an app would carry for
 * nothing). Otherwise it starts `NodeSDK`.
 */
export function startSdkParts(parts: SdkParts): void {
  const propagator = parts.propagator ? propagatorFromEnv() : null;
  const traceSdk = parts.spanProcessors.length > 0 ? loadTraceSdk() : undefined;
  if (!parts.ownLogs && !parts.detectResources && propagator !== NEEDS_NODE_SDK && (parts.spanProcessors.length === 0 || traceSdk)) {
    startWithoutNodeSdk(parts, propagator, traceSdk);
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
      contextManager: (parts.contextManager ? new LeanContextManager() : null) as ContextManager,
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

/** The part of `@opentelemetry/sdk-trace` used here: the tracer provider `NodeSDK` registers. */
interface TraceSdk {
  TracerProvider: new (config: TracerConfig) => TracerProvider;
  AlwaysOnSampler: typeof AlwaysOnSampler;
  AlwaysOffSampler: typeof AlwaysOffSampler;
  ParentBasedSampler: typeof ParentBasedSampler;
  TraceIdRatioBasedSampler: typeof TraceIdRatioBasedSampler;
}

/**
 * `@opentelemetry/sdk-trace` as `@opentelemetry/sdk-trace-base` (which re-exports its samplers and
 * processors) and `NodeSDK` resolve it; `undefined` if it cannot be loaded.
 */
function loadTraceSdk(): TraceSdk | undefined {
  try {
    const sdk = createRequire(require.resolve('@opentelemetry/sdk-trace-base'))('@opentelemetry/sdk-trace') as Partial<TraceSdk>;
    const complete =
      typeof sdk.TracerProvider === 'function' &&
      typeof sdk.AlwaysOnSampler === 'function' &&
      typeof sdk.AlwaysOffSampler === 'function' &&
      typeof sdk.ParentBasedSampler === 'function' &&
      typeof sdk.TraceIdRatioBasedSampler === 'function';
    return complete ? (sdk as TraceSdk) : undefined;
  } catch (err) {
    diag.debug('@tokenomics/node: @opentelemetry/sdk-trace could not be loaded; starting NodeSDK', err);
    return undefined;
  }
}

/** What `NodeSDK.start()` does with no logs and no resource detectors, in its order. */
function startWithoutNodeSdk(parts: SdkParts, propagator: TextMapPropagator | null, traceSdk: TraceSdk | undefined): void {
  // NodeSDK registers nothing when OTEL_SDK_DISABLED is set in the process environment.
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return;
  if (parts.contextManager) {
    const manager = new LeanContextManager();
    manager.enable();
    context.setGlobalContextManager(manager);
  }
  if (propagator) propagation.setGlobalPropagator(propagator);
  const resource =
    parts.serviceName === undefined ? parts.resource : parts.resource.merge(resourceFromAttributes({ 'service.name': parts.serviceName }));
  const sdkMetricsEnabled = getBooleanFromEnv('OTEL_NODE_EXPERIMENTAL_SDK_METRICS');
  let meterProvider: MeterProvider | undefined;
  if (parts.metricReaders.length > 0) {
    meterProvider = new MeterProvider({ resource, views: [], readers: parts.metricReaders, sdkMetricsEnabled });
    metrics.setGlobalMeterProvider(meterProvider);
  }
  if (parts.spanProcessors.length > 0 && traceSdk) {
    const sampler = samplerFromEnv(traceSdk);
    trace.setGlobalTracerProvider(
      new traceSdk.TracerProvider({
        ...(sampler !== undefined ? { sampler } : {}),
        spanLimits: spanLimitsFromEnv(),
        resource,
        ...(sdkMetricsEnabled && meterProvider ? { meterProvider } : {}),
        spanProcessors: parts.spanProcessors,
      }),
    );
  }
}

/** The sampler `OTEL_TRACES_SAMPLER` names, as `NodeSDK` reads it (`undefined`: the SDK's default). */
function samplerFromEnv(sdk: TraceSdk): Sampler | undefined {
  const { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler } = sdk;
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER');
  switch (name) {
    case undefined:
      return undefined;
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(samplerRatioFromEnv());
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplerRatioFromEnv()) });
    default:
      diag.error(`unknown OTEL_TRACES_SAMPLER value "${name}", using default`);
      return undefined;
  }
}

function samplerRatioFromEnv(): number {
  const ratio = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
  if (ratio === undefined) {
    diag.error('OTEL_TRACES_SAMPLER_ARG is blank, defaulting to 1.');
    return 1;
  }
  if (ratio < 0 || ratio > 1) {
    diag.error(`OTEL_TRACES_SAMPLER_ARG=${ratio} was given, but it is out of range ([0..1]), defaulting to 1.`);
    return 1;
  }
  return ratio;
}

/** Span limits from the environment, as `NodeSDK` reads them (unset ones left to the SDK). */
function spanLimitsFromEnv(): SpanLimits {
  return {
    attributeCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'),
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'),
  } as SpanLimits;
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
