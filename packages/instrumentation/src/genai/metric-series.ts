import { diag, type Attributes } from '@opentelemetry/api';
import * as sc from './semconv';
import {
  TOKENOMICS_CACHE_SAVINGS,
  TOKENOMICS_CACHE_WRITE_PREMIUM,
  TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS,
  TOKENOMICS_QUOTA_RATE_LIMITED,
  TOKENOMICS_RECONCILIATION_COST,
  TOKENOMICS_RECONCILIATION_INPUT_TOKENS,
} from '@tokenomics/contract/governance';
import {
  GEN_AI_CLIENT_OPERATION_DURATION,
  GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  GEN_AI_CLIENT_TOKEN_USAGE,
  TOKENOMICS_CALLS_ESTIMATED,
  TOKENOMICS_CALLS_INVALID_USAGE,
  TOKENOMICS_CALLS_UNPRICED,
  TOKENOMICS_COST,
  TOKENOMICS_TOKENS,
  type MetricDefinition,
} from '@tokenomics/contract/metrics';
import type { CounterSink, HistogramSink, MetricSinks } from './call-metrics';

/**
 * Default cap on the series (attribute sets) of each metric the recorder writes. Per-label caps
 * alone let the product of labels grow (models x tenants x features): this bounds the whole.
 */
export const DEFAULT_MAX_SERIES_PER_METRIC = 200;

/**
 * Attributes of the one overflow series of a metric past its cap, following the OpenTelemetry
 * SDK's convention for its own cardinality limit. Values recorded there keep every total exact.
 */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ [sc.ATTR_OTEL_METRIC_OVERFLOW]: true });

/** The metrics whose series {@link SeriesLimit} counts. */
export type SeriesMetric =
  | 'operation_duration'
  | 'time_to_first_chunk'
  | 'token_usage'
  | 'tokens'
  | 'cost'
  | 'calls_unpriced'
  | 'calls_estimated'
  | 'calls_invalid_usage'
  | 'cache_savings'
  | 'cache_write_premium'
  | 'quota_rate_limited'
  | 'conversation_turn_input_tokens'
  | 'reconciliation_input_tokens'
  | 'reconciliation_cost';

/** The contract's declaration of each metric {@link SeriesLimit} counts. */
export const SERIES_METRICS: Readonly<Record<SeriesMetric, MetricDefinition>> = {
  operation_duration: GEN_AI_CLIENT_OPERATION_DURATION,
  time_to_first_chunk: GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  token_usage: GEN_AI_CLIENT_TOKEN_USAGE,
  tokens: TOKENOMICS_TOKENS,
  cost: TOKENOMICS_COST,
  calls_unpriced: TOKENOMICS_CALLS_UNPRICED,
  calls_estimated: TOKENOMICS_CALLS_ESTIMATED,
  calls_invalid_usage: TOKENOMICS_CALLS_INVALID_USAGE,
  cache_savings: TOKENOMICS_CACHE_SAVINGS,
  cache_write_premium: TOKENOMICS_CACHE_WRITE_PREMIUM,
  quota_rate_limited: TOKENOMICS_QUOTA_RATE_LIMITED,
  conversation_turn_input_tokens: TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS,
  reconciliation_input_tokens: TOKENOMICS_RECONCILIATION_INPUT_TOKENS,
  reconciliation_cost: TOKENOMICS_RECONCILIATION_COST,
};

/**
 * The series budget of every metric: the first `max` attribute sets of a metric are its own, later
 * ones go to the metric's single overflow series ({@link OVERFLOW_ATTRIBUTES}). The first overflow
 * of each metric is reported once through `diag`, and {@link overflows} counts the attribute sets
 * sent there. Memory is O(number of metrics).
 */
export class SeriesLimit {
  private readonly counts = new Map<SeriesMetric, number>();
  private readonly warned = new Set<SeriesMetric>();
  /** Attribute sets that went to an overflow series instead of their own, since the last reset. */
  overflows = 0;

  constructor(readonly max: number) {}

  /** Whether `metric` may have one more series; counts it when so. */
  admit(metric: SeriesMetric): boolean {
    const n = this.counts.get(metric) ?? 0;
    if (n < this.max) {
      this.counts.set(metric, n + 1);
      return true;
    }
    this.overflowed(metric);
    return false;
  }

  /** Counts one attribute set of `metric` sent to its overflow series; reports the first once. */
  overflowed(metric: SeriesMetric): void {
    this.overflows++;
    if (!this.warned.has(metric)) {
      this.warned.add(metric);
      diag.warn(
        `tokenomics: metric ${SERIES_METRICS[metric].name} reached its cap of ${this.max} series; further series are recorded in one series with ${sc.ATTR_OTEL_METRIC_OVERFLOW}=true (raise maxSeriesPerMetric to keep them apart)`,
      );
    }
  }

