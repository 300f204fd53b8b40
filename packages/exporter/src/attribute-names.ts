/**
 * Attribute and metric names the exporter reads and writes. GenAI names follow the OpenTelemetry
 * semantic conventions (development status, so they are pinned here); names from other
 * instrumentations (OpenLLMetry / Traceloop, OpenLIT, older semconv releases) are listed so the
 * exporter can read telemetry from any of them. Tokenomics' own extras live under `tokenomics.*`.
 */

// --- GenAI semantic conventions (current) ---------------------------------------------------
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_USAGE_COST_AMOUNT = 'gen_ai.usage.cost.amount';
export const ATTR_GEN_AI_USAGE_COST_CURRENCY = 'gen_ai.usage.cost.currency';
export const ATTR_GEN_AI_USAGE_COST_SOURCE = 'gen_ai.usage.cost.source';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';

// --- older semantic-convention releases ------------------------------------------------------
/** Deprecated predecessor of `gen_ai.provider.name`. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
/** Name of `gen_ai.usage.cache_write.input_tokens` before the conventions' 2026 rename. */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER = 'gen_ai.openai.response.service_tier';
export const ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER = 'gen_ai.openai.request.service_tier';
/** Service tier of providers without a semconv attribute, as Tokenomics instrumentations record it. */
export const ATTR_TOKENOMICS_RESPONSE_SERVICE_TIER = 'tokenomics.response.service_tier';
export const ATTR_TOKENOMICS_REQUEST_SERVICE_TIER = 'tokenomics.request.service_tier';

// --- OpenLLMetry / Traceloop -----------------------------------------------------------------
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';
export const ATTR_LLM_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens';
export const ATTR_GEN_AI_USAGE_TOTAL_TOKENS = 'gen_ai.usage.total_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_FLAT = 'gen_ai.usage.cache_read_input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT = 'gen_ai.usage.cache_creation_input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_TOKENS_FLAT = 'gen_ai.usage.reasoning_tokens';

// --- OpenLIT ---------------------------------------------------------------------------------
/** OpenLIT's own cost figure (USD, from its pricing file). */
export const ATTR_OPENLIT_USAGE_COST = 'gen_ai.usage.cost';
export const ATTR_OPENLIT_CACHE_READ = 'gen_ai.usage.prompt_tokens_details.cache_read';
export const ATTR_OPENLIT_CACHE_WRITE = 'gen_ai.usage.prompt_tokens_details.cache_write';
export const ATTR_OPENLIT_REASONING = 'gen_ai.usage.completion_tokens_details.reasoning';

// --- Tokenomics ------------------------------------------------------------------------------
export const ATTR_TOKENOMICS_USAGE_ESTIMATED = 'tokenomics.usage.estimated';
export const ATTR_TOKENOMICS_UNPRICED = 'tokenomics.unpriced';
export const ATTR_TOKENOMICS_UNPRICED_REASON = 'tokenomics.unpriced_reason';
export const ATTR_TOKENOMICS_USAGE_INVALID = 'tokenomics.usage.invalid';
export const ATTR_TOKENOMICS_USAGE_INVALID_REASON = 'tokenomics.usage.invalid_reason';
export const ATTR_TOKENOMICS_PRICE_BOOK_VERSION = 'tokenomics.price_book.version';
/** Our price-book figure on a span that another source already priced (its figure is kept). */
export const ATTR_TOKENOMICS_PRICE_BOOK_COST = 'tokenomics.price_book.cost';
export const ATTR_TOKENOMICS_PRICING_MODEL = 'tokenomics.pricing.model';
export const ATTR_TOKENOMICS_COST_PREFIX = 'tokenomics.cost.';
export const ATTR_TOKENOMICS_DUPLICATE_OF = 'tokenomics.duplicate_of';
export const ATTR_TOKENOMICS_TOKEN_TYPE = 'tokenomics.token.type';

export const ATTR_TOKENOMICS_EXPORTER_OUTCOME = 'tokenomics.exporter.outcome';
export const ATTR_TOKENOMICS_EXPORTER_ATTRIBUTE = 'tokenomics.exporter.attribute';

// --- metrics ---------------------------------------------------------------------------------
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_TOKENOMICS_COST = 'tokenomics.cost';
export const METRIC_TOKENOMICS_CALLS_UNPRICED = 'tokenomics.calls.unpriced';
export const METRIC_EXPORTER_SPANS = 'tokenomics.exporter.spans';
export const METRIC_EXPORTER_INVALID_VALUES = 'tokenomics.exporter.invalid_values';
export const METRIC_EXPORTER_METRIC_POINTS = 'tokenomics.exporter.metric_points';

/**
 * Value of `gen_ai.usage.cost.source` for costs this package computes from the price book
 * (`local` in the open semconv cost proposal; the provider-reported value is `provider`).
 */
export const COST_SOURCE_LOCAL = 'local';
/**
 * Value older Tokenomics releases wrote to `gen_ai.usage.cost.source`. Never written now; a span
 * carrying it is already priced like any span with `gen_ai.usage.cost.amount`.
 */
export const COST_SOURCE_PRICE_BOOK_LEGACY = 'price_book';

/** Instrumentation-scope prefix of Tokenomics' own instrumentations. */
export const TOKENOMICS_SCOPE_PREFIX = '@tokenomics/';
