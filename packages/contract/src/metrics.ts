/**
 * Every metric name Tokenomics records or reads, with its unit, description and bucket advice.
 * The `gen_ai.client.*` histograms are the GenAI semantic conventions'; the `tokenomics.*` counters
 * are ours (counters, so that `sum(rate(...))` works in Prometheus).
 */

/** A metric as declared: its name, unit (UCUM), description and, for histograms, bucket advice. */
export interface MetricDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  /** Explicit bucket boundaries advised for a histogram. */
  readonly buckets?: readonly number[];
}

/** Token-count bucket advice of the GenAI semantic conventions. */
export const TOKEN_USAGE_BUCKETS: number[] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** Duration bucket advice (seconds) of the GenAI semantic conventions. */
export const DURATION_BUCKETS: number[] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** Units, as UCUM annotations where the conventions use them. */
export const UNIT_TOKEN = '{token}';
/** Unit `s`. */
export const UNIT_SECONDS = 's';
/** Unit `USD`. */
export const UNIT_USD = 'USD';
/** Unit `{call}`. */
export const UNIT_CALL = '{call}';
/** Unit `{error}`. */
export const UNIT_ERROR = '{error}';

// --- GenAI semantic conventions ---------------------------------------------------------------
/** Metric `gen_ai.client.token.usage`. */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
/** Metric `gen_ai.client.operation.duration`. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
/** Metric `gen_ai.client.operation.time_to_first_chunk`. */
export const METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';

// --- Tokenomics -------------------------------------------------------------------------------
/** Tokens by disjoint billing unit (`tokenomics.token.type`, one of `TOKEN_UNITS`). */
export const METRIC_TOKENOMICS_TOKENS = 'tokenomics.tokens';
/** Cost in USD by billing unit. */
export const METRIC_TOKENOMICS_COST = 'tokenomics.cost';
/** Metric `tokenomics.calls.unpriced`. */
export const METRIC_TOKENOMICS_CALLS_UNPRICED = 'tokenomics.calls.unpriced';
/** Metric `tokenomics.calls.estimated`. */
export const METRIC_TOKENOMICS_CALLS_ESTIMATED = 'tokenomics.calls.estimated';
/** Metric `tokenomics.calls.invalid_usage`. */
export const METRIC_TOKENOMICS_CALLS_INVALID_USAGE = 'tokenomics.calls.invalid_usage';
/** Problems the instrumentation met and absorbed. */
export const METRIC_TOKENOMICS_INSTRUMENTATION_ERRORS = 'tokenomics.instrumentation.errors';
/** Never reports a value: the hook on which held points are handed to the SDK at each collection. */
export const METRIC_TOKENOMICS_INSTRUMENTATION_PENDING_POINTS = 'tokenomics.instrumentation.pending_points';
/** Exporter self-metrics. */
export const METRIC_TOKENOMICS_EXPORTER_SPANS = 'tokenomics.exporter.spans';
/** Metric `tokenomics.exporter.invalid_values`. */
export const METRIC_TOKENOMICS_EXPORTER_INVALID_VALUES = 'tokenomics.exporter.invalid_values';
/** Metric `tokenomics.exporter.metric_points`. */
export const METRIC_TOKENOMICS_EXPORTER_METRIC_POINTS = 'tokenomics.exporter.metric_points';
/** Spans and metric points the hook could not deliver. */
export const METRIC_TOKENOMICS_TELEMETRY_DROPPED = 'tokenomics.telemetry.dropped';

