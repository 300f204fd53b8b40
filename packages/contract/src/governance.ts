/**
 * Names of the governance telemetry: provider rate-limit quotas, conversations, cache savings,
 * reconciliation of estimates and costs, and budgets.
 */
import { TOKEN_USAGE_BUCKETS, type MetricDefinition } from './metrics';

// --- Quotas (from the providers' rate-limit response headers) --------------------------------
/** Gauge: requests or tokens left in the provider's current rate-limit window. */
export const METRIC_TOKENOMICS_QUOTA_REMAINING = 'tokenomics.quota.remaining';
/** Gauge: the provider's rate limit for the window (same series as `tokenomics.quota.remaining`). */
export const METRIC_TOKENOMICS_QUOTA_LIMIT = 'tokenomics.quota.limit';
/** Counter: calls the provider refused with HTTP 429. */
export const METRIC_TOKENOMICS_QUOTA_RATE_LIMITED = 'tokenomics.quota.rate_limited';
/** What a quota counts: `requests`, `tokens`, `input_tokens`, `output_tokens` (`unknown` on a 429 without headers). */
export const ATTR_TOKENOMICS_QUOTA_LIMIT_TYPE = 'tokenomics.quota.limit_type';

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
/** Prometheus series of the generated budget rules: the budget in USD per hour. */
export const PROMETHEUS_TOKENOMICS_BUDGET_USD_PER_HOUR = 'tokenomics_budget_usd_per_hour';
/** Label of the generated budget series: the budget's name. */
export const PROMETHEUS_LABEL_TOKENOMICS_BUDGET_NAME = 'tokenomics_budget_name';
/** Label of the generated budget series: where the budget was defined. */
export const PROMETHEUS_LABEL_TOKENOMICS_BUDGET_SOURCE = 'tokenomics_budget_source';

/** Unit of a dimensionless value (a count of requests or tokens in a quota, a ratio). */
export const UNIT_ONE = '1';

/** How `METRIC_TOKENOMICS_QUOTA_REMAINING` is declared. */
export const TOKENOMICS_QUOTA_REMAINING: MetricDefinition = {
  name: METRIC_TOKENOMICS_QUOTA_REMAINING,
  unit: UNIT_ONE,
  description: "Requests or tokens left in the provider's current rate-limit window, from its response headers",
};
/** How `METRIC_TOKENOMICS_QUOTA_LIMIT` is declared. */
export const TOKENOMICS_QUOTA_LIMIT: MetricDefinition = {
  name: METRIC_TOKENOMICS_QUOTA_LIMIT,
  unit: UNIT_ONE,
  description: "The provider's rate limit for the current window, from its response headers",
};
/** How `METRIC_TOKENOMICS_QUOTA_RATE_LIMITED` is declared. */
export const TOKENOMICS_QUOTA_RATE_LIMITED: MetricDefinition = {
  name: METRIC_TOKENOMICS_QUOTA_RATE_LIMITED,
  unit: '{call}',
  description: 'Calls the provider refused with HTTP 429',
};
/** How `METRIC_TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS` is declared. */
export const TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS: MetricDefinition = {
  name: METRIC_TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS,
  unit: '{token}',
  description: 'Input tokens of each call of a named conversation, by turn range',
  buckets: TOKEN_USAGE_BUCKETS,
};
/** How `METRIC_TOKENOMICS_CACHE_SAVINGS` is declared. */
export const TOKENOMICS_CACHE_SAVINGS: MetricDefinition = {
  name: METRIC_TOKENOMICS_CACHE_SAVINGS,
  unit: 'USD',
  description: 'What cache reads saved against the uncached input rate',
};
/** How `METRIC_TOKENOMICS_CACHE_WRITE_PREMIUM` is declared. */
export const TOKENOMICS_CACHE_WRITE_PREMIUM: MetricDefinition = {
  name: METRIC_TOKENOMICS_CACHE_WRITE_PREMIUM,
  unit: 'USD',
  description: 'What cache writes cost above the uncached input rate of the same call',
};
/** How `METRIC_TOKENOMICS_RECONCILIATION_INPUT_TOKENS` is declared. */
export const TOKENOMICS_RECONCILIATION_INPUT_TOKENS: MetricDefinition = {
  name: METRIC_TOKENOMICS_RECONCILIATION_INPUT_TOKENS,
  unit: UNIT_ONE,
  description: 'Sampled calls: locally estimated input tokens over billed input tokens (1 = exact)',
};
/** How `METRIC_TOKENOMICS_RECONCILIATION_COST` is declared. */
export const TOKENOMICS_RECONCILIATION_COST: MetricDefinition = {
  name: METRIC_TOKENOMICS_RECONCILIATION_COST,
  unit: UNIT_ONE,
  description: "Provider-reported cost over the price book's figure for the same call (1 = agree)",
};
/** How `METRIC_TOKENOMICS_BUDGET_WARNINGS` is declared. */
export const TOKENOMICS_BUDGET_WARNINGS: MetricDefinition = {
  name: METRIC_TOKENOMICS_BUDGET_WARNINGS,
  unit: '{call}',
  description: 'Calls let through over a warn-mode budget',
};
/** How `METRIC_TOKENOMICS_BUDGET_REJECTIONS` is declared. */
export const TOKENOMICS_BUDGET_REJECTIONS: MetricDefinition = {
  name: METRIC_TOKENOMICS_BUDGET_REJECTIONS,
  unit: '{call}',
  description: 'Calls the budget guard rejected before sending',
};
