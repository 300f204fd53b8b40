/**
 * Names of the governance telemetry: provider rate-limit quotas, conversations, cache savings,
 * reconciliation of estimates and costs, and budgets.
 */
import { TOKEN_USAGE_BUCKETS, UNIT_CALL, UNIT_TOKEN, UNIT_USD, type MetricDefinition } from './metrics';

// --- Quotas (from the providers' rate-limit response headers) --------------------------------
/** Gauge: requests or tokens left in the provider's current rate-limit window. */
export const METRIC_TOKENOMICS_QUOTA_REMAINING = 'tokenomics.quota.remaining';
/** Gauge: the provider's rate limit for the window (same series as `tokenomics.quota.remaining`). */
export const METRIC_TOKENOMICS_QUOTA_LIMIT = 'tokenomics.quota.limit';
/** Counter: calls the provider refused with HTTP 429. */
export const METRIC_TOKENOMICS_QUOTA_RATE_LIMITED = 'tokenomics.quota.rate_limited';
/** What a quota counts: `requests`, `tokens`, `input_tokens`, `output_tokens` (`unknown` on a 429 without headers). */
export const ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE = 'tokenomics.quota.limit_type';
/** The limit types a provider's rate-limit headers name. */
export const QUOTA_LIMIT_TYPES = ['requests', 'tokens', 'input_tokens', 'output_tokens'] as const;
/** A limit type a provider's rate-limit headers name. */
export type QuotaLimitType = (typeof QUOTA_LIMIT_TYPES)[number];
/** `tokenomics.quota.limit_type` of a 429 whose headers name no exhausted limit. */
export const QUOTA_LIMIT_TYPE_UNKNOWN = 'unknown';

// --- Conversations (calls sharing `gen_ai.conversation.id`) ------------------------------------
/** Span attribute: 1-based turn number of the call within its named conversation. */
export const ATTR_TOKENOMICS_CONVERSATION_TURN = 'tokenomics.conversation.turn';
/** Span attribute: the conversation's input tokens so far, this call included. */
export const ATTR_TOKENOMICS_CONVERSATION_INPUT_TOKENS = 'tokenomics.conversation.input_tokens';
/** Span attribute: the conversation's priced cost so far (USD), this call included. */
export const ATTR_TOKENOMICS_CONVERSATION_COST = 'tokenomics.conversation.cost';
/** Histogram: input tokens of each call of a named conversation. */
export const METRIC_TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS = 'tokenomics.conversation.turn_input_tokens';
/** Bounded turn bucket on the conversation metric: `1`, `2`, `3`, `4`, `5`, `6-10`, `11-20`, `21-50`, `51+`. */
export const ATTR_TOKENOMICS_CONVERSATION_TURN_RANGE = 'tokenomics.conversation.turn_range';
/** Attribution key naming a conversation (`withAttribution({ conversation: id }, ...)`), written to spans as `gen_ai.conversation.id`. */
export const ATTRIBUTION_KEY_CONVERSATION = 'conversation';

// --- Cache savings -------------------------------------------------------------------------------
/** Counter (USD): what cache reads saved against the uncached input rate. */
export const METRIC_TOKENOMICS_CACHE_SAVINGS = 'tokenomics.cache.savings';
/**
 * Counter (USD): what cache writes cost above the uncached input rate of the same call; the net
 * saving is `tokenomics.cache.savings` minus this.
 */
export const METRIC_TOKENOMICS_CACHE_WRITE_PREMIUM = 'tokenomics.cache.write_premium';

// --- Reconciliation --------------------------------------------------------------------------------
/** Histogram (ratio): locally estimated input tokens over billed input tokens, for sampled calls. */
export const METRIC_TOKENOMICS_RECONCILIATION_INPUT_TOKENS = 'tokenomics.reconciliation.input_tokens';
/** Histogram (ratio): provider-reported cost over the price book's figure for the same call. */
export const METRIC_TOKENOMICS_RECONCILIATION_COST = 'tokenomics.reconciliation.cost';
/** The tiktoken encoding an estimate was counted with (`o200k_base`, `cl100k_base`, ...). */
export const ATTR_TOKENOMICS_TOKEN_ENCODING = 'tokenomics.token.encoding';

