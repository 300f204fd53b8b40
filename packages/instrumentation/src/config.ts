import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { PriceBookLike } from '@tokenomics/contract/price-book';

/** Configuration shared by every Tokenomics instrumentation. */
export interface TokenomicsInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompt and response content on spans. Off by default; the environment variable
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` turns it on when this is unset.
   */
  captureMessageContent?: boolean;
  /**
   * Attribution keys (set with `withAttribution`) copied onto metric points. Keys not listed here
   * are recorded on spans only. Default: `['tenant', 'feature']`.
   */
  attributionKeys?: string[];
  /** Distinct values kept per metric attribute (models, attribution values); the rest become `_other`. Default 100. */
  maxAttributeValues?: number;
  /**
   * Series (attribute sets) kept per metric, whatever the labels multiply to; later series go to
   * one series per metric with `otel.metric.overflow=true`, so totals stay exact. Default 200.
   */
  maxSeriesPerMetric?: number;
  /**
   * OpenAI streams: add `stream_options.include_usage` when the app did not, so usage is billed-exact,
   * and hide the extra chunk from the app. Default true.
   */
  injectStreamUsage?: boolean;
  /**
   * Base URL -> provider for OpenAI-compatible servers the built-in detection does not name
   * (private gateways, self-hosted servers off their default port): an object such as
   * `{ 'https://llm.internal.example/v1': 'vllm' }`, or a list of `{ baseURL, provider }`. The
   * longest matching base URL wins over the built-in hosts. Bad entries throw at start-up.
   */
  providerHosts?: Readonly<Record<string, string>> | ReadonlyArray<{ baseURL: string; provider: string }> | undefined;
  /**
   * Share of calls (0 to 1) whose input is also counted locally, off the app's path, to record how
   * far local estimates are from the billed input tokens (`tokenomics.reconciliation.input_tokens`).
   * Default: `TOKENOMICS_RECONCILE_SAMPLE`, else 0.
   */
  reconcileSample?: number;
  /** Price book used for cost; default: the process-wide book of `@tokenomics/pricing` (`getPriceBook()`). */
  priceBook?: PriceBookLike;
}

/**
 * The part of a `@tokenomics/pricing` PriceBook the instrumentation uses: the price-book interface
 * of the telemetry contract, shared with the exporter and the collector stage.
 */
export type { PriceBookLike } from '@tokenomics/contract/price-book';
