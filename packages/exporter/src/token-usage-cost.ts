import { diag, ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTimeToMilliseconds, type InstrumentationScope } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { TOKENOMICS_CALLS_UNPRICED, TOKENOMICS_COST, type MetricDefinition } from '@tokenomics/contract/metrics';
import type { PriceOptions } from '@tokenomics/contract/price-book';
import type { GenAITokenType } from '@tokenomics/contract/tokens';
import { MAX_TOKENS_PER_CALL } from '@tokenomics/pricing/usage-validation';
import * as A from './attribute-names';
import { GEN_AI_TOKEN_TYPE_ALIASES, LLM_REQUEST_TYPE_OPERATIONS } from './attribute-names';
import { modelOptions, type ModelOptions, type PriceBookLike } from './price-book';
import { normaliseProviderName } from './provider-names';
import type { MetricPointOutcome } from './self-metrics';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

type Resource = ResourceMetrics['resource'];

/** Previous cumulative reading of one source histogram stream. */
interface SourceState {
  startTime: HrTime;
  endTime: HrTime;
  sum: number;
  count: number;
}

/** One output counter stream (cost or unpriced calls). */
interface OutputStream {
  readonly metric: 'cost' | 'unpriced';
  readonly temporality: AggregationTemporality;
  readonly attributes: Attributes;
  startTime: HrTime;
  endTime: HrTime;
  value: number;
}

/**
 * Turns foreign `gen_ai.client.token.usage` histograms into a `tokenomics.cost` counter and a
 * `tokenomics.calls.unpriced` counter, in the temporality of the source.
 *
 * Cost per data point = (tokens recorded in the interval) × (per-token rate of the price book for the
 * interval's mean call size, at the interval's end time). Pricing the mean call rather than the
 * interval's total keeps context-length tiers (prices that depend on the size of one call) right for
 * typical traffic. Foreign histograms carry no cache split, so input is priced at the uncached input
 * rate: an upper bound when prompts were cached. Such input cost is flagged
 * `tokenomics.usage.estimated` = `true` whenever the model's cached-input rate differs from its
 * input rate (the cache share would change the figure); output cost, and input cost of models without
 * a cache discount, are exact (`false`).
 *
 * Cumulative sources are differenced against the previous reading (a restart — new start time or a
 * smaller sum — starts over), and the cost accumulates in our own cumulative stream. State is one
 * entry per source stream and per output stream, capped at `maxStreams` each; beyond the cap new
 * streams are not priced (reported through `diag` and the `skipped` outcome) rather than evicting
 * state and counting a stream twice.
 */
export class TokenUsageCost {
  private readonly sources = new Map<string, SourceState>();
  private readonly outputs = new Map<string, OutputStream>();
  private readonly resourceIds = new WeakMap<Resource, number>();
  private nextResourceId = 0;
  private warnedFull = false;

  constructor(
    private readonly book: () => PriceBookLike | undefined,
    private readonly includeScope: (scope: InstrumentationScope) => boolean,
    private readonly maxStreams: number,
  ) {}

  /** Number of streams held (source and output), for tests and diagnostics. */
  get stateSize(): number {
    return this.sources.size + this.outputs.size;
  }

  /**
   * Add the cost metrics for one export. Returns the input object when there is nothing to add,
   * otherwise a new `ResourceMetrics` with the same resource, the same scope metrics and one more
   * scope (`@tokenomics/exporter`) holding the counters.
   */
  enrich(resourceMetrics: ResourceMetrics, tally: Partial<Record<MetricPointOutcome, number>>): ResourceMetrics {
    const resourceId = this.resourceId(resourceMetrics.resource);
    const touched = new Map<string, OutputStream>();
    for (const scopeMetrics of resourceMetrics.scopeMetrics) {
      if (!this.includeScope(scopeMetrics.scope)) continue;
      for (const metric of scopeMetrics.metrics) {
        if (metric.descriptor.name !== A.METRIC_GEN_AI_CLIENT_TOKEN_USAGE) continue;
        if (metric.dataPointType !== DataPointType.HISTOGRAM && metric.dataPointType !== DataPointType.EXPONENTIAL_HISTOGRAM) {
          continue;
        }
        const scopeKey = `${resourceId}\u0000${scopeMetrics.scope.name}\u0000${scopeMetrics.scope.version ?? ''}`;
        for (const point of metric.dataPoints as DataPoint<{ sum?: number; count: number }>[]) {
          const outcome = this.addPoint(scopeKey, resourceId, metric.aggregationTemporality, point, touched);
          tally[outcome] = (tally[outcome] ?? 0) + 1;
        }
      }
    }
    if (touched.size === 0) return resourceMetrics;
    const added: ScopeMetrics = { scope: { name: PACKAGE_NAME, version: PACKAGE_VERSION }, metrics: toMetricData(touched) };
    return { resource: resourceMetrics.resource, scopeMetrics: [...resourceMetrics.scopeMetrics, added] };
  }

