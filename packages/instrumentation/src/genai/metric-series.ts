import { diag, type Attributes, type Counter, type Histogram } from '@opentelemetry/api';
import * as sc from './semconv';
import {
  TOKENOMICS_CACHE_SAVINGS,
  TOKENOMICS_CACHE_WRITE_PREMIUM,
  TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS,
  TOKENOMICS_QUOTA_RATE_LIMITED,
  TOKENOMICS_RECONCILIATION_COST,
  TOKENOMICS_RECONCILIATION_INPUT_TOKENS,
} from '@tokenomics/contract';

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

const METRIC_NAMES: Readonly<Record<SeriesMetric, string>> = {
  operation_duration: sc.METRIC_OPERATION_DURATION,
  time_to_first_chunk: sc.METRIC_TIME_TO_FIRST_CHUNK,
  token_usage: sc.METRIC_TOKEN_USAGE,
  tokens: sc.METRIC_TOKENS,
  cost: sc.METRIC_COST,
  calls_unpriced: sc.METRIC_CALLS_UNPRICED,
  calls_estimated: sc.METRIC_CALLS_ESTIMATED,
  calls_invalid_usage: sc.METRIC_CALLS_INVALID_USAGE,
  cache_savings: TOKENOMICS_CACHE_SAVINGS.name,
  cache_write_premium: TOKENOMICS_CACHE_WRITE_PREMIUM.name,
  quota_rate_limited: TOKENOMICS_QUOTA_RATE_LIMITED.name,
  conversation_turn_input_tokens: TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS.name,
  reconciliation_input_tokens: TOKENOMICS_RECONCILIATION_INPUT_TOKENS.name,
  reconciliation_cost: TOKENOMICS_RECONCILIATION_COST.name,
};

/**
 * The series budget of every metric: the first `max` attribute sets of a metric are its own, later
 * ones go to the metric's single overflow series ({@link OVERFLOW_ATTRIBUTES}). The first overflow
 * of each metric is reported once through `diag`, and {@link overflows} counts the attribute sets
 * sent there. Memory is O(number of metrics).
 */
export class SeriesLimit {
  private readonly counts = new Map<SeriesMetric, number>();
  private readonly overflowSums = new Map<Counter, CounterSum>();
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
        `tokenomics: metric ${METRIC_NAMES[metric]} reached its cap of ${this.max} series; further series are recorded in one series with ${sc.ATTR_OTEL_METRIC_OVERFLOW}=true (raise maxSeriesPerMetric to keep them apart)`,
      );
    }
  }

  /** The one pending sum of `counter`'s overflow series. */
  overflowSum(counter: Counter): CounterSum {
    let sum = this.overflowSums.get(counter);
    if (sum === undefined) {
      sum = newSum(counter, OVERFLOW_ATTRIBUTES);
      this.overflowSums.set(counter, sum);
    }
    return sum;
  }

  /** Forgets every count (new instruments start with a full budget). */
  reset(): void {
    this.counts.clear();
    this.overflowSums.clear();
    this.warned.clear();
    this.overflows = 0;
  }
}

/**
 * Increments of one counter with one attribute set, summed between metric collections. The first
 * increment goes to the counter at once, so the series starts (and its start time is) when its
 * first call ends; later ones are summed here and handed to the counter when a reader collects.
 */
export interface CounterSum {
  readonly counter: Counter;
  readonly attributes: Attributes;
  pending: number;
  queued: boolean;
  started: boolean;
}

/**
 * The counter sums waiting for the next collection. A collection callback calls {@link flush},
 * before the SDK reads the counters, so every reader sees every increment; what a call pays is an
 * addition instead of an attribute hash and a map look-up in the SDK per counter point.
 */
export class PendingCounters {
  private queue: CounterSum[] = [];

  add(sum: CounterSum, value: number): void {
    if (!sum.started) {
      sum.started = true;
      sum.counter.add(value, sum.attributes);
      return;
    }
    sum.pending += value;
    if (!sum.queued) {
      sum.queued = true;
      this.queue.push(sum);
    }
  }

  /** Hands every pending sum to its counter. */
  flush(): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    for (const sum of queue) {
      const value = sum.pending;
      sum.pending = 0;
      sum.queued = false;
      if (value !== 0) sum.counter.add(value, sum.attributes);
    }
  }
}