/** Declarations of the metrics the instrumentation records. */
export const GEN_AI_CLIENT_TOKEN_USAGE: MetricDefinition = {
  name: METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  unit: UNIT_TOKEN,
  description: 'Number of input and output tokens used per call',
  buckets: TOKEN_USAGE_BUCKETS,
};
/** How `GEN_AI_CLIENT_OPERATION_DURATION` is declared: name, unit, description (and buckets for a histogram). */
export const GEN_AI_CLIENT_OPERATION_DURATION: MetricDefinition = {
  name: METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  unit: UNIT_SECONDS,
  description: 'GenAI operation duration',
  buckets: DURATION_BUCKETS,
};
/** How `GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK` is declared: name, unit, description (and buckets for a histogram). */
export const GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK: MetricDefinition = {
  name: METRIC_GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  unit: UNIT_SECONDS,
  description: 'Time from the start of a streamed call to its first chunk',
  buckets: DURATION_BUCKETS,
};
/** How `TOKENOMICS_TOKENS` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_TOKENS: MetricDefinition = {
  name: METRIC_TOKENOMICS_TOKENS,
  unit: UNIT_TOKEN,
  description: 'Tokens billed, by disjoint token type (uncached input, cache read/write, audio, image, output, reasoning)',
};
/** How `TOKENOMICS_COST` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_COST: MetricDefinition = {
  name: METRIC_TOKENOMICS_COST,
  unit: UNIT_USD,
  description: 'Cost of GenAI calls in US dollars, by token type',
};
/** How `TOKENOMICS_CALLS_UNPRICED` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_CALLS_UNPRICED: MetricDefinition = {
  name: METRIC_TOKENOMICS_CALLS_UNPRICED,
  unit: UNIT_CALL,
  description: 'Calls whose cost could not be determined (unknown model, missing usage)',
};
/** How `TOKENOMICS_CALLS_ESTIMATED` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_CALLS_ESTIMATED: MetricDefinition = {
  name: METRIC_TOKENOMICS_CALLS_ESTIMATED,
  unit: UNIT_CALL,
  description: 'Calls whose token usage was estimated locally instead of reported by the provider',
};
/** How `TOKENOMICS_CALLS_INVALID_USAGE` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_CALLS_INVALID_USAGE: MetricDefinition = {
  name: METRIC_TOKENOMICS_CALLS_INVALID_USAGE,
  unit: UNIT_CALL,
  description: 'Calls whose reported usage was malformed or implausible; their counts are neither recorded nor priced',
};
/** How `TOKENOMICS_INSTRUMENTATION_PENDING_POINTS` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_INSTRUMENTATION_PENDING_POINTS: MetricDefinition = {
  name: METRIC_TOKENOMICS_INSTRUMENTATION_PENDING_POINTS,
  unit: '',
  description: 'Never reports a value; hands counter sums and held histogram points to the SDK at each collection',
};
/** How `TOKENOMICS_INSTRUMENTATION_ERRORS` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_INSTRUMENTATION_ERRORS: MetricDefinition = {
  name: METRIC_TOKENOMICS_INSTRUMENTATION_ERRORS,
  unit: UNIT_ERROR,
  description: 'Problems the instrumentation met and absorbed (unexpected response shapes, internal faults)',
};
/** How `TOKENOMICS_EXPORTER_SPANS` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_EXPORTER_SPANS: MetricDefinition = {
  name: METRIC_TOKENOMICS_EXPORTER_SPANS,
  unit: '{span}',
  description: 'GenAI spans seen by the cost-enriching exporter, by outcome',
};
/** How `TOKENOMICS_EXPORTER_INVALID_VALUES` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_EXPORTER_INVALID_VALUES: MetricDefinition = {
  name: METRIC_TOKENOMICS_EXPORTER_INVALID_VALUES,
  unit: '{value}',
  description: 'Token-count attribute values the exporter could not use as they were',
};
/** How `TOKENOMICS_EXPORTER_METRIC_POINTS` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_EXPORTER_METRIC_POINTS: MetricDefinition = {
  name: METRIC_TOKENOMICS_EXPORTER_METRIC_POINTS,
  unit: '{point}',
  description: 'Foreign gen_ai.client.token.usage data points seen by the cost-enriching metric exporter',
};
/** How `TOKENOMICS_TELEMETRY_DROPPED` is declared: name, unit, description (and buckets for a histogram). */
export const TOKENOMICS_TELEMETRY_DROPPED: MetricDefinition = {
  name: METRIC_TOKENOMICS_TELEMETRY_DROPPED,
  unit: '{item}',
  description: 'Spans and metric data points the hook dropped because the telemetry backend refused, failed or did not answer',
};

/**
 * The Prometheus spelling of a metric or attribute name, as the OpenTelemetry Prometheus exporter
 * writes it without unit suffixes: every character other than a letter, digit, `_` or `:` becomes
 * `_` (`gen_ai.response.model` -> `gen_ai_response_model`). Counters add `_total`, histograms
 * `_bucket`, `_sum` and `_count`.
 */
export function prometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}