  /** Forgets every count (new instruments start with a full budget). */
  reset(): void {
    this.counts.clear();
    this.warned.clear();
    this.overflows = 0;
  }
}

/**
 * The sinks of a recorder's attribute sets, each admitted against its metric's {@link SeriesLimit}
 * when first asked for: past the cap, the metric's one overflow sink.
 */
export class SeriesSinks {
  private readonly overflowHistograms = new Map<SeriesMetric, HistogramSink>();
  private readonly overflowCounters = new Map<SeriesMetric, CounterSink>();

  constructor(
    readonly sinks: MetricSinks,
    readonly limit: SeriesLimit,
  ) {}

  /** The sink of `metric` for the attributes `build` gives, or its overflow sink past the cap. */
  histogram(metric: SeriesMetric, build: () => Attributes): HistogramSink {
    return this.limit.admit(metric) ? this.sinks.histogram(SERIES_METRICS[metric], build()) : this.overflowHistogram(metric);
  }

  /** The sink of `metric` for the attributes `build` gives, or its overflow sink past the cap. */
  counter(metric: SeriesMetric, build: () => Attributes): CounterSink {
    return this.limit.admit(metric) ? this.sinks.counter(SERIES_METRICS[metric], build()) : this.overflowCounter(metric);
  }

  /** The one overflow sink of histogram `metric`. */
  overflowHistogram(metric: SeriesMetric): HistogramSink {
    let sink = this.overflowHistograms.get(metric);
    if (sink === undefined) {
      sink = this.sinks.histogram(SERIES_METRICS[metric], OVERFLOW_ATTRIBUTES);
      this.overflowHistograms.set(metric, sink);
    }
    return sink;
  }

  /** The one overflow sink of counter `metric`. */
  overflowCounter(metric: SeriesMetric): CounterSink {
    let sink = this.overflowCounters.get(metric);
    if (sink === undefined) {
      sink = this.sinks.counter(SERIES_METRICS[metric], OVERFLOW_ATTRIBUTES);
      this.overflowCounters.set(metric, sink);
    }
    return sink;
  }
}

type SinkTable = Record<string, CounterSink | undefined>;

/**
 * The metric sinks of one series (provider, operation, request and response model, allow-listed
 * attribution), each found once: recording a call's metrics then only adds numbers into them (or,
 * on an app's meter provider, hands them to the SDK's instruments with attributes built once).
 * Each attribute set is admitted against its metric's {@link SeriesLimit} when first used; past the
 * cap it is the overflow series.
 */
export class MetricSeries {
  private inputUsageSink: HistogramSink | undefined;
  private outputUsageSink: HistogramSink | undefined;
  private firstChunkSink: HistogramSink | undefined;
  private durationSink: HistogramSink | undefined;
  private readonly durationByError = new Map<string, HistogramSink>();
  // [estimated false, estimated true], by token type / billing unit
  private readonly tokenSinks: [SinkTable, SinkTable] = [{}, {}];
  private readonly costSinks: [SinkTable, SinkTable] = [{}, {}];
  private readonly unpricedSinks: SinkTable = {};
  private readonly invalidSinks: SinkTable = {};
  private estimatedSink: CounterSink | undefined;
  private savingsSink: CounterSink | undefined;
  private writePremiumSink: CounterSink | undefined;

  /**
   * @param base the attributes every set of this series starts from
   * @param sinks the sinks and series budget shared by every series of the recorder
   * @param overflow true for the series of calls whose own series did not fit: all its sets overflow
   */
  constructor(
    readonly base: Attributes,
    private readonly sinks: SeriesSinks,
    private readonly overflow = false,
  ) {}

  /** The `input` token usage histogram. */
  get inputUsage(): HistogramSink {
    return (this.inputUsageSink ??= this.histogram('token_usage', sc.ATTR_GEN_AI_TOKEN_TYPE, 'input'));
  }

  /** The `output` token usage histogram. */
  get outputUsage(): HistogramSink {
    return (this.outputUsageSink ??= this.histogram('token_usage', sc.ATTR_GEN_AI_TOKEN_TYPE, 'output'));
  }

  /** The time-to-first-chunk histogram. */
  get firstChunk(): HistogramSink {
    return (this.firstChunkSink ??= this.histogram('time_to_first_chunk'));
  }

  /** The duration histogram: the base, plus `error.type` for a failed call. */
  duration(errorType: string | undefined): HistogramSink {
    if (errorType === undefined) return (this.durationSink ??= this.histogram('operation_duration'));
    let sink = this.durationByError.get(errorType);
    if (!sink) {
      sink = this.histogram('operation_duration', sc.ATTR_ERROR_TYPE, errorType);
      // error types are low-cardinality by construction; the cap only guards against surprises
      if (this.durationByError.size < 64) this.durationByError.set(errorType, sink);
    }
    return sink;
  }

