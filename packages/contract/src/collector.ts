/**
 * Names of the collector stage's own telemetry (`@tokenomics/collector`): counters of what it
 * received, priced, forwarded and dropped, and the attributes on them.
 */

/** Spans, points and log records the collector stage accepted, by `tokenomics.collector.signal`. */
export const METRIC_TOKENOMICS_COLLECTOR_RECEIVED = 'tokenomics.collector.received';
/** GenAI spans the collector stage priced. */
export const METRIC_TOKENOMICS_COLLECTOR_ENRICHED = 'tokenomics.collector.enriched';
/** GenAI spans the collector stage marked unpriced. */
export const METRIC_TOKENOMICS_COLLECTOR_UNPRICED = 'tokenomics.collector.unpriced';
/** GenAI spans marked `tokenomics.duplicate_of` another span of the same call. */
export const METRIC_TOKENOMICS_COLLECTOR_DUPLICATES = 'tokenomics.collector.duplicates';
/** Export requests delivered to a destination. */
export const METRIC_TOKENOMICS_COLLECTOR_FORWARDED = 'tokenomics.collector.forwarded';
/** Export requests dropped, by `tokenomics.collector.reason`. */
export const METRIC_TOKENOMICS_COLLECTOR_DROPPED = 'tokenomics.collector.dropped';
/** Export requests refused with backpressure (HTTP 429 / gRPC RESOURCE_EXHAUSTED). */
export const METRIC_TOKENOMICS_COLLECTOR_REFUSED = 'tokenomics.collector.refused';
/** Export requests refused as malformed (400), oversized (413) or of an unknown type (415). */
export const METRIC_TOKENOMICS_COLLECTOR_INVALID = 'tokenomics.collector.invalid';
/** Export requests answered 503 / UNAVAILABLE because the worker enriching them died or could not start (the sender retries them). */
export const METRIC_TOKENOMICS_COLLECTOR_FAILED = 'tokenomics.collector.failed';
/** Enrichment worker threads replaced after they died. */
export const METRIC_TOKENOMICS_COLLECTOR_WORKER_RESTARTS = 'tokenomics.collector.worker.restarts';
/** Delivery attempts retried, by `tokenomics.collector.destination`. */
export const METRIC_TOKENOMICS_COLLECTOR_RETRIES = 'tokenomics.collector.retries';
/** Bytes held in the forward queue (gauge). */
export const METRIC_TOKENOMICS_COLLECTOR_QUEUE_BYTES = 'tokenomics.collector.queue.bytes';

/** `traces`, `metrics` or `logs` on the collector's own metrics. */
export const ATTR_TOKENOMICS_COLLECTOR_SIGNAL = 'tokenomics.collector.signal';
/** Why the collector dropped data (`rejected`, `shutdown_timeout`, ...). */
export const ATTR_TOKENOMICS_COLLECTOR_REASON = 'tokenomics.collector.reason';
/** Forward destination endpoint on the collector's own metrics. */
export const ATTR_TOKENOMICS_COLLECTOR_DESTINATION = 'tokenomics.collector.destination';

/** Units of the collector's own metrics. */
export const UNIT_ITEM = '{item}';
/** Unit `{span}`. */
export const UNIT_SPAN = '{span}';
/** Unit `{request}`. */
export const UNIT_REQUEST = '{request}';
/** Unit `By`. */
export const UNIT_BYTES = 'By';
/** Unit `{attempt}`. */
export const UNIT_ATTEMPT = '{attempt}';