// --- Budgets ---------------------------------------------------------------------------------------
/** Span event: a call's estimate plus its window's spend passes a budget. */
export const EVENT_TOKENOMICS_BUDGET_EXCEEDED = 'tokenomics.budget.exceeded';
/** Counter: calls let through over a `warn` budget. */
export const METRIC_TOKENOMICS_BUDGET_WARNINGS = 'tokenomics.budget.warnings';
/** Counter: calls a `reject` budget stopped before they were sent. */
export const METRIC_TOKENOMICS_BUDGET_REJECTIONS = 'tokenomics.budget.rejections';
/** Budget name (from the budgets file). */
export const ATTR_TOKENOMICS_BUDGET_NAME = 'tokenomics.budget.name';
/** Budget window: `hour`, `day` or `30d`. */
export const ATTR_TOKENOMICS_BUDGET_WINDOW = 'tokenomics.budget.window';
/** Budget action: `warn` or `reject`. */
export const ATTR_TOKENOMICS_BUDGET_ACTION = 'tokenomics.budget.action';
/** Budget limit, USD per window. */
export const ATTR_TOKENOMICS_BUDGET_LIMIT = 'tokenomics.budget.limit';
/** Spend in the window (billed, plus calls in flight), USD. */
export const ATTR_TOKENOMICS_BUDGET_SPENT = 'tokenomics.budget.spent';
/** Estimated cost of the call, USD. */
export const ATTR_TOKENOMICS_BUDGET_ESTIMATE = 'tokenomics.budget.estimate';
/** Where a budget comes from: `shipped_default`, `budgets_file`, or none (the user's own series). */
export const ATTR_TOKENOMICS_BUDGET_SOURCE = 'tokenomics.budget.source';
/** Prometheus series of the generated budget rules: the budget in USD per hour. */
export const PROMETHEUS_TOKENOMICS_BUDGET_USD_PER_HOUR = 'tokenomics_budget_usd_per_hour';
/** Label of the generated budget series: the budget's name. */
export const PROMETHEUS_LABEL_TOKENOMICS_BUDGET_NAME = 'tokenomics_budget_name';
/** Label of the generated budget series: where the budget was defined. */
export const PROMETHEUS_LABEL_TOKENOMICS_BUDGET_SOURCE = 'tokenomics_budget_source';

/** Unit of a dimensionless ratio. */
export const UNIT_RATIO = '1';
/** Unit of a quota: a count of requests or tokens, whichever the limit type says. */
export const UNIT_QUOTA = '{1}';
/** Ratio bucket advice around 1 (exact). */
export const RATIO_BUCKETS: number[] = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 1, 1.01, 1.02, 1.05, 1.1, 1.2, 1.5, 2];

/** How `tokenomics.quota.remaining` (gauge) is declared. */
export const TOKENOMICS_QUOTA_REMAINING: MetricDefinition = {
  name: METRIC_TOKENOMICS_QUOTA_REMAINING,
  unit: UNIT_QUOTA,
  description: "Requests or tokens left in the provider's current rate-limit window, from its response headers",
};
/** How `tokenomics.quota.limit` (gauge) is declared. */
export const TOKENOMICS_QUOTA_LIMIT: MetricDefinition = {
  name: METRIC_TOKENOMICS_QUOTA_LIMIT,
  unit: UNIT_QUOTA,
  description: "The provider's rate limit (requests or tokens) for the window, from its response headers",
};
/** How `tokenomics.quota.rate_limited` (counter) is declared. */
export const TOKENOMICS_QUOTA_RATE_LIMITED: MetricDefinition = {
  name: METRIC_TOKENOMICS_QUOTA_RATE_LIMITED,
  unit: UNIT_CALL,
  description: 'Calls the provider refused with HTTP 429, by the limit type its headers name',
};
/** How `tokenomics.conversation.turn_input_tokens` (histogram) is declared. */
export const TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS: MetricDefinition = {
  name: METRIC_TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS,
  unit: UNIT_TOKEN,
  description: 'Input tokens of each call of a named conversation, by turn range: how context grows turn after turn',
  buckets: TOKEN_USAGE_BUCKETS,
};
/** How `tokenomics.cache.savings` (counter) is declared. */
export const TOKENOMICS_CACHE_SAVINGS: MetricDefinition = {
  name: METRIC_TOKENOMICS_CACHE_SAVINGS,
  unit: UNIT_USD,
  description: 'What cache reads saved against the uncached input price of the same call (USD)',
};
/** How `tokenomics.cache.write_premium` (counter) is declared. */
export const TOKENOMICS_CACHE_WRITE_PREMIUM: MetricDefinition = {
  name: METRIC_TOKENOMICS_CACHE_WRITE_PREMIUM,
  unit: UNIT_USD,
  description: 'What cache writes cost above the uncached input price of the same call (USD); net savings = savings - write premium',
};
/** How `tokenomics.reconciliation.input_tokens` (histogram) is declared. */
export const TOKENOMICS_RECONCILIATION_INPUT_TOKENS: MetricDefinition = {
  name: METRIC_TOKENOMICS_RECONCILIATION_INPUT_TOKENS,
  unit: UNIT_RATIO,
  description: 'Sampled calls: locally estimated input tokens over billed input tokens (1 = exact; relative error = ratio - 1)',
  buckets: RATIO_BUCKETS,
};
/** How `tokenomics.reconciliation.cost` (histogram) is declared. */
export const TOKENOMICS_RECONCILIATION_COST: MetricDefinition = {
  name: METRIC_TOKENOMICS_RECONCILIATION_COST,
  unit: UNIT_RATIO,
  description: "Provider-reported cost over the price book's figure for the same call (1 = the book agrees)",
  buckets: RATIO_BUCKETS,
};
/** How `tokenomics.budget.warnings` (counter) is declared. */
export const TOKENOMICS_BUDGET_WARNINGS: MetricDefinition = {
  name: METRIC_TOKENOMICS_BUDGET_WARNINGS,
  unit: UNIT_CALL,
  description: 'Calls let through although their estimate passes a budget with action warn',
};
/** How `tokenomics.budget.rejections` (counter) is declared. */
export const TOKENOMICS_BUDGET_REJECTIONS: MetricDefinition = {
  name: METRIC_TOKENOMICS_BUDGET_REJECTIONS,
  unit: UNIT_CALL,
  description: 'Calls rejected with BudgetExceededError before they were sent',
};
