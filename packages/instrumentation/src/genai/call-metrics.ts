import {
  ValueType,
  type Attributes,
  type Counter,
  type Histogram,
  type HrTime,
  type Meter,
  type MeterProvider,
  type MetricOptions,
} from '@opentelemetry/api';
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
  TOKENOMICS_INSTRUMENTATION_ERRORS,
  TOKENOMICS_TOKENS,
  type MetricDefinition,
} from '@tokenomics/contract/metrics';
import * as sc from './semconv';
import { VERSION } from '../version';

/** Where the recorder writes the values of one attribute set of one histogram. */
export interface HistogramSink {
  record(value: number): void;
}

/** Where the recorder writes the increments of one attribute set of one counter. */
export interface CounterSink {
  add(value: number): void;
}

/**
 * Hands out the sink of each attribute set of each Tokenomics histogram and counter. The recorder
 * asks once per attribute set and keeps the sink, so what a call pays is the sink's work.
 */
export interface MetricSinks {
  histogram(metric: MetricDefinition, attributes: Attributes): HistogramSink;
  counter(metric: MetricDefinition, attributes: Attributes): CounterSink;
}

/**
 * Every histogram and counter the recorder writes, as the telemetry contract declares it, in the
 * order they are declared on the meter (and reported).
 */
export const CALL_METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  GEN_AI_CLIENT_TOKEN_USAGE,
  GEN_AI_CLIENT_OPERATION_DURATION,
  GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  TOKENOMICS_TOKENS,
  TOKENOMICS_COST,
  TOKENOMICS_CALLS_UNPRICED,
  TOKENOMICS_CALLS_ESTIMATED,
  TOKENOMICS_CALLS_INVALID_USAGE,
  TOKENOMICS_INSTRUMENTATION_ERRORS,
  TOKENOMICS_CACHE_SAVINGS,
  TOKENOMICS_CACHE_WRITE_PREMIUM,
  TOKENOMICS_QUOTA_RATE_LIMITED,
  TOKENOMICS_CONVERSATION_TURN_INPUT_TOKENS,
  TOKENOMICS_RECONCILIATION_INPUT_TOKENS,
  TOKENOMICS_RECONCILIATION_COST,
];

/**
 * The sinks of an app's meter provider: the SDK's instruments, created once per meter, each value
 * recorded with its attribute set as the call ends (the SDK finds the series by the attributes).
 */
export class InstrumentSinks implements MetricSinks {
  private readonly instruments = new Map<string, Histogram | Counter>();

  constructor(meter: Meter) {
    for (const metric of CALL_METRIC_DEFINITIONS) {
      const options: MetricOptions = { description: metric.description, unit: metric.unit };
      if (metric.buckets !== undefined) options.advice = { explicitBucketBoundaries: [...metric.buckets] };
      this.instruments.set(
        metric.name,
        metric.buckets !== undefined ? meter.createHistogram(metric.name, options) : meter.createCounter(metric.name, options),
      );
    }
  }

  /** Records into the histogram `metric` with `attributes`. */
  histogram(metric: MetricDefinition, attributes: Attributes): HistogramSink {
    return new BoundHistogram(this.instruments.get(metric.name) as Histogram, attributes);
  }

  /** Adds to the counter `metric` with `attributes`. */
  counter(metric: MetricDefinition, attributes: Attributes): CounterSink {
    return new BoundCounter(this.instruments.get(metric.name) as Counter, attributes);
  }
}

class BoundHistogram implements HistogramSink {
  constructor(
    private readonly histogram: Histogram,
    private readonly attributes: Attributes,
  ) {}

  record(value: number): void {
    this.histogram.record(value, this.attributes);
  }
}

class BoundCounter implements CounterSink {
  constructor(
    private readonly counter: Counter,
    private readonly attributes: Attributes,
  ) {}

  add(value: number): void {
    this.counter.add(value, this.attributes);
  }
}

/** `AggregationTemporality.DELTA` of `@opentelemetry/sdk-metrics`. */
export const DELTA = 0;
/** `AggregationTemporality.CUMULATIVE` of `@opentelemetry/sdk-metrics`. */
export const CUMULATIVE = 1;

/**
 * The temporality a reader asks for an instrument type (`'HISTOGRAM'`, `'COUNTER'`): the SDK
 * reader's `selectAggregationTemporality`, whose answers are {@link DELTA} or {@link CUMULATIVE}.
 */
export type TemporalitySelector = (instrumentType: 'HISTOGRAM' | 'COUNTER') => number;

/** A data point as `@opentelemetry/sdk-metrics` reports it. */
export interface CallMetricPoint<V> {
  attributes: Attributes;
  startTime: HrTime;
  endTime: HrTime;
  value: V;
}