  private addPoint(
    scopeKey: string,
    resourceId: number,
    temporality: AggregationTemporality,
    point: DataPoint<{ sum?: number; count: number }>,
    touched: Map<string, OutputStream>,
  ): MetricPointOutcome {
    const attrs = point.attributes;
    const tokenType = GEN_AI_TOKEN_TYPE_ALIASES.get(String(attrs[A.ATTR_GEN_AI_TOKEN_TYPE] ?? ''));
    const sum = point.value.sum;
    const count = point.value.count;
    if (tokenType === undefined || typeof sum !== 'number' || !(sum >= 0 && sum < Infinity) || !(count >= 0 && count < Infinity))
      return 'skipped';

    // Tokens and calls recorded in this interval.
    let tokens = sum;
    let calls = count;
    let sourceIsNew = true;
    let previousEnd: HrTime | undefined;
    if (temporality === AggregationTemporality.CUMULATIVE) {
      const key = `${scopeKey}\u0000${attributesKey(attrs)}`;
      const prev = this.sources.get(key);
      if (prev === undefined) {
        if (!this.hasRoom(this.sources)) return 'skipped';
        this.sources.set(key, { startTime: point.startTime, endTime: point.endTime, sum, count });
      } else {
        sourceIsNew = false;
        previousEnd = prev.endTime;
        const restarted = !sameTime(prev.startTime, point.startTime) || sum < prev.sum || count < prev.count;
        if (!restarted) {
          tokens = sum - prev.sum;
          calls = count - prev.count;
        }
        prev.startTime = point.startTime;
        prev.endTime = point.endTime;
        prev.sum = sum;
        prev.count = count;
      }
    }

    const provider = providerOf(attrs);
    const operation = operationOf(attrs);
    const requestModel = stringAttr(attrs, A.ATTR_GEN_AI_REQUEST_MODEL);
    const responseModel = stringAttr(attrs, A.ATTR_GEN_AI_RESPONSE_MODEL);
    const models = modelOptions(requestModel, responseModel);
    const common: Attributes = {};
    if (provider !== undefined) common[A.ATTR_GEN_AI_PROVIDER_NAME] = provider;
    if (operation !== undefined) common[A.ATTR_GEN_AI_OPERATION_NAME] = operation;
    if (requestModel ?? responseModel) common[A.ATTR_GEN_AI_REQUEST_MODEL] = (requestModel ?? responseModel) as string;

    const meanCall = Math.max(1, Math.round(calls > 0 ? tokens / calls : count > 0 ? sum / count : 1));
    // Calls averaging more tokens than any one call may bill (see `usageProblem`) are not priced.
    const priced =
      meanCall > MAX_TOKENS_PER_CALL ? { reason: 'invalid_usage' } : this.rate(tokenType, meanCall, provider, models, point.endTime);
    const start = sourceIsNew ? point.startTime : (previousEnd ?? point.startTime);
    if ('perToken' in priced && priced.perToken * tokens < Infinity) {
      const attributes: Attributes = {
        ...common,
        [A.ATTR_TOKENOMICS_TOKEN_TYPE]: tokenType,
        [A.ATTR_TOKENOMICS_USAGE_ESTIMATED]: !priced.exact,
      };
      this.accumulate('cost', temporality, attributes, resourceId, start, point.endTime, priced.perToken * tokens, touched);
      return 'priced';
    }
    // Count each call once: on its input point.
    if (tokenType === 'input') {
      const reason = 'perToken' in priced ? 'invalid_cost' : priced.reason;
      const attributes: Attributes = { ...common, [A.ATTR_TOKENOMICS_UNPRICED_REASON]: reason };
      this.accumulate('unpriced', temporality, attributes, resourceId, start, point.endTime, calls, touched);
    }
    return 'unpriced';
  }

  /**
   * USD per token for a call of `meanCall` tokens of this type, and whether that is exact (false for
   * input when a cached share would be priced differently), or why there is none.
   */
  private rate(
    tokenType: GenAITokenType,
    meanCall: number,
    provider: string | undefined,
    models: ModelOptions | undefined,
    at: HrTime,
  ): { perToken: number; exact: boolean } | { reason: string } {
    const book = this.book();
    if (book === undefined) return { reason: 'no_price_book' };
    if (models === undefined) return { reason: 'no_model' };
    const opts: PriceOptions = models;
    opts.at = new Date(hrTimeToMilliseconds(at));
    if (provider !== undefined) opts.provider = provider;
    try {
      const cost = book.price(tokenType === 'input' ? { inputTokens: meanCall } : { outputTokens: meanCall }, opts);
      if (!cost.priced) return { reason: cost.reason };
      const tokensCost = cost.amount - (cost.breakdown.request ?? 0);
      if (!(Number.isFinite(tokensCost) && tokensCost >= 0)) return { reason: 'pricing_error' };
      let exact = true;
      if (tokenType === 'input') {
        const cached = book.price({ inputTokens: meanCall, cacheReadTokens: meanCall }, opts);
        exact = cached.priced && cached.amount - (cached.breakdown.request ?? 0) === tokensCost;
      }
      return { perToken: tokensCost / meanCall, exact };
    } catch (err) {
      diag.warn(
        `@tokenomics/exporter: price book threw for model ${models.responseModel ?? models.model}; counting the calls unpriced`,
        err,
      );
      return { reason: 'pricing_error' };
    }
  }

