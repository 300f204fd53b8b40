/**
 * Every attribute name Tokenomics writes or reads. GenAI names follow the OpenTelemetry GenAI
 * semantic conventions (open-telemetry/semantic-conventions-genai; development status, so the names
 * are pinned here rather than imported from a semconv package). Tokenomics' own attributes live
 * under `tokenomics.*`. Names other instrumentations write (older convention releases, OpenLLMetry,
 * OpenLIT) are listed so that readers (the exporter, the collector stage) accept them.
 *
 * @packageDocumentation
 */

/** Prefix of every GenAI semantic-convention attribute. */
export const GEN_AI_ATTRIBUTE_PREFIX = 'gen_ai.';

// --- GenAI semantic conventions: current names ----------------------------------------------

/** The operation: `chat`, `text_completion`, `embeddings`, `generate_content`, ... */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** The provider, one of {@link PROVIDER_NAMES} or a project value (see `providers.ts`). */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** `gen_ai.request.model` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
/** `gen_ai.response.model` (GenAI semantic conventions). */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
/** `gen_ai.response.id` (GenAI semantic conventions). */
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
/** `gen_ai.response.finish_reasons` (GenAI semantic conventions). */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/** `gen_ai.request.max_tokens` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
/** `gen_ai.request.temperature` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
/** `gen_ai.request.top_p` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
/** `gen_ai.request.top_k` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
/** `gen_ai.request.frequency_penalty` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
/** `gen_ai.request.presence_penalty` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
/** `gen_ai.request.stop_sequences` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
/** `gen_ai.request.seed` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
/** `gen_ai.request.choice.count` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
/** `gen_ai.request.encoding_formats` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
/** `gen_ai.request.stream` (GenAI semantic conventions). */
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
/** `gen_ai.embeddings.dimension.count` (GenAI semantic conventions). */
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
/** `gen_ai.conversation.id` (GenAI semantic conventions). */
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
/** `gen_ai.output.type` (GenAI semantic conventions). */
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
/** `gen_ai.input.messages` (GenAI semantic conventions). */
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
/** `gen_ai.output.messages` (GenAI semantic conventions). */
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
/** All input tokens, including cache read, cache write, audio and image tokens. */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
/** All output tokens, including reasoning, audio and image tokens. */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Input tokens served from a provider-managed cache (a subset of `gen_ai.usage.input_tokens`). */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Input tokens written to a provider-managed cache (a subset of `gen_ai.usage.input_tokens`). */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/** Output tokens spent reasoning (a subset of `gen_ai.usage.output_tokens`). */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** `input` or `output` on `gen_ai.client.token.usage` (see {@link GEN_AI_TOKEN_TYPES}). */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
/**
 * Cost of the call. The three cost attributes follow an open proposal to the GenAI conventions;
 * if it lands with other names, the names change here and readers accept both.
 */
export const ATTR_GEN_AI_USAGE_COST_AMOUNT = 'gen_ai.usage.cost.amount';
/** Currency of `gen_ai.usage.cost.amount`: always `USD` here (open proposal). */
export const ATTR_GEN_AI_USAGE_COST_CURRENCY = 'gen_ai.usage.cost.currency';
/** Who computed the cost: {@link COST_SOURCE_LOCAL} or {@link COST_SOURCE_PROVIDER} (open proposal). */
export const ATTR_GEN_AI_USAGE_COST_SOURCE = 'gen_ai.usage.cost.source';

/** `gen_ai.usage.cost.source` value for a cost computed locally from the price book. */
export const COST_SOURCE_LOCAL = 'local';
/** `gen_ai.usage.cost.source` value for a cost the provider reported. */
export const COST_SOURCE_PROVIDER = 'provider';
/**
 * Value older Tokenomics releases wrote to `gen_ai.usage.cost.source`. Never written now; readers
 * treat a span carrying it like any span with `gen_ai.usage.cost.amount`.
 */
export const COST_SOURCE_PRICE_BOOK_LEGACY = 'price_book';
/** The only value of `gen_ai.usage.cost.currency` Tokenomics writes. */
export const COST_CURRENCY_USD = 'USD';

// Provider-specific (semconv) attributes
/** `openai.request.service_tier` (GenAI semantic conventions, OpenAI and Azure OpenAI). */
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
/** `openai.response.service_tier` (GenAI semantic conventions, OpenAI and Azure OpenAI). */
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';