/** The value of a histogram point, as the SDK's explicit-bucket histogram reports it. */
export interface CallHistogramValue {
  min: number;
  max: number;
  sum: number;
  buckets: { boundaries: number[]; counts: number[] };
  count: number;
}

/** The descriptor of a metric, as the SDK reports an instrument created without a view. */
export interface CallMetricDescriptor {
  name: string;
  type: 'HISTOGRAM' | 'COUNTER';
  description: string;
  unit: string;
  valueType: ValueType;
  advice: { explicitBucketBoundaries?: number[] };
}

/** A metric as the SDK reports it (`MetricData`): `dataPointType` 0 is a histogram, 3 a sum. */
export type CallMetricData =
  | {
      descriptor: CallMetricDescriptor;
      aggregationTemporality: number;
      dataPointType: 0;
      dataPoints: CallMetricPoint<CallHistogramValue>[];
    }
  | {
      descriptor: CallMetricDescriptor;
      aggregationTemporality: number;
      dataPointType: 3;
      dataPoints: CallMetricPoint<number>[];
      isMonotonic: boolean;
    };

/** The metrics of the Tokenomics meter, as the SDK reports a scope (`ScopeMetrics`). */
export interface CallScopeMetrics {
  scope: { name: string; version: string; schemaUrl: string | undefined };
  metrics: CallMetricData[];
}

/** Series per metric past which new attribute sets share one overflow series (the SDK's default cardinality limit). */
const MAX_CELLS_PER_METRIC = 2000;

/**
 * What one reader has been handed of one series: cumulative (everything since the series' first
 * value) or delta (what came since the reader's last collection).
 */
class ReaderState {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  counts: number[] | undefined;
  /** Time of the first value this state holds. */
  startTime: HrTime | undefined;
  /** Values arrived since the reader's last collection (the cell is in the reader's pending list). */
  pending = false;
}

/** One attribute set of one metric: the values since the last drain, then each reader's state. */
abstract class Cell {
  count = 0;
  sum = 0;
  /** Time of the first value since the last drain; `undefined` while nothing is held. */
  since: HrTime | undefined;
  readonly states: Array<ReaderState | undefined> = [];

  constructor(
    readonly attributes: Attributes,
    readonly family: Family,
    protected readonly owner: CallMetrics,
  ) {}

  /** Hands the values held to every reader's state, then holds nothing. */
  drain(pending: Cell[][]): void {
    for (let r = 0; r < pending.length; r++) {
      const state = (this.states[r] ??= new ReaderState());
      if (!state.pending) {
        state.pending = true;
        pending[r].push(this);
      }
      state.count += this.count;
      state.sum += this.sum;
      state.startTime ??= this.since;
      this.merge(state);
    }
    this.count = 0;
    this.sum = 0;
    this.since = undefined;
  }

  protected abstract merge(state: ReaderState): void;
}

class HistogramCell extends Cell implements HistogramSink {
  min = Infinity;
  max = -Infinity;
  readonly counts: Float64Array;

  constructor(attributes: Attributes, family: Family, owner: CallMetrics) {
    super(attributes, family, owner);
    this.counts = new Float64Array(family.boundaries.length + 1);
  }

  record(value: number): void {
    // As the SDK's histogram: negative values (and NaN, which no bucket holds) are not recorded.
    if (!(value >= 0)) return;
    if (this.since === undefined) this.owner.held(this);
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    // The first bucket whose upper bound is at least the value (bounds are inclusive).
    const bounds = this.family.boundaries;
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]++;
  }

  protected merge(state: ReaderState): void {
    const counts = this.counts;
    const into = (state.counts ??= new Array<number>(counts.length).fill(0));
    for (let i = 0; i < counts.length; i++) into[i] += counts[i];
    if (this.min < state.min) state.min = this.min;
    if (this.max > state.max) state.max = this.max;
  }

  override drain(pending: Cell[][]): void {
    super.drain(pending);
    this.counts.fill(0);
    this.min = Infinity;
    this.max = -Infinity;
  }
}

class CounterCell extends Cell implements CounterSink {
  add(value: number): void {
    // As the SDK's counter: negative increments (and NaN) are not recorded.
    if (!(value >= 0)) return;
    if (this.since === undefined) this.owner.held(this);
    this.count++;
    this.sum += value;
  }

  protected merge(): void {}
}

/** The series of one metric, in the order they were first asked for. */
class Family {
  readonly cells = new Map<string, Cell>();
  readonly descriptor: CallMetricDescriptor;
  readonly boundaries: readonly number[] = [];