  private accumulate(
    metric: OutputStream['metric'],
    temporality: AggregationTemporality,
    attributes: Attributes,
    resourceId: number,
    startTime: HrTime,
    endTime: HrTime,
    amount: number,
    touched: Map<string, OutputStream>,
  ): void {
    const key = `${resourceId}\u0000${metric}\u0000${temporality}\u0000${attributesKey(attributes)}`;
    let stream = touched.get(key);
    if (stream === undefined && temporality === AggregationTemporality.CUMULATIVE) {
      stream = this.outputs.get(key);
      if (stream === undefined) {
        if (!this.hasRoom(this.outputs)) return;
        stream = { metric, temporality, attributes, startTime, endTime, value: 0 };
        this.outputs.set(key, stream);
      }
    }
    if (stream === undefined) {
      stream = { metric, temporality, attributes, startTime, endTime, value: 0 };
    }
    if (temporality === AggregationTemporality.DELTA && hrTimeToMilliseconds(startTime) < hrTimeToMilliseconds(stream.startTime)) {
      stream.startTime = startTime;
    }
    if (hrTimeToMilliseconds(endTime) > hrTimeToMilliseconds(stream.endTime)) stream.endTime = endTime;
    stream.value += amount;
    touched.set(key, stream);
  }

  private hasRoom(map: Map<string, unknown>): boolean {
    if (map.size < this.maxStreams) return true;
    if (!this.warnedFull) {
      this.warnedFull = true;
      diag.warn(
        `@tokenomics/exporter: more than ${this.maxStreams} gen_ai.client.token.usage streams; new streams are not priced (raise maxStreams)`,
      );
    }
    return false;
  }

  private resourceId(resource: Resource): number {
    let id = this.resourceIds.get(resource);
    if (id === undefined) {
      id = this.nextResourceId++;
      this.resourceIds.set(resource, id);
    }
    return id;
  }
}

function toMetricData(streams: Map<string, OutputStream>): MetricData[] {
  const byMetric = new Map<string, SumMetricData>();
  for (const stream of streams.values()) {
    const key = `${stream.metric}\u0000${stream.temporality}`;
    let data = byMetric.get(key);
    if (data === undefined) {
      data =
        stream.metric === 'cost'
          ? sumMetric(TOKENOMICS_COST, ValueType.DOUBLE, stream.temporality)
          : sumMetric(TOKENOMICS_CALLS_UNPRICED, ValueType.INT, stream.temporality);
      byMetric.set(key, data);
    }
    data.dataPoints.push({ startTime: stream.startTime, endTime: stream.endTime, attributes: stream.attributes, value: stream.value });
  }
  return [...byMetric.values()];
}

/** A sum in the same descriptor (name, unit, description) as the instrumentation declares it. */
function sumMetric(definition: MetricDefinition, valueType: ValueType, temporality: AggregationTemporality): SumMetricData {
  const { name, description, unit } = definition;
  return {
    descriptor: { name, description, unit, valueType },
    aggregationTemporality: temporality,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: [],
  };
}

function providerOf(attrs: Attributes): string | undefined {
  const raw = stringAttr(attrs, A.ATTR_GEN_AI_PROVIDER_NAME) ?? stringAttr(attrs, A.ATTR_GEN_AI_SYSTEM);
  return raw === undefined ? undefined : normaliseProviderName(raw);
}

function operationOf(attrs: Attributes): string | undefined {
  const op = stringAttr(attrs, A.ATTR_GEN_AI_OPERATION_NAME);
  if (op !== undefined) return op;
  const type = stringAttr(attrs, A.ATTR_LLM_REQUEST_TYPE);
  return type === undefined ? undefined : (LLM_REQUEST_TYPE_OPERATIONS.get(type) ?? type);
}

function stringAttr(attrs: Attributes, key: string): string | undefined {
  const value = attrs[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function attributesKey(attrs: Attributes): string {
  const keys = Object.keys(attrs).sort();
  let key = '';
  for (const k of keys) key += `${k}\u0001${JSON.stringify(attrs[k])}\u0002`;
  return key;
}

function sameTime(a: HrTime, b: HrTime): boolean {
  return a[0] === b[0] && a[1] === b[1];
}
