/**
 * Attribute and metric names used by the recorder. GenAI names follow the OpenTelemetry semantic
 * conventions (development status, so they are pinned here rather than imported); Tokenomics' own
 * extras live under `tokenomics.*`.
 */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Deprecated predecessor of `gen_ai.provider.name`, emitted only when opted in. */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Input tokens written to a provider-managed cache (a subset of `gen_ai.usage.input_tokens`). */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/** Deprecated predecessor of `gen_ai.usage.cache_write.input_tokens`, emitted only when opted in. */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_USAGE_COST_AMOUNT = 'gen_ai.usage.cost.amount';
export const ATTR_GEN_AI_USAGE_COST_CURRENCY = 'gen_ai.usage.cost.currency';
export const ATTR_GEN_AI_USAGE_COST_SOURCE = 'gen_ai.usage.cost.source';
/**
 * `gen_ai.usage.cost.source` value for a cost computed locally from the price book (open semconv
 * proposal: `local`; the provider-reported value is `provider`).
 */
export const COST_SOURCE_LOCAL = 'local';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';

export const ATTR_TOKENOMICS_USAGE_ESTIMATED = 'tokenomics.usage.estimated';
/**
 * Why a call's usage estimate could not be counted (`timeout`, `queue_full`, `worker_failed`,
 * `too_large`): the call ended with the usage it knew, if any.
 */
export const ATTR_TOKENOMICS_USAGE_ESTIMATE_UNAVAILABLE = 'tokenomics.usage.estimate_unavailable';
export const ATTR_TOKENOMICS_UNPRICED = 'tokenomics.unpriced';
export const ATTR_TOKENOMICS_UNPRICED_REASON = 'tokenomics.unpriced_reason';
export const ATTR_TOKENOMICS_PRICE_BOOK_VERSION = 'tokenomics.price_book.version';
export const ATTR_TOKENOMICS_PRICING_MODEL = 'tokenomics.pricing.model';
export const ATTR_TOKENOMICS_COST_PREFIX = 'tokenomics.cost.';
export const ATTR_TOKENOMICS_TOKEN_TYPE = 'tokenomics.token.type';
/** Service tier asked for / served, for providers without a semconv attribute of their own. */
export const ATTR_TOKENOMICS_REQUEST_SERVICE_TIER = 'tokenomics.request.service_tier';
export const ATTR_TOKENOMICS_RESPONSE_SERVICE_TIER = 'tokenomics.response.service_tier';
export const ATTR_TOKENOMICS_STREAM_OUTCOME = 'tokenomics.stream.outcome';
export const ATTR_TOKENOMICS_ATTRIBUTION_PREFIX = 'tokenomics.attribution.';
/** True on a call whose usage was malformed or implausible: its counts are not recorded or priced. */
export const ATTR_TOKENOMICS_USAGE_INVALID = 'tokenomics.usage.invalid';
/** Why the usage was invalid: `<field>:<problem>` or a consistency problem (bounded values). */
export const ATTR_TOKENOMICS_USAGE_INVALID_REASON = 'tokenomics.usage.invalid_reason';
/** Marks the one series of a metric that takes what its series cap left out (OpenTelemetry SDK convention). */
export const ATTR_OTEL_METRIC_OVERFLOW = 'otel.metric.overflow';

export const METRIC_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
export const METRIC_TOKENS = 'tokenomics.tokens';
export const METRIC_COST = 'tokenomics.cost';
export const METRIC_CALLS_UNPRICED = 'tokenomics.calls.unpriced';
export const METRIC_CALLS_ESTIMATED = 'tokenomics.calls.estimated';
export const METRIC_CALLS_INVALID_USAGE = 'tokenomics.calls.invalid_usage';

/** Bucket advice from the GenAI semantic conventions. */
export const TOKEN_USAGE_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** Value of an attribute past its cardinality cap. */
export const OVERFLOW_VALUE = '_other';