  constructor(
    readonly metric: MetricDefinition,
    /** Position among the families, the order readers get them in. */
    readonly index: number,
  ) {
    const histogram = metric.buckets !== undefined;
    this.descriptor = {
      name: metric.name,
      type: histogram ? 'HISTOGRAM' : 'COUNTER',
      description: metric.description,
      unit: metric.unit,
      valueType: ValueType.DOUBLE,
      advice: histogram ? { explicitBucketBoundaries: [...(metric.buckets as number[])] } : {},
    };
    if (histogram) {
      // As the SDK's explicit-bucket aggregation takes the advice: sorted, without infinities.
      this.boundaries = [...(metric.buckets as number[])].sort((a, b) => a - b).filter((b) => b > -Infinity && b < Infinity);
    }
  }
}

/**
 * Tokenomics' own aggregation of its call metrics, for a meter provider whose readers the hook
 * built: every histogram and counter the recorder writes is summed here, per series, and handed to
 * each reader by a metric producer ({@link CallMetrics.reader}) when it collects. A call adds
 * numbers into series found once (no attribute hashing, no allocation); the readers get the same
 * metrics the SDK's instruments would report (names, units, descriptions, scope, attributes,
 * buckets, sums, start times and temporality), without the SDK's views.
 */
export class CallMetrics implements MetricSinks {
  private readonly families = new Map<string, Family>();
  private heldCells: Cell[] = [];
  /** By reader: the cells with values since its last collection, in the order their values came. */
  private readonly pending: Cell[][] = [];

  /** Reports the recorder's metrics in the order the SDK would (the order they are declared). */
  constructor() {
    for (const metric of CALL_METRIC_DEFINITIONS) this.family(metric);
  }

  /**
   * The series of histogram `metric` with `attributes` (the same for equal attribute sets, whatever
   * the order of their keys); past the SDK's cardinality limit, the metric's overflow series.
   */
  histogram(metric: MetricDefinition, attributes: Attributes): HistogramSink {
    return this.cell(metric, attributes) as HistogramCell;
  }

  /** As {@link CallMetrics.histogram}, for counter `metric`. */
  counter(metric: MetricDefinition, attributes: Attributes): CounterSink {
    return this.cell(metric, attributes) as CounterCell;
  }

  /**
   * A new reader of this aggregation: `collect()` gives what the SDK would hand that reader, with
   * the temporality `select` answers for each instrument type. Each reader has its own state, so
   * two readers with different temporalities each get their own data.
   */
  reader(select: TemporalitySelector): CallMetricsReader {
    // What is held belongs to the readers there were when it came.
    this.drain();
    this.pending.push([]);
    return new CallMetricsReader(this, this.pending.length - 1, select);
  }

  /** @internal A cell received its first value since the last drain. */
  held(cell: Cell): void {
    cell.since = hrNow();
    this.heldCells.push(cell);
  }

  /** @internal Hands every value held to every reader's state; returns the cells reader `index` has values of since it last took them. */
  take(index: number): Cell[] {
    this.drain();
    const cells = this.pending[index];
    this.pending[index] = [];
    return cells;
  }

  /** @internal */
  familyList(): IterableIterator<Family> {
    return this.families.values();
  }

  private drain(): void {
    const held = this.heldCells;
    if (held.length === 0) return;
    this.heldCells = [];
    for (const cell of held) cell.drain(this.pending);
  }

  private family(metric: MetricDefinition): Family {
    let family = this.families.get(metric.name);
    if (family === undefined) {
      family = new Family(metric, this.families.size);
      this.families.set(metric.name, family);
    }
    return family;
  }

  private cell(metric: MetricDefinition, attributes: Attributes): Cell {
    const family = this.family(metric);
    let key = attributesKey(attributes);
    let cell = family.cells.get(key);
    if (cell !== undefined) return cell;
    if (family.cells.size >= MAX_CELLS_PER_METRIC - 1) {
      attributes = OVERFLOW;
      key = OVERFLOW_KEY;
      cell = family.cells.get(key);
      if (cell !== undefined) return cell;
    }
    cell = metric.buckets !== undefined ? new HistogramCell(attributes, family, this) : new CounterCell(attributes, family, this);
    family.cells.set(key, cell);
    return cell;
  }
}

const OVERFLOW: Attributes = Object.freeze({ [sc.ATTR_OTEL_METRIC_OVERFLOW]: true });
const OVERFLOW_KEY = attributesKey(OVERFLOW);

/** What one reader collects from a {@link CallMetrics}: a metric producer's scope. */
export class CallMetricsReader {
  private lastCollection: HrTime | undefined;
  /** Delta: the cells reported in the last collection. */
  private reported = new Set<Cell>();
  private readonly temporality = new Map<string, number>();

