import { diag, type MeterProvider } from '@opentelemetry/api';
import { type ExportResult, type InstrumentationScope } from '@opentelemetry/core';
import {
  AggregationTemporality,
  AggregationType,
  type AggregationOption,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { TOKENOMICS_SCOPE_PREFIX } from './attribute-names';
import { defaultPriceBook, type PriceBookLike } from './price-book';
import { SelfMetrics, type MetricPointOutcome } from './self-metrics';
import { TokenUsageCost } from './token-usage-cost';
import { forwardExport } from './export-forwarding';

/** Options of {@link CostEnrichingMetricExporter}. */
export interface CostEnrichingMetricExporterOptions {
  /** Price book; defaults to `getPriceBook()` from `@tokenomics/pricing`. */
  priceBook?: PriceBookLike;
  /**
   * Which instrumentation scopes' `gen_ai.client.token.usage` to price. Default: every scope whose
   * name does not start with `@tokenomics/` (ours record `tokenomics.cost` themselves). Exclude a
   * foreign scope here when Tokenomics instruments the same library, or its calls count twice.
   */
  includeScope?: (scope: InstrumentationScope) => boolean;
  /**
   * Most source streams (and, separately, output streams) to keep state for with cumulative
   * temporality; new streams beyond it are not priced. Default 4096.
   */
  maxStreams?: number;
  /** MeterProvider for the exporter's own counters. Defaults to the global one. */
  meterProvider?: MeterProvider;
}

/** Default of {@link CostEnrichingMetricExporterOptions.maxStreams}. */
export const DEFAULT_MAX_METRIC_STREAMS = 4096;

/**
 * A {@link PushMetricExporter} that adds cost metrics for GenAI token usage recorded by other
 * instrumentations and hands everything to the exporter it wraps.
 *
 * For each foreign `gen_ai.client.token.usage` histogram it adds, under the scope
 * `@tokenomics/exporter`:
 * - `tokenomics.cost` (unit `USD`, monotonic sum) with `gen_ai.provider.name`,
 *   `gen_ai.operation.name`, `gen_ai.request.model`, `tokenomics.token.type` (`input` | `output`) and
 *   `tokenomics.usage.estimated` (`true` on input cost when the model's cached-input rate differs:
 *   the cache share is unknown, so the figure is an upper bound);
 * - `tokenomics.calls.unpriced` (unit `{call}`) with `tokenomics.unpriced_reason` for models the
 *   price book cannot price.
 *
 * Both use the source histogram's aggregation temporality. Foreign histograms carry no cache split,
 * so input tokens are priced at the uncached input rate — an upper bound when prompts were cached.
 * Temporality and aggregation preferences, `forceFlush()` and `shutdown()` are those of the wrapped
 * exporter. `export()` never throws and calls its callback exactly once.
 */
export class CostEnrichingMetricExporter implements PushMetricExporter {
  private readonly cost: TokenUsageCost;
  private readonly selfMetrics: SelfMetrics;
  private priceBook: PriceBookLike | undefined;
  private priceBookLoaded: boolean;

  /**
   * @param inner the exporter that ships the metrics (OTLP, in-memory, ...)
   * @param options price book, scope filter, state cap
   */
  constructor(
    private readonly inner: PushMetricExporter,
    options: CostEnrichingMetricExporterOptions = {},
  ) {
    this.priceBook = options.priceBook;
    this.priceBookLoaded = options.priceBook !== undefined;
    this.selfMetrics = new SelfMetrics(options.meterProvider);
    const maxStreams = Math.max(0, Math.floor(options.maxStreams ?? DEFAULT_MAX_METRIC_STREAMS));
    this.cost = new TokenUsageCost(() => this.book(), options.includeScope ?? isForeignScope, maxStreams);
  }

  /** Add cost metrics and export through the wrapped exporter. */
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let enriched = metrics;
    try {
      const tally: Partial<Record<MetricPointOutcome, number>> = {};
      enriched = this.cost.enrich(metrics, tally);
      this.selfMetrics.countMetricPoints(tally);
    } catch (err) {
      diag.error('@tokenomics/exporter: metric enrichment failed; exporting the metrics unchanged', err);
      enriched = metrics;
    }
    forwardExport(this.inner, enriched, resultCallback, 'metric');
  }

  /** Flush the wrapped exporter. */
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  /** Shut the wrapped exporter down. */
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  /** The wrapped exporter's temporality preference (cumulative when it has none). */
  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.inner.selectAggregationTemporality?.(instrumentType) ?? AggregationTemporality.CUMULATIVE;
  }

  /** The wrapped exporter's aggregation preference (the default aggregation when it has none). */
  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation?.(instrumentType) ?? { type: AggregationType.DEFAULT };
  }

  private book(): PriceBookLike | undefined {
    if (!this.priceBookLoaded) {
      this.priceBookLoaded = true;
      this.priceBook = defaultPriceBook();
    }
    return this.priceBook;
  }
}

/** Default scope filter: everything but Tokenomics' own instrumentations. */
function isForeignScope(scope: InstrumentationScope): boolean {
  return !scope.name.startsWith(TOKENOMICS_SCOPE_PREFIX);
}
