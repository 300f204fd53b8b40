/**
 * Telemetry names of quota headroom, conversation cost, cache savings and reconciliation.
 * TODO(contract): these move to `@tokenomics/contract` (requested); until then they are defined
 * here, in one place, and imported from here only.
 */
import { TOKEN_USAGE_BUCKETS, UNIT_CALL, UNIT_TOKEN, UNIT_USD, type MetricDefinition } from '@tokenomics/contract';

/** Limit type of a quota gauge or a 429 count: `requests`, `tokens`, `input_tokens`, `output_tokens` (`unknown` on a 429 without headers). */
export const ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE = 'tokenomics.quota.limit_type';
/** The limit types a provider's rate-limit headers name. */
export const QUOTA_LIMIT_TYPES = ['requests', 'tokens', 'input_tokens', 'output_tokens'] as const;
/** A limit type a provider's rate-limit headers name. */
export type QuotaLimitType = (typeof QUOTA_LIMIT_TYPES)[number];
/** `tokenomics.quota.limit_type` of a 429 whose headers name no exhausted limit. */
export const QUOTA_LIMIT_TYPE_UNKNOWN = 'unknown';

/** Turn number of a call within its named conversation (1-based). */
export const ATTR_TOKENOMICS_CONVERSATION_TURN = 'tokenomics.conversation.turn';
/** The conversation's input tokens so far, this call included. */
export const ATTR_TOKENOMICS_CONVERSATION_INPUT_TOKENS = 'tokenomics.conversation.input_tokens';
/** The conversation's priced cost so far in USD, this call included. */
export const ATTR_TOKENOMICS_CONVERSATION_COST = 'tokenomics.conversation.cost';
/** Bounded turn bucket on `tokenomics.conversation.turn_input_tokens`. */
export const ATTR_TOKENOMICS_CONVERSATION_TURN_RANGE = 'tokenomics.conversation.turn_range';
/** Encoding an input estimate was counted with. */
export const ATTR_TOKENOMICS_TOKEN_ENCODING = 'tokenomics.token.encoding';

/** Ratio bucket advice around 1 (exact). */
export const RATIO_BUCKETS: number[] = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 1, 1.01, 1.02, 1.05, 1.1, 1.2, 1.5, 2];

/** `tokenomics.quota.remaining` gauge. */
export const TOKENOMICS_QUOTA_REMAINING: MetricDefinition = {
  name: 'tokenomics.quota.remaining',
  unit: '{1}',
  description: "Requests or tokens left in the provider's current rate-limit window, from its response headers",
};
/** `tokenomics.quota.limit` gauge. */
export const TOKENOMICS_QUOTA_LIMIT: MetricDefinition = {
  name: 'tokenomics.quota.limit',
  unit: '{1}',
  description: "The provider's rate limit (requests or tokens) for the window, from its response headers",
};
/** `tokenomics.quota.rate_limited` counter. */
export const TOKENOMICS_QUOTA_RATE_LIMITED: MetricDefinition = {
  name: 'tokenomics.quota.rate_limited',
  unit: UNIT_CALL,
  description: 'Calls the provider refused with HTTP 429, by the limit type its headers name',
};
/** `tokenomics.conversation.turn_input_tokens` histogram. */
export const TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS: MetricDefinition = {
  name: 'tokenomics.conversation.turn_input_tokens',
  unit: UNIT_TOKEN,
  description: 'Input tokens of each call of a named conversation, by turn range: how context grows turn after turn',
  buckets: TOKEN_USAGE_BUCKETS,
};
/** `tokenomics.cache.savings` counter. */
export const TOKENOMICS_CACHE_SAVINGS: MetricDefinition = {
  name: 'tokenomics.cache.savings',
  unit: UNIT_USD,
  description: 'What cache reads saved against the uncached input price of the same call (USD)',
};
/** `tokenomics.cache.write_premium` counter. */
export const TOKENOMICS_CACHE_WRITE_PREMIUM: MetricDefinition = {
  name: 'tokenomics.cache.write_premium',
  unit: UNIT_USD,
  description: 'What cache writes cost above the uncached input price of the same call (USD); net savings = savings - write premium',
};
/** `tokenomics.reconciliation.input_tokens` histogram. */
export const TOKENOMICS_RECONCILIATION_INPUT_TOKENS: MetricDefinition = {
  name: 'tokenomics.reconciliation.input_tokens',
  unit: '1',
  description: 'Sampled calls: locally estimated input tokens over billed input tokens (1 = exact; relative error = ratio - 1)',
  buckets: RATIO_BUCKETS,
};
/** `tokenomics.reconciliation.cost` histogram. */
export const TOKENOMICS_RECONCILIATION_COST: MetricDefinition = {
  name: 'tokenomics.reconciliation.cost',
  unit: '1',
  description: "Provider-reported cost over the price book's figure for the same call (1 = the book agrees)",
  buckets: RATIO_BUCKETS,
};

/** Attribution key naming a conversation (`withAttribution({ conversation: id }, ...)`), written to spans as `gen_ai.conversation.id`. */
export const ATTRIBUTION_KEY_CONVERSATION = 'conversation';
