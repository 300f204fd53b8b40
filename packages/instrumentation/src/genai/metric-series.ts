import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import * as sc from './semconv';

/** Most series kept before the cache starts over (each series is small; values are capped upstream). */
const MAX_SERIES = 2048;

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
 * building them per call was most of the cost of recording metrics.
 */
export class MetricSeries {
  readonly base: Attributes;
  readonly inputUsage: Attributes;
  readonly outputUsage: Attributes;
  private readonly durationByError = new Map<string, Attributes>();
  // [estimated false, estimated true], by token type / billing unit
  private readonly tokenSums: [SumTable, SumTable] = [{}, {}];
  private readonly costSums: [SumTable, SumTable] = [{}, {}];
  private readonly unpricedSums: SumTable = {};
  private estimatedSum: CounterSum | undefined;

  constructor(base: Attributes) {
    this.base = base;
    this.inputUsage = { ...base, [sc.ATTR_GEN_AI_TOKEN_TYPE]: 'input' };
    this.outputUsage = { ...base, [sc.ATTR_GEN_AI_TOKEN_TYPE]: 'output' };
  }

  /** Attributes of the duration point: the base, plus `error.type` for a failed call. */
  durationAttributes(errorType: string | undefined): Attributes {
    if (errorType === undefined) return this.base;
    let attrs = this.durationByError.get(errorType);
    if (!attrs) {
      attrs = { ...this.base, [sc.ATTR_ERROR_TYPE]: errorType };
      // error types are low-cardinality by construction; the cap only guards against surprises
      if (this.durationByError.size < 64) this.durationByError.set(errorType, attrs);
    }
    return attrs;
  }

  tokens(counter: Counter, unit: string, estimated: boolean): CounterSum {
    const table = this.tokenSums[estimated ? 1 : 0];
    return (table[unit] ??= newSum(counter, {
      ...this.base,
      [sc.ATTR_TOKENOMICS_TOKEN_TYPE]: unit,
      [sc.ATTR_TOKENOMICS_USAGE_ESTIMATED]: estimated,
    }));
  }

  cost(counter: Counter, unit: string, estimated: boolean): CounterSum {
    const table = this.costSums[estimated ? 1 : 0];
    return (table[unit] ??= newSum(counter, {
      ...this.base,
      [sc.ATTR_TOKENOMICS_TOKEN_TYPE]: unit,
      [sc.ATTR_TOKENOMICS_USAGE_ESTIMATED]: estimated,
    }));
  }

  unpriced(counter: Counter, reason: string): CounterSum {
    return (this.unpricedSums[reason] ??= newSum(counter, { ...this.base, [sc.ATTR_TOKENOMICS_UNPRICED_REASON]: reason }));
  }

  estimated(counter: Counter): CounterSum {
    return (this.estimatedSum ??= newSum(counter, this.base));
  }
}

function newSum(counter: Counter, attributes: Attributes): CounterSum {
  return { counter, attributes, pending: 0, queued: false, started: false };
}

type Level<T> = Map<string, T>;
type SeriesTree = Level<Level<Level<Level<Level<MetricSeries>>>>>;

/**
 * Series by provider, operation, request model, response model and attribution key; bounded: past
 * {@link MAX_SERIES} the cache starts over (after a flush). A tree of maps keyed by each part, so a
 * look-up hashes strings the call already holds instead of building a key string per call.
 */
export class SeriesCache {
  private root: SeriesTree = new Map();
  private size = 0;

  constructor(private readonly pending: PendingCounters) {}

  get(provider: string, operation: string, requestModel: string, responseModel: string, attribution: string): MetricSeries | undefined {
    return this.root.get(provider)?.get(operation)?.get(requestModel)?.get(responseModel)?.get(attribution);
  }

  add(provider: string, operation: string, requestModel: string, responseModel: string, attribution: string, base: Attributes): MetricSeries {
    if (this.size >= MAX_SERIES) this.clear();
    const series = new MetricSeries(base);
    const leaf = child(child(child(child(this.root, provider), operation), requestModel), responseModel);
    if (!leaf.has(attribution)) this.size++;
    leaf.set(attribution, series);
    return series;
  }

  /** Forgets every series (their pending sums handed over first). */
  clear(): void {
    this.pending.flush();
    this.root = new Map();
    this.size = 0;
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
