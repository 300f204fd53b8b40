/**
 * `@tokenomics/exporter`: span and metric exporter wrappers that add USD cost to GenAI telemetry
 * from any instrumentation before it ships.
 *
 * @packageDocumentation
 */
export { CostEnrichingSpanExporter } from './span-exporter';
export { createCostEnrichingSpanProcessor } from './span-processor';
export { CostEnrichingMetricExporter, DEFAULT_MAX_METRIC_STREAMS } from './metric-exporter';
export type { CostEnrichingMetricExporterOptions } from './metric-exporter';
export { DEFAULT_DEDUPE_CAPACITY, SpanCostEnricher } from './span-enricher';
export { CACHE_COUNT_KEYS, readGenAiCall, showsCacheCount, type GenAiCall, type SpanReading } from './genai-call';
export { TokenUsageCost } from './token-usage-cost';
export type { CostEnrichmentOptions, SpanEnrichment } from './span-enricher';
export type { PriceBookLike } from './price-book';
export type { SpanOutcome, MetricPointOutcome } from './self-metrics';
export { normaliseProviderName } from './provider-names';