  constructor(
    private readonly owner: CallMetrics,
    private readonly index: number,
    private readonly select: TemporalitySelector,
  ) {}

  /**
   * The scope of the Tokenomics meter with every series that has something to report (cumulative:
   * every series with a value; delta: those with values since the last collection); `[]` when none has.
   */
  collect(): CallScopeMetrics[] {
    const now = hrNow();
    const fresh = this.owner.take(this.index);
    for (const cell of fresh) (cell.states[this.index] as ReaderState).pending = false;
    // Delta series in the order their values came since the last collection (as the SDK's), grouped by metric.
    const deltaCells: Cell[][] = [];
    for (const cell of fresh) (deltaCells[cell.family.index] ??= []).push(cell);
    const reported = new Set<Cell>();
    const metrics: CallMetricData[] = [];
    for (const family of this.owner.familyList()) {
      const type = family.descriptor.type;
      const temporality = this.temporalityOf(type);
      const delta = temporality === DELTA;
      const cells: Iterable<Cell> = delta ? (deltaCells[family.index] ?? []) : family.cells.values();
      const histogram = type === 'HISTOGRAM';
      const points: CallMetricPoint<CallHistogramValue | number>[] = [];
      for (const cell of cells) {
        const state = cell.states[this.index];
        if (state === undefined || state.startTime === undefined) continue;
        let startTime = state.startTime;
        if (delta) {
          // As the SDK: from the last collection when the series was reported there, else from its first value since.
          if (this.reported.has(cell) && this.lastCollection !== undefined) startTime = this.lastCollection;
          reported.add(cell);
        }
        const value: CallHistogramValue | number = histogram
          ? {
              min: state.min,
              max: state.max,
              sum: state.sum,
              buckets: { boundaries: family.boundaries as number[], counts: (state.counts as number[]).slice() },
              count: state.count,
            }
          : state.sum;
        points.push({ attributes: cell.attributes, startTime, endTime: now, value });
        if (delta) reset(state);
      }
      if (points.length === 0) continue;
      metrics.push(
        histogram
          ? {
              descriptor: family.descriptor,
              aggregationTemporality: temporality,
              dataPointType: 0,
              dataPoints: points as CallMetricPoint<CallHistogramValue>[],
            }
          : {
              descriptor: family.descriptor,
              aggregationTemporality: temporality,
              dataPointType: 3,
              dataPoints: points as CallMetricPoint<number>[],
              isMonotonic: true,
            },
      );
    }
    this.reported = reported;
    this.lastCollection = now;
    return metrics.length === 0 ? [] : [{ scope: { name: METER_NAME, version: VERSION, schemaUrl: undefined }, metrics }];
  }

  private temporalityOf(type: 'HISTOGRAM' | 'COUNTER'): number {
    let temporality = this.temporality.get(type);
    if (temporality === undefined) {
      temporality = this.select(type) === DELTA ? DELTA : CUMULATIVE;
      this.temporality.set(type, temporality);
    }
    return temporality;
  }
}

/** Clears a delta state after its point was reported. */
function reset(state: ReaderState): void {
  state.count = 0;
  state.sum = 0;
  state.min = Infinity;
  state.max = -Infinity;
  state.counts?.fill(0);
  state.startTime = undefined;
}

/** Name and version of the one meter every Tokenomics instrumentation records its metrics on. */
export const METER_NAME = '@tokenomics/instrumentation';

/** A key of an attribute set that does not depend on the order of its keys (built once per series). */
function attributesKey(attributes: Attributes): string {
  const keys = Object.keys(attributes).sort();
  return JSON.stringify(keys.map((key) => [key, attributes[key]]));
}

/** Now, as the OpenTelemetry SDK reads it: `[seconds, nanoseconds]` since the epoch. */
function hrNow(): HrTime {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.trunc(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

const ATTACHED = new WeakMap<MeterProvider, CallMetrics>();

/**
 * Records Tokenomics' call metrics on `meterProvider` into `callMetrics` (whose readers are the
 * provider's) instead of through the provider's instruments. For a provider whose every reader was
 * built with a producer of `callMetrics`; instrumentations that take the provider after this call
 * record there. `undefined` detaches.
 */
export function attachCallMetrics(meterProvider: MeterProvider, callMetrics: CallMetrics | undefined): void {
  if (callMetrics === undefined) ATTACHED.delete(meterProvider);
  else ATTACHED.set(meterProvider, callMetrics);
}

/** @internal The aggregation attached to `meterProvider`, if any. */
export function attachedCallMetrics(meterProvider: object): CallMetrics | undefined {
  return ATTACHED.get(meterProvider as MeterProvider);
}