/** Histogram points held before they go to the SDK; past this many they go at once. */
const MAX_PENDING_POINTS = 256;

/**
 * Histogram points waiting to be recorded. The first point of each attribute set goes to the
 * histogram at once (so the series starts, and its start time is, when its first call ends); later
 * ones are held and recorded in a batch, at the start of the next collection (the same callback as
 * {@link PendingCounters}) or when {@link MAX_PENDING_POINTS} are waiting. Every point is recorded
 * with its own value: buckets, count, sum, min and max are exactly those of recording each call as it
 * ends. Batching keeps the SDK's per-point work (it sorts and serialises the attributes to find the
 * series) together, off the path of the call.
 */
export class PendingHistogramPoints {
  private readonly histograms: Array<Histogram | undefined> = new Array(MAX_PENDING_POINTS);
  private readonly attributes: Array<Attributes | undefined> = new Array(MAX_PENDING_POINTS);
  private readonly values = new Float64Array(MAX_PENDING_POINTS);
  private length = 0;
  private readonly started = new Map<Histogram, WeakSet<Attributes>>();

  record(histogram: Histogram, value: number, attributes: Attributes): void {
    let started = this.started.get(histogram);
    if (started === undefined) {
      started = new WeakSet();
      this.started.set(histogram, started);
    }
    if (!started.has(attributes)) {
      started.add(attributes);
      histogram.record(value, attributes);
      return;
    }
    if (this.length === MAX_PENDING_POINTS) this.flush();
    const i = this.length++;
    this.histograms[i] = histogram;
    this.attributes[i] = attributes;
    this.values[i] = value;
  }

  /** Records every held point. */
  flush(): void {
    const n = this.length;
    this.length = 0;
    for (let i = 0; i < n; i++) {
      const histogram = this.histograms[i] as Histogram;
      const attributes = this.attributes[i] as Attributes;
      this.histograms[i] = undefined;
      this.attributes[i] = undefined;
      histogram.record(this.values[i], attributes);
    }
  }

  /** Forgets which attribute sets have started (new instruments start their series afresh). */
  reset(): void {
    this.flush();
    this.started.clear();
  }
}

type SumTable = Record<string, CounterSum | undefined>;

/**
 * The metric attribute sets of one series (provider, operation, request and response model,
 * allow-listed attribution), each built once: the SDK hashes the attributes of every point, and
 * building them per call was most of the cost of recording metrics. Each attribute set is admitted
 * against its metric's {@link SeriesLimit} when first used; past the cap it is the overflow series.
 */
export class MetricSeries {
  private inputUsageAttributes: Attributes | undefined;
  private outputUsageAttributes: Attributes | undefined;
  private firstChunk: Attributes | undefined;
  private duration: Attributes | undefined;
  private readonly durationByError = new Map<string, Attributes>();
  // [estimated false, estimated true], by token type / billing unit
  private readonly tokenSums: [SumTable, SumTable] = [{}, {}];
  private readonly costSums: [SumTable, SumTable] = [{}, {}];
  private readonly unpricedSums: SumTable = {};
  private readonly invalidSums: SumTable = {};
  private estimatedSum: CounterSum | undefined;
  private savingsSum: CounterSum | undefined;
  private writePremiumSum: CounterSum | undefined;

  /**
   * @param base the attributes every set of this series starts from
   * @param limit the series budget shared by every series of the recorder
   * @param overflow true for the series of calls whose own series did not fit: all its sets overflow
   */
  constructor(
    readonly base: Attributes,
    private readonly limit: SeriesLimit,
    private readonly overflow = false,
  ) {}

  /** Attributes of the `input` token usage point. */
  get inputUsage(): Attributes {
    return (this.inputUsageAttributes ??= this.attributes('token_usage', sc.ATTR_GEN_AI_TOKEN_TYPE, 'input'));
  }

  /** Attributes of the `output` token usage point. */
  get outputUsage(): Attributes {
    return (this.outputUsageAttributes ??= this.attributes('token_usage', sc.ATTR_GEN_AI_TOKEN_TYPE, 'output'));
  }

  /** Attributes of the time-to-first-chunk point. */
  get firstChunkAttributes(): Attributes {
    return (this.firstChunk ??= this.attributes('time_to_first_chunk'));
  }