// General semconv attributes used on GenAI spans and metrics
/** The service a call came from (a resource attribute; kept on the collector stage's cost metrics). */
export const ATTR_SERVICE_NAME = 'service.name';
/** The instance of a service (a resource attribute): a collector stage replica puts its own on the cost counters it emits, so replicas send distinct cumulative series. */
export const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';
/** `server.address` (general semantic conventions). */
export const ATTR_SERVER_ADDRESS = 'server.address';
/** `server.port` (general semantic conventions). */
export const ATTR_SERVER_PORT = 'server.port';
/** `error.type` (general semantic conventions). */
export const ATTR_ERROR_TYPE = 'error.type';
/** Marks the one series of a metric that takes what its series cap left out (OpenTelemetry SDK convention). */
export const ATTR_OTEL_METRIC_OVERFLOW = 'otel.metric.overflow';

// --- GenAI semantic conventions: older names (emitted only with the opt-in, always read) -----

/** Deprecated predecessor of `gen_ai.provider.name` (values: see `deprecatedSystemName`). */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
/** Name of `gen_ai.usage.cache_write.input_tokens` before the conventions' 2026 rename. */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Deprecated predecessor of `gen_ai.usage.input_tokens`. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
/** Deprecated predecessor of `gen_ai.usage.output_tokens`. */
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
/** Deprecated predecessor of `openai.response.service_tier`. */
export const ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER = 'gen_ai.openai.response.service_tier';
/** Deprecated predecessor of `openai.request.service_tier`. */
export const ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER = 'gen_ai.openai.request.service_tier';

// --- Names other instrumentations write (read only) -----------------------------------------

/** OpenLLMetry / Traceloop: `chat`, `completion`, `embedding`. */
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';
/** OpenLLMetry / Traceloop total. */
export const ATTR_LLM_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens';
/** `gen_ai.usage.total_tokens`, as OpenLLMetry / Traceloop write it (read only). */
export const ATTR_GEN_AI_USAGE_TOTAL_TOKENS = 'gen_ai.usage.total_tokens';
/** OpenLLMetry / Traceloop flat spellings of the cache and reasoning subsets. */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_FLAT = 'gen_ai.usage.cache_read_input_tokens';
/** `gen_ai.usage.cache_creation_input_tokens`, as OpenLLMetry / Traceloop write it (read only). */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT = 'gen_ai.usage.cache_creation_input_tokens';
/** `gen_ai.usage.reasoning_tokens`, as OpenLLMetry / Traceloop write it (read only). */
export const ATTR_GEN_AI_USAGE_REASONING_TOKENS_FLAT = 'gen_ai.usage.reasoning_tokens';
/** OpenLIT's own cost figure (USD, from its pricing file). */
export const ATTR_OPENLIT_USAGE_COST = 'gen_ai.usage.cost';
/** `gen_ai.usage.prompt_tokens_details.cache_read`, as OpenLIT writes it (read only). */
export const ATTR_OPENLIT_CACHE_READ = 'gen_ai.usage.prompt_tokens_details.cache_read';
/** `gen_ai.usage.prompt_tokens_details.cache_write`, as OpenLIT writes it (read only). */
export const ATTR_OPENLIT_CACHE_WRITE = 'gen_ai.usage.prompt_tokens_details.cache_write';
/** `gen_ai.usage.completion_tokens_details.reasoning`, as OpenLIT writes it (read only). */
export const ATTR_OPENLIT_REASONING = 'gen_ai.usage.completion_tokens_details.reasoning';

// OpenInference
/** OpenInference span kind (`LLM`, `EMBEDDING`, `CHAIN`, `AGENT`, `TOOL`, ...). */
export const ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
/** `llm.model_name`, as OpenInference writes it (read only). */
export const ATTR_LLM_MODEL_NAME = 'llm.model_name';
/** `llm.provider`, as OpenInference writes it (read only). */
export const ATTR_LLM_PROVIDER = 'llm.provider';
/** `llm.system`, as OpenInference writes it (read only). */
export const ATTR_LLM_SYSTEM = 'llm.system';
/** `llm.token_count.prompt`, as OpenInference writes it (read only). */
export const ATTR_LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
/** `llm.token_count.completion`, as OpenInference writes it (read only). */
export const ATTR_LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
/** `llm.token_count.total`, as OpenInference writes it (read only). */
export const ATTR_LLM_TOKEN_COUNT_TOTAL = 'llm.token_count.total';
/** `llm.token_count.prompt_details.cache_read`, as OpenInference writes it (read only). */
export const ATTR_LLM_TOKEN_COUNT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
/** `llm.token_count.prompt_details.cache_write`, as OpenInference writes it (read only). */
export const ATTR_LLM_TOKEN_COUNT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
/** `llm.token_count.completion_details.reasoning`, as OpenInference writes it (read only). */
export const ATTR_LLM_TOKEN_COUNT_REASONING = 'llm.token_count.completion_details.reasoning';

