/**
 * The telemetry names the collector stage writes or reads, in one place.
 *
 * TODO(contract): these move to `@tokenomics/contract`; until it is published in the workspace
 * they are defined here (the same values the instrumentation and the exporter use).
 */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_USAGE_COST_AMOUNT = 'gen_ai.usage.cost.amount';
export const ATTR_TOKENOMICS_UNPRICED = 'tokenomics.unpriced';
export const ATTR_TOKENOMICS_UNPRICED_REASON = 'tokenomics.unpriced_reason';
export const ATTR_TOKENOMICS_DUPLICATE_OF = 'tokenomics.duplicate_of';
export const ATTR_TOKENOMICS_COST_PREFIX = 'tokenomics.cost.';
export const ATTR_TOKENOMICS_TOKEN_TYPE = 'tokenomics.token.type';
export const ATTR_TOKENOMICS_USAGE_ESTIMATED = 'tokenomics.usage.estimated';
export const ATTR_OTEL_METRIC_OVERFLOW = 'otel.metric.overflow';
export const ATTR_SERVICE_NAME = 'service.name';
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_TOKENOMICS_TOKENS = 'tokenomics.tokens';
export const METRIC_TOKENOMICS_COST = 'tokenomics.cost';
export const METRIC_TOKENOMICS_CALLS_UNPRICED = 'tokenomics.calls.unpriced';
export const UNIT_TOKEN = '{token}';
export const UNIT_USD = 'USD';
export const UNIT_CALL = '{call}';

/**
 * The stage's own metrics (Prometheus names add `_total`). Requested for the contract; defined
 * here until then.
 */
export const METRIC_COLLECTOR_RECEIVED = 'tokenomics.collector.received';
export const METRIC_COLLECTOR_ENRICHED = 'tokenomics.collector.enriched';
export const METRIC_COLLECTOR_UNPRICED = 'tokenomics.collector.unpriced';
export const METRIC_COLLECTOR_DUPLICATES = 'tokenomics.collector.duplicates';
export const METRIC_COLLECTOR_FORWARDED = 'tokenomics.collector.forwarded';
export const METRIC_COLLECTOR_DROPPED = 'tokenomics.collector.dropped';
export const METRIC_COLLECTOR_REFUSED = 'tokenomics.collector.refused';
export const METRIC_COLLECTOR_QUEUE_BYTES = 'tokenomics.collector.queue.bytes';
/** Attribute of the stage's own metrics: `traces`, `metrics` or `logs`. */
export const ATTR_TOKENOMICS_COLLECTOR_SIGNAL = 'tokenomics.collector.signal';
/** Attribute of the dropped counter: why the data was dropped. */
export const ATTR_TOKENOMICS_COLLECTOR_REASON = 'tokenomics.collector.reason';
/** Attribute of the forwarded/dropped counters: the destination endpoint. */
export const ATTR_TOKENOMICS_COLLECTOR_DESTINATION = 'tokenomics.collector.destination';
export const METRIC_COLLECTOR_INVALID = 'tokenomics.collector.invalid';
export const METRIC_COLLECTOR_RETRIES = 'tokenomics.collector.retries';
