/**
 * The telemetry names the collector stage writes or reads, all from `@tokenomics/contract` (one
 * module owns every name), gathered here under the short names the stage's modules use.
 *
 * Copied into module constants once: a re-export compiles to a getter per read (two, through the
 * contract's own index), and the enrichment path reads these names for every span.
 */
import * as attributes from '@tokenomics/contract/attributes';
import * as collector from '@tokenomics/contract/collector';
import * as metrics from '@tokenomics/contract/metrics';

export const ATTR_GEN_AI_OPERATION_NAME = attributes.ATTR_GEN_AI_OPERATION_NAME;
export const ATTR_GEN_AI_PROVIDER_NAME = attributes.ATTR_GEN_AI_PROVIDER_NAME;
export const ATTR_GEN_AI_REQUEST_MODEL = attributes.ATTR_GEN_AI_REQUEST_MODEL;
export const ATTR_GEN_AI_RESPONSE_MODEL = attributes.ATTR_GEN_AI_RESPONSE_MODEL;
export const ATTR_GEN_AI_USAGE_COST_AMOUNT = attributes.ATTR_GEN_AI_USAGE_COST_AMOUNT;
export const ATTR_OTEL_METRIC_OVERFLOW = attributes.ATTR_OTEL_METRIC_OVERFLOW;
export const ATTR_TOKENOMICS_COLLECTOR_DESTINATION = collector.ATTR_TOKENOMICS_COLLECTOR_DESTINATION;
export const ATTR_TOKENOMICS_COLLECTOR_REASON = collector.ATTR_TOKENOMICS_COLLECTOR_REASON;
export const ATTR_TOKENOMICS_COLLECTOR_SIGNAL = collector.ATTR_TOKENOMICS_COLLECTOR_SIGNAL;
export const ATTR_TOKENOMICS_COST_PREFIX = attributes.ATTR_TOKENOMICS_COST_PREFIX;
export const ATTR_TOKENOMICS_DUPLICATE_OF = attributes.ATTR_TOKENOMICS_DUPLICATE_OF;
export const ATTR_TOKENOMICS_TOKEN_TYPE = attributes.ATTR_TOKENOMICS_TOKEN_TYPE;
export const ATTR_TOKENOMICS_UNPRICED = attributes.ATTR_TOKENOMICS_UNPRICED;
export const ATTR_TOKENOMICS_UNPRICED_REASON = attributes.ATTR_TOKENOMICS_UNPRICED_REASON;
export const ATTR_TOKENOMICS_USAGE_ESTIMATED = attributes.ATTR_TOKENOMICS_USAGE_ESTIMATED;
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = metrics.METRIC_GEN_AI_CLIENT_TOKEN_USAGE;
export const METRIC_TOKENOMICS_CALLS_UNPRICED = metrics.METRIC_TOKENOMICS_CALLS_UNPRICED;
export const METRIC_COLLECTOR_DROPPED = collector.METRIC_TOKENOMICS_COLLECTOR_DROPPED;
export const METRIC_COLLECTOR_DUPLICATES = collector.METRIC_TOKENOMICS_COLLECTOR_DUPLICATES;
export const METRIC_COLLECTOR_ENRICHED = collector.METRIC_TOKENOMICS_COLLECTOR_ENRICHED;
export const METRIC_COLLECTOR_FAILED = collector.METRIC_TOKENOMICS_COLLECTOR_FAILED;
export const METRIC_COLLECTOR_FORWARDED = collector.METRIC_TOKENOMICS_COLLECTOR_FORWARDED;
export const METRIC_COLLECTOR_INVALID = collector.METRIC_TOKENOMICS_COLLECTOR_INVALID;
export const METRIC_COLLECTOR_QUEUE_BYTES = collector.METRIC_TOKENOMICS_COLLECTOR_QUEUE_BYTES;
export const METRIC_COLLECTOR_RECEIVED = collector.METRIC_TOKENOMICS_COLLECTOR_RECEIVED;
export const METRIC_COLLECTOR_REFUSED = collector.METRIC_TOKENOMICS_COLLECTOR_REFUSED;
export const METRIC_COLLECTOR_RETRIES = collector.METRIC_TOKENOMICS_COLLECTOR_RETRIES;
export const METRIC_COLLECTOR_UNPRICED = collector.METRIC_TOKENOMICS_COLLECTOR_UNPRICED;
export const METRIC_COLLECTOR_WORKER_RESTARTS = collector.METRIC_TOKENOMICS_COLLECTOR_WORKER_RESTARTS;
export const METRIC_TOKENOMICS_COST = metrics.METRIC_TOKENOMICS_COST;
export const METRIC_TOKENOMICS_TOKENS = metrics.METRIC_TOKENOMICS_TOKENS;
export const TOKENOMICS_SCOPE_PREFIX = attributes.TOKENOMICS_SCOPE_PREFIX;
export const UNIT_CALL = metrics.UNIT_CALL;
export const UNIT_TOKEN = metrics.UNIT_TOKEN;
export const UNIT_USD = metrics.UNIT_USD;
export const ATTR_SERVICE_INSTANCE_ID = attributes.ATTR_SERVICE_INSTANCE_ID;
export const ATTR_SERVICE_NAME = attributes.ATTR_SERVICE_NAME;