// OpenLLMetry (older releases)
/** `llm.usage.prompt_tokens`, as older OpenLLMetry releases write it (read only). */
export const ATTR_LLM_USAGE_PROMPT_TOKENS = 'llm.usage.prompt_tokens';
/** `llm.usage.completion_tokens`, as older OpenLLMetry releases write it (read only). */
export const ATTR_LLM_USAGE_COMPLETION_TOKENS = 'llm.usage.completion_tokens';

// Vercel AI SDK telemetry
/** `ai.operationId`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_OPERATION_ID = 'ai.operationId';
/** `ai.model.id`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_MODEL_ID = 'ai.model.id';
/** `ai.model.provider`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_MODEL_PROVIDER = 'ai.model.provider';
/** `ai.response.model`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_RESPONSE_MODEL = 'ai.response.model';
/** AI SDK 5 and later. */
export const ATTR_AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens';
/** `ai.usage.outputTokens`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens';
/** `ai.usage.totalTokens`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_USAGE_TOTAL_TOKENS = 'ai.usage.totalTokens';
/** `ai.usage.cachedInputTokens`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens';
/** `ai.usage.reasoningTokens`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens';
/** AI SDK 4. */
export const ATTR_AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens';
/** `ai.usage.completionTokens`, as the Vercel AI SDK's telemetry writes it (read only). */
export const ATTR_AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens';

// --- Tokenomics -------------------------------------------------------------------------------

/** True when the call's token counts were estimated locally rather than billed by the provider. */
export const ATTR_TOKENOMICS_USAGE_ESTIMATED = 'tokenomics.usage.estimated';
/**
 * Why a call's usage estimate could not be counted (`timeout`, `queue_full`, `worker_failed`,
 * `too_large`): the call ended with the usage it knew, if any.
 */
export const ATTR_TOKENOMICS_USAGE_ESTIMATE_UNAVAILABLE = 'tokenomics.usage.estimate_unavailable';
/** True on a call whose usage was malformed or implausible: its counts are not recorded or priced. */
export const ATTR_TOKENOMICS_USAGE_INVALID = 'tokenomics.usage.invalid';
/** Why the usage was invalid: `<field>:<problem>` or a consistency problem (bounded values). */
export const ATTR_TOKENOMICS_USAGE_INVALID_REASON = 'tokenomics.usage.invalid_reason';
/** True when the call could not be priced (never a $0 cost). */
export const ATTR_TOKENOMICS_UNPRICED = 'tokenomics.unpriced';
/** Why the call is unpriced (`unknown_model`, `no_usage`, ...; see `UnpricedReason`). */
export const ATTR_TOKENOMICS_UNPRICED_REASON = 'tokenomics.unpriced_reason';
/**
 * Billing items of a call (`Usage.requests` names, e.g. `web_search`) the price book has no fee for,
 * so not charged in `gen_ai.usage.cost.amount` (string array, on locally priced spans).
 */
export const ATTR_TOKENOMICS_UNPRICED_REQUESTS = 'tokenomics.unpriced_requests';
/** `tokenomics.unpriced_reason` of a call the exporter found no price book for. */
export const UNPRICED_REASON_NO_PRICE_BOOK = 'no_price_book';
/** `tokenomics.unpriced_reason` of a call that names no model. */
export const UNPRICED_REASON_NO_MODEL = 'no_model';
/** `tokenomics.unpriced_reason` of a call whose pricing failed (the price book threw). */
export const UNPRICED_REASON_PRICING_ERROR = 'pricing_error';
/**
 * `tokenomics.unpriced_reason` of a call the collector's generated OTTL leaves to the stage or the
 * exporter: its input crosses a context-length tier.
 */
export const UNPRICED_REASON_LONG_CONTEXT = 'long_context';
/**
 * `tokenomics.unpriced_reason` of a call the generated OTTL cannot price: the model's cache rates
 * differ and the span shows no cache counts.
 */