  tokens(unit: string, estimated: boolean): CounterSink {
    const table = this.tokenSinks[estimated ? 1 : 0];
    return (table[unit] ??= this.counter('tokens', () => ({
      ...this.base,
      [sc.ATTR_TOKENOMICS_TOKEN_TYPE]: unit,
      [sc.ATTR_TOKENOMICS_USAGE_ESTIMATED]: estimated,
    })));
  }

  cost(unit: string, estimated: boolean): CounterSink {
    const table = this.costSinks[estimated ? 1 : 0];
    return (table[unit] ??= this.counter('cost', () => ({
      ...this.base,
      [sc.ATTR_TOKENOMICS_TOKEN_TYPE]: unit,
      [sc.ATTR_TOKENOMICS_USAGE_ESTIMATED]: estimated,
    })));
  }

  unpriced(reason: string): CounterSink {
    return (this.unpricedSinks[reason] ??= this.counter('calls_unpriced', () => ({
      ...this.base,
      [sc.ATTR_TOKENOMICS_UNPRICED_REASON]: reason,
    })));
  }

  /** Calls whose usage was invalid, by reason (a bounded `<field>:<problem>` value). */
  invalidUsage(reason: string): CounterSink {
    return (this.invalidSinks[reason] ??= this.counter('calls_invalid_usage', () => ({
      ...this.base,
      [sc.ATTR_TOKENOMICS_USAGE_INVALID_REASON]: reason,
    })));
  }

  get estimated(): CounterSink {
    return (this.estimatedSink ??= this.counter('calls_estimated', () => this.base));
  }

  /** `tokenomics.cache.savings` of this series. */
  get cacheSavings(): CounterSink {
    return (this.savingsSink ??= this.counter('cache_savings', () => this.base));
  }

  /** `tokenomics.cache.write_premium` of this series. */
  get cacheWritePremium(): CounterSink {
    return (this.writePremiumSink ??= this.counter('cache_write_premium', () => this.base));
  }

  private histogram(metric: SeriesMetric, key?: string, value?: string): HistogramSink {
    if (this.overflow) return this.sinks.overflowHistogram(metric);
    return this.sinks.histogram(metric, () => (key === undefined ? this.base : { ...this.base, [key]: value }));
  }

  private counter(metric: SeriesMetric, build: () => Attributes): CounterSink {
    if (this.overflow) return this.sinks.overflowCounter(metric);
    return this.sinks.counter(metric, build);
  }
}

type Level<T> = Map<string, T>;
type SeriesTree = Level<Level<Level<Level<Level<MetricSeries>>>>>;

/**
 * Series by provider, operation, request model, response model and attribution key. A tree of
 * maps keyed by each part, so a look-up hashes strings the call already holds instead of building a
 * key string per call. Bounded by its {@link SeriesLimit}: every series it holds has a duration
 * series of its own, so once it holds `limit.max` series a new combination can have no series of
 * its own in any metric, and {@link add} hands out the shared overflow series instead of keeping it.
 */
export class SeriesCache {
  private readonly root: SeriesTree = new Map();
  private size = 0;
  private readonly overflowSeries: MetricSeries;
  /** The sinks of the series, with the series budget. */
  readonly sinks: SeriesSinks;

  /** A cache of series recorded into `sinks`; the budget `limit` starts afresh. */
  constructor(sinks: MetricSinks, limit: SeriesLimit = new SeriesLimit(DEFAULT_MAX_SERIES_PER_METRIC)) {
    limit.reset();
    this.sinks = new SeriesSinks(sinks, limit);
    this.overflowSeries = new MetricSeries(OVERFLOW_ATTRIBUTES, this.sinks, true);
  }

  get limit(): SeriesLimit {
    return this.sinks.limit;
  }

  get(provider: string, operation: string, requestModel: string, responseModel: string, attribution: string): MetricSeries | undefined {
    return this.root.get(provider)?.get(operation)?.get(requestModel)?.get(responseModel)?.get(attribution);
  }

  /** The series of a combination not found by {@link get}: a new one, or the overflow series when full. */
  add(
    provider: string,
    operation: string,
    requestModel: string,
    responseModel: string,
    attribution: string,
    base: Attributes,
  ): MetricSeries {
    if (this.size >= this.limit.max) {
      this.limit.overflowed('operation_duration');
      return this.overflowSeries;
    }
    const series = new MetricSeries(base, this.sinks);
    const leaf = child(child(child(child(this.root, provider), operation), requestModel), responseModel);
    if (!leaf.has(attribution)) this.size++;
    leaf.set(attribution, series);
    return series;
  }
}

function child<T>(level: Level<Level<T>>, key: string): Level<T> {
  let next = level.get(key);
  if (next === undefined) {
    next = new Map();
    level.set(key, next);
  }
  return next;
}
