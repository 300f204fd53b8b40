/**
 * The price-book interface shared by the instrumentation, the exporter and the collector stage:
 * what a call's usage looks like, what is asked of a price book, and what it answers.
 * `@tokenomics/pricing`'s `PriceBook` implements {@link PriceBookLike}; pass your own to apply
 * negotiated rates or to price from another source.
 */
import type { BillingUnit } from './tokens';

/**
 * Token usage of one call, by billing unit, following the OpenTelemetry GenAI conventions:
 * `inputTokens` INCLUDES cache read and cache write tokens; `outputTokens` INCLUDES reasoning tokens.
 * Subsets are priced once, at their own rate.
 */
export interface Usage {
  /** All input tokens, including cache read and cache write tokens. */
  inputTokens?: number | undefined;
  /** All output tokens, including reasoning tokens. */
  outputTokens?: number | undefined;
  /** Input tokens read from the provider's prompt cache (subset of inputTokens). */
  cacheReadTokens?: number | undefined;
  /** Input tokens written to the cache with the default (5-minute) lifetime (subset of inputTokens). */
  cacheWriteTokens?: number | undefined;
  /** Input tokens written to the cache with a 1-hour lifetime (subset of inputTokens). */
  cacheWrite1hTokens?: number | undefined;
  /** Reasoning ("thinking") tokens (subset of outputTokens). */
  reasoningTokens?: number | undefined;
  /** Audio input tokens (subset of inputTokens). */
  inputAudioTokens?: number | undefined;
  /** Audio output tokens (subset of outputTokens). */
  outputAudioTokens?: number | undefined;
  /** Uncached image input tokens (subset of inputTokens). */
  inputImageTokens?: number | undefined;
  /** Image output tokens (subset of outputTokens). */
  outputImageTokens?: number | undefined;
  /**
   * Counts of items billed per unit rather than per token, e.g. `{ web_search: 2 }`. Known names:
   * `web_search`, `file_search`, `code_execution`, `text_message`, `document_page`,
   * `annotated_document_page`; a model's own per-call fee (`requests_kcount` in the data) is charged
   * once per call without being listed here.
   */
  requests?: Record<string, number> | undefined;
  /**
   * Set when the usage read from a source was malformed: the bounded reason (`<field>:<problem>`,
   * e.g. `prompt_tokens:wrong_type`; see `usageProblem`). Such a usage is never priced: its cost is
   * unpriced with reason `invalid_usage`.
   */
  invalid?: string | undefined;
}

/** Service tier a call was processed at (provider spellings are normalised to these). */
export type ServiceTier = 'standard' | 'batch' | 'flex' | 'priority';

/** What was called, when and how: the key to a price. */
export interface PriceOptions {
  /** Provider id as in `gen_ai.provider.name` (`openai`, `anthropic`, `gcp.gemini`, `aws.bedrock`, ...). */
  provider?: string | undefined;
  /** Model string as sent or returned (dated snapshots, prefixes, Bedrock ids, ARNs are resolved). */
  model: string;
  /**
   * Model the provider reported in its response (`gen_ai.response.model`). When it resolves it is
   * preferred over `model`, unless `model` is a user alias: this is how Azure deployment names are
   * priced without an alias.
   */
  responseModel?: string | undefined;
  /**
   * When the call happened; selects dated prices. Defaults to now. An ISO 8601 string or epoch
   * milliseconds are accepted too; an invalid value means now.
   */
  at?: Date | string | number | undefined;
  /** Service tier; `standard` when absent. Provider spellings (`default`, `auto`, `scale`) are accepted. */
  serviceTier?: string | undefined;
  /** Whether the usage was estimated rather than reported by the provider. */
  estimated?: boolean | undefined;
  /**
   * The GenAI operation of one recorded call (`chat`, `text_completion`, `embeddings`, ...). When
   * given, other than `embeddings` (whose batches may hold many windows' worth), a usage above
   * `CONTEXT_WINDOW_MARGIN` times the model's context window is invalid (`exceeds_context_window`).
   * Leave it out to price a hypothetical usage (e.g. a million tokens).
   */
  operation?: string | undefined;
}

/** The cost of a call the price book could price. */
export interface PricedCost {
  priced: true;
  /** Total in `currency`. */
  amount: number;
  currency: 'USD';
  /** Cost per billing unit; sums to `amount`. Units with zero tokens are omitted. */
  breakdown: Partial<Record<BillingUnit, number>>;
  /** Token count per billing unit, as a partition of the call (no unit counted twice). */
  tokens: Partial<Record<BillingUnit, number>>;
  priceBookVersion: string;
  /** The provider and model id in the price book the call matched. */
  provider: string;
  matchedModel: string;
  serviceTier: ServiceTier;
  estimated: boolean;
  /** Names in `usage.requests` the model has no fee for; they are not charged. Absent when none. */
  unpricedRequests?: string[];
}

/** Why a call has no cost: the `tokenomics.unpriced_reason` attribute. */
export type UnpricedReason =
  | 'unknown_model'
  | 'unknown_provider'
  | 'no_usage'
  | 'no_price_for_unit'
  | 'no_price_at_date'
  | 'no_price_for_tier'
  | 'invalid_usage'
  /** The rates gave a cost that is not a finite non-negative number. */
  | 'invalid_cost';

/** A call the price book could not price; it carries no amount (never $0). */
export interface UnpricedCost {
  priced: false;
  /** Never 0: an unpriced call has no amount. */
  amount?: undefined;
  reason: UnpricedReason;
  /** Human-readable detail for diagnostics. */
  detail: string;
  /** For `invalid_usage`: the bounded reason of `usageProblem` (e.g. `input_tokens:too_large`). */
  invalidReason?: string;
  priceBookVersion: string;
  estimated: boolean;
  /** Set when the model resolved but could not be priced (tier, unit or date missing). */
  provider?: string;
  /** Set when the model resolved but could not be priced (tier, unit or date missing). */
  matchedModel?: string;
}

/** Result of `price()`: discriminate on `priced`. */
export type Cost = PricedCost | UnpricedCost;

/**
 * What the instrumentation, the exporter and the collector stage need from a price book: the
 * version of its data and a `price()` that turns one call's usage into a cost.
 */
export interface PriceBookLike {
  /** Version of the price data, written to `tokenomics.price_book.version`. */
  readonly version: string;
  /** Cost of one call's usage. Should not throw; if it does, the call is reported unpriced. */
  price(usage: Usage, opts: PriceOptions): Cost;
}
