/**
 * Token usage of one call, by billing unit, following the OpenTelemetry GenAI conventions:
 * `inputTokens` INCLUDES cache read and cache write tokens; `outputTokens` INCLUDES reasoning tokens.
 * Subsets are priced once, at their own rate.
 */
export interface Usage {
  /** All input tokens, including cache read and cache write tokens. */
  inputTokens?: number;
  /** All output tokens, including reasoning tokens. */
  outputTokens?: number;
  /** Input tokens read from the provider's prompt cache (subset of inputTokens). */
  cacheReadTokens?: number;
  /** Input tokens written to the cache with the default (5-minute) lifetime (subset of inputTokens). */
  cacheWriteTokens?: number;
  /** Input tokens written to the cache with a 1-hour lifetime (subset of inputTokens). */
  cacheWrite1hTokens?: number;
  /** Reasoning ("thinking") tokens (subset of outputTokens). */
  reasoningTokens?: number;
  /** Audio input tokens (subset of inputTokens). */
  inputAudioTokens?: number;
  /** Audio output tokens (subset of outputTokens). */
  outputAudioTokens?: number;
  /** Per-call fees, e.g. `{ web_search: 2 }`. */
  requests?: Record<string, number>;
}

/** Billing units that appear in a cost breakdown. */
export type BillingUnit =
  | 'input'
  | 'cache_read'
  | 'cache_write'
  | 'cache_write_1h'
  | 'output'
  | 'reasoning'
  | 'input_audio'
  | 'output_audio'
  | 'request';

export type ServiceTier = 'standard' | 'batch' | 'flex' | 'priority';

export interface PriceOptions {
  /** Provider id as in `gen_ai.provider.name` (`openai`, `anthropic`, `gcp.gemini`, `aws.bedrock`, ...). */
  provider?: string;
  /** Model string as sent or returned (dated snapshots, prefixes, Bedrock ids, ARNs are resolved). */
  model: string;
  /** When the call happened; selects dated prices. Defaults to now. */
  at?: Date;
  /** Service tier; `standard` when absent. Provider spellings (`default`, `auto`, `scale`) are accepted. */
  serviceTier?: string;
  /** Whether the usage was estimated rather than reported by the provider. */
  estimated?: boolean;
}

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
}

export type UnpricedReason = 'unknown_model' | 'unknown_provider' | 'no_usage' | 'no_price_for_unit' | 'no_price_at_date';

export interface UnpricedCost {
  priced: false;
  /** Never 0: an unpriced call has no amount. */
  amount?: undefined;
  reason: UnpricedReason;
  /** Human-readable detail for diagnostics. */
  detail: string;
  priceBookVersion: string;
  estimated: boolean;
}

export type Cost = PricedCost | UnpricedCost;
