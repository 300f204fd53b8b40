// The usage, request and cost shapes are the price-book interface of the telemetry contract,
// shared with the instrumentation, the exporter and the collector stage.
export type { Cost, PriceOptions, PricedCost, ServiceTier, UnpricedCost, UnpricedReason, Usage } from '@tokenomics/contract/price-book';
export type { BillingUnit } from '@tokenomics/contract/tokens';
import type { ServiceTier } from '@tokenomics/contract/price-book';

/** Where a price-book entry came from. */
export type PriceSource = 'bundled' | 'supplement' | 'prices_file' | 'overrides';

/** How a model string was matched to a price-book entry. */
export type MatchKind =
  /** The string itself matched the entry's match rules. */
  | 'exact'
  /** A normalised form matched (prefix, Bedrock id, ARN, date or version suffix removed). */
  | 'normalized'
  /** A user alias mapped the string to the entry. */
  | 'alias';

/** The price-book entry a model string resolved to. */
export interface ResolvedModel {
  /** Provider id (`gen_ai.provider.name` spelling) the entry was found under. */
  provider: string;
  /** Id of the entry in the price book. */
  model: string;
  /** Display name, when the data has one. */
  name?: string;
  /** The model string that was resolved. */
  input: string;
  /** The form of `input` that matched (equals `input` for `exact`). */
  matchedAs: string;
  matchedBy: MatchKind;
  source: PriceSource;
  contextWindow?: number;
}

/** Rates of one model in USD per million tokens (`request`: USD per call; `requests`: USD per unit). */
export interface RateCard {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  reasoning?: number;
  inputAudio?: number;
  outputAudio?: number;
  inputImage?: number;
  outputImage?: number;
  request?: number;
  requests?: Record<string, number>;
}

/** A model as listed by `PriceBook.list()`: its current standard rates. */
export interface ModelInfo {
  /** Provider id (`gen_ai.provider.name` spelling where one exists). */
  provider: string;
  model: string;
  name?: string;
  contextWindow?: number;
  /** Rates in force now at the standard tier, for prompts in the first context-length tier. */
  rates: RateCard;
  /** Higher rates that apply when a call's input tokens exceed `above`. */
  longContext?: { above: number; rates: RateCard }[];
  /** Service tiers the book can price for this model (always includes `standard`). */
  serviceTiers: ServiceTier[];
  /** Whether the entry has dated or time-of-day prices. */
  dated: boolean;
  source: PriceSource;
}

/**
 * What a call's prompt cache saved, and what its cache writes cost extra, in USD, each against the
 * same call priced as if those tokens were plain (uncached) input (`PriceBook.cacheSavings`):
 * - `savings` = cost with the cache reads as uncached input - real cost
 *   (= cache read tokens x (input rate - cache read rate));
 * - `writePremium` = real cost - cost with the cache writes as uncached input
 *   (= cache write tokens x (cache write rate - input rate), both write lifetimes).
 *
 * Context-length tiers, service tiers, dates, discounts and per-call fees are those of the real
 * call. A figure that would be negative (a cache read rate above the input rate) is 0.
 */
export interface CacheSavings {
  savings: number;
  writePremium: number;
}
