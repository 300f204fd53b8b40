import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import type { TokenomicsInstrumentationConfig } from '../config';

/** Attribution keys that some recorder puts on its metric points (its `attributionKeys`). */
const metricKeys = new Set<string>();

/** What the API's tracer provider hands out until a provider is registered: tracers of no-op spans. */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

/** @internal A recorder's metric attribution keys: attribution under them is read by every call's metric points. */
export function noteMetricAttributionKeys(keys: Iterable<string>): void {
  for (const key of keys) metricKeys.add(key);
}

/**
 * @internal Whether attribution that a framework instrumentation reports under `key` (`chain`,
 * `graph_node`, `agent`) can reach any signal:
 *
 * - a span, once a tracer provider is registered (a provider that samples a call out still counts);
 * - a metric point, when `key` is one of a recorder's attribution keys, or one of the
 *   `attributionKeys` of `config`, the framework instrumentation's own configuration.
 *
 * The budget guard matches calls by `tenant` and `feature` only, which no framework sets. When
 * nothing reads the key, the framework instrumentation enters no context to carry it: a context
 * entered once turns on the context manager's tracking of every promise in the process, for the
 * process's lifetime. So `getAttribution()` inside a LangChain chain shows its `chain` only where
 * spans are recorded or `chain` is a metric key.
 */
export function frameworkAttributionRead(key: string, config: TokenomicsInstrumentationConfig): boolean {
  if (metricKeys.has(key)) return true;
  const own = config.attributionKeys;
  if (Array.isArray(own) && own.includes(key)) return true;
  return tracerProviderRegistered();
}

/**
 * @internal Whether a tracer provider is registered with the OpenTelemetry API, so that spans may
 * record. A provider of another copy of the API, or one registered without the API's proxy,
 * counts as registered.
 */
export function tracerProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_PROVIDER;
}