export const UNPRICED_REASON_CACHE_SHARE_UNKNOWN = 'cache_share_unknown';
/** Version of the price data a cost was computed with. */
export const ATTR_TOKENOMICS_PRICE_BOOK_VERSION = 'tokenomics.price_book.version';
/** Our price-book figure on a span that another source already priced (its figure is kept). */
export const ATTR_TOKENOMICS_PRICE_BOOK_COST = 'tokenomics.price_book.cost';
/** Provider-reported cost minus the price book's figure (USD): non-zero when the book is wrong for the call. */
export const ATTR_TOKENOMICS_PRICE_BOOK_COST_DIFFERENCE = 'tokenomics.price_book.cost_difference';
/** The price-book model id a call was priced as. */
export const ATTR_TOKENOMICS_PRICING_MODEL = 'tokenomics.pricing.model';
/** Prefix of the cost breakdown: `tokenomics.cost.<unit>` in USD, one per {@link TOKEN_UNITS} entry priced. */
export const ATTR_TOKENOMICS_COST_PREFIX = 'tokenomics.cost.';
/** The billing unit of a `tokenomics.tokens` / `tokenomics.cost` point (one of {@link TOKEN_UNITS}). */
export const ATTR_TOKENOMICS_TOKEN_TYPE = 'tokenomics.token.type';
/** Service tier asked for, for providers without a semconv attribute of their own. */
export const ATTR_TOKENOMICS_REQUEST_SERVICE_TIER = 'tokenomics.request.service_tier';
/** Service tier served, for providers without a semconv attribute of their own. */
export const ATTR_TOKENOMICS_RESPONSE_SERVICE_TIER = 'tokenomics.response.service_tier';
/** How a streamed call ended (`completed`, `aborted`, `abandoned`, ...). */
export const ATTR_TOKENOMICS_STREAM_OUTCOME = 'tokenomics.stream.outcome';
/** Prefix of attribution attributes: `tokenomics.attribution.<key>`. */
export const ATTR_TOKENOMICS_ATTRIBUTION_PREFIX = 'tokenomics.attribution.';
/** Default attribution key: the tenant a call is for (budgets match on it; label `tokenomics.attribution.tenant`). */
export const ATTRIBUTION_KEY_TENANT = 'tenant';
/** Default attribution key: the feature a call serves (budgets match on it; label `tokenomics.attribution.feature`). */
export const ATTRIBUTION_KEY_FEATURE = 'feature';
/** Attribution key set by the framework instrumentations: the outermost LangChain runnable or LangGraph graph invoked. */
export const ATTRIBUTION_KEY_CHAIN = 'chain';
/** Attribution key: the LangGraph node whose model call this is. */
export const ATTRIBUTION_KEY_GRAPH_NODE = 'graph_node';
/** Attribution key: the OpenAI Agents SDK agent that made the model call (after a handoff, the agent handed to). */
export const ATTRIBUTION_KEY_AGENT = 'agent';
/** Span id of the span this one duplicates (the exporter keeps one priced span per call). */
export const ATTR_TOKENOMICS_DUPLICATE_OF = 'tokenomics.duplicate_of';
/** Stage at which the instrumentation absorbed an internal problem (`tokenomics.instrumentation.errors`). */
export const ATTR_TOKENOMICS_ERROR_STAGE = 'tokenomics.error.stage';
/** Outcome of a span or metric point in the exporter's self-metrics. */
export const ATTR_TOKENOMICS_EXPORTER_OUTCOME = 'tokenomics.exporter.outcome';
/** Attribute whose value the exporter found invalid. */
export const ATTR_TOKENOMICS_EXPORTER_ATTRIBUTE = 'tokenomics.exporter.attribute';
/** Which signal was dropped on delivery: `traces` or `metrics`. */
export const ATTR_TOKENOMICS_TELEMETRY_SIGNAL = 'tokenomics.telemetry.signal';
/** Why telemetry was dropped on delivery. */
export const ATTR_TOKENOMICS_TELEMETRY_DROP_REASON = 'tokenomics.telemetry.drop_reason';

/** Instrumentation-scope prefix of Tokenomics' own instrumentations. */
export const TOKENOMICS_SCOPE_PREFIX = '@tokenomics/';
/** Value of an attribute past its cardinality cap. */
export const OVERFLOW_VALUE = '_other';