  /** Attributes of the duration point: the base, plus `error.type` for a failed call. */
  durationAttributes(errorType: string | undefined): Attributes {
    if (errorType === undefined) return (this.duration ??= this.attributes('operation_duration'));
    let attrs = this.durationByError.get(errorType);
    if (!attrs) {
      attrs = this.attributes('operation_duration', sc.ATTR_ERROR_TYPE, errorType);
      // error types are low-cardinality by construction; the cap only guards against surprises
      if (this.durationByError.size < 64) this.durationByError.set(errorType, attrs);
    }
    return attrs;
  }

  tokens(counter: Counter, unit: string, estimated: boolean): CounterSum {
    const table = this.tokenSums[estimated ? 1 : 0];
    return (table[unit] ??= this.sum(counter, 'tokens', {
      ...this.base,
      [sc.ATTR_TOKENOMICS_TOKEN_TYPE]: unit,
      [sc.ATTR_TOKENOMICS_USAGE_ESTIMATED]: estimated,
    }));
  }

  cost(counter: Counter, unit: string, estimated: boolean): CounterSum {
    const table = this.costSums[estimated ? 1 : 0];
    return (table[unit] ??= this.sum(counter, 'cost', {
      ...this.base,
      [sc.ATTR_TOKENOMICS_TOKEN_TYPE]: unit,
      [sc.ATTR_TOKENOMICS_USAGE_ESTIMATED]: estimated,
    }));
  }

  unpriced(counter: Counter, reason: string): CounterSum {
    return (this.unpricedSums[reason] ??= this.sum(counter, 'calls_unpriced', {
      ...this.base,
      [sc.ATTR_TOKENOMICS_UNPRICED_REASON]: reason,
    }));
  }

  /** Calls whose usage was invalid, by reason (a bounded `<field>:<problem>` value). */
  invalidUsage(counter: Counter, reason: string): CounterSum {
    return (this.invalidSums[reason] ??= this.sum(counter, 'calls_invalid_usage', {
      ...this.base,
      [sc.ATTR_TOKENOMICS_USAGE_INVALID_REASON]: reason,
    }));
  }

  estimated(counter: Counter): CounterSum {
    return (this.estimatedSum ??= this.sum(counter, 'calls_estimated', this.base));
  }

  /** `tokenomics.cache.savings` of this series. */
  cacheSavings(counter: Counter): CounterSum {
    return (this.savingsSum ??= this.sum(counter, 'cache_savings', this.base));
  }

  /** `tokenomics.cache.write_premium` of this series. */
  cacheWritePremium(counter: Counter): CounterSum {
    return (this.writePremiumSum ??= this.sum(counter, 'cache_write_premium', this.base));
  }

  private attributes(metric: SeriesMetric, key?: string, value?: string): Attributes {
    if (this.overflow) return OVERFLOW_ATTRIBUTES;
    if (!this.limit.admit(metric)) return OVERFLOW_ATTRIBUTES;
    return key === undefined ? this.base : { ...this.base, [key]: value };
  }

  private sum(counter: Counter, metric: SeriesMetric, attributes: Attributes): CounterSum {
    if (this.overflow || !this.limit.admit(metric)) return this.limit.overflowSum(counter);
    return newSum(counter, attributes);
  }
}

function newSum(counter: Counter, attributes: Attributes): CounterSum {
  return { counter, attributes, pending: 0, queued: false, started: false };
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
  private root: SeriesTree = new Map();
  private size = 0;
  private overflowSeries: MetricSeries;

  constructor(
    private readonly pending: PendingCounters,
    readonly limit: SeriesLimit = new SeriesLimit(DEFAULT_MAX_SERIES_PER_METRIC),
  ) {
    this.overflowSeries = new MetricSeries(OVERFLOW_ATTRIBUTES, limit, true);
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
    const series = new MetricSeries(base, this.limit);
    const leaf = child(child(child(child(this.root, provider), operation), requestModel), responseModel);
    if (!leaf.has(attribution)) this.size++;
    leaf.set(attribution, series);
    return series;
  }

  /** Forgets every series (their pending sums handed over first) and resets the series budget. */
  clear(): void {
    this.pending.flush();
    this.root = new Map();
    this.size = 0;
    this.limit.reset();
    this.overflowSeries = new MetricSeries(OVERFLOW_ATTRIBUTES, this.limit, true);
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
