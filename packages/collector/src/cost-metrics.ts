/**
 * The `tokenomics.tokens`, `tokenomics.cost` and `tokenomics.calls.unpriced` counters for the calls
 * the stage priced, with the attributes the hook gives them (provider, operation, request and
 * response model, token type, estimated flag), so a dashboard sums the hook's figures and the
 * stage's alike. Cumulative sums from the stage's start, one resource per `service.name` of the
 * priced spans with the stage replica's `service.instance.id` (each replica sends its own series;
 * a sum over the service adds the replicas), sent with each flush into the forwarded metrics stream.
 *
 * A figure that might not equal the bill is flagged `tokenomics.usage.estimated` = `true`: every
 * unit of a call whose counts are estimated, and the input unit of a call whose cache share is
 * unknown (as the histogram conversion flags its input cost).
 *
 * State is one number per series, at most `maxSeries` series; beyond it values go to one overflow
 * series per metric (`otel.metric.overflow` = true), so totals stay exact and memory stays bounded.
 */
import type { Attributes } from '@opentelemetry/api';
import { partitionTokens, TOKEN_UNITS } from '@tokenomics/contract/tokens';
import { toKeyValue } from './attributes';
import * as N from './names';
import { otlpMessages } from './otlp-messages';
import { millisToNanos } from './otlp-time';
import type { PricedCall, UnpricedCall } from './trace-enrichment';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

type MetricKind = 'tokens' | 'cost' | 'unpriced';

interface Series {
  readonly service: string | undefined;
  readonly metric: MetricKind;
  readonly attributes: Attributes;
  value: number;
}

/** The series of one call shape (see {@link CostMetrics.groupOf}). */
export interface CallGroup {
  readonly base: Attributes;
  readonly tokens: Map<string, Series>;
  readonly cost: Map<string, Series>;
}

const METRICS: Readonly<Record<MetricKind, { name: string; unit: string; description: string; double: boolean }>> = {
  tokens: {
    name: N.METRIC_TOKENOMICS_TOKENS,
    unit: N.UNIT_TOKEN,
    description: 'Tokens billed, by disjoint token type (uncached input, cache read/write, output, reasoning)',
    double: false,
  },
  cost: { name: N.METRIC_TOKENOMICS_COST, unit: N.UNIT_USD, description: 'Cost of GenAI calls in US dollars, by token type', double: true },
  unpriced: {
    name: N.METRIC_TOKENOMICS_CALLS_UNPRICED,
    unit: N.UNIT_CALL,
    description: 'Calls whose cost could not be determined (unknown model, missing usage)',
    double: false,
  },
};

/** What the series of a priced call are keyed by: its service, provider, operation, models and flags. */
export interface CallShape {
  readonly service: string | undefined;
  readonly provider: string | undefined;
  readonly operation: string | undefined;
  readonly requestModel: string | undefined;
  readonly responseModel: string | undefined;
  /** The source flagged its counts as estimated: every unit is counted estimated. */
  readonly estimated: boolean;
  /** The span shows no cache count and the model's cached input is priced differently: the input unit is counted estimated. */
  readonly cacheShareUnknown: boolean;
}

/** Default of the series cap. */
export const DEFAULT_MAX_COST_SERIES = 10_000;

/** Cumulative cost metrics of the calls the stage priced. */
export class CostMetrics {
  private readonly series = new Map<string, Series>();
  /** Series by call shape, so that a call's counts need one lookup (bounded like the series). */
  private readonly groups = new Map<string, CallGroup>();
  private readonly parts = new Float64Array(TOKEN_UNITS.length);
  private readonly startNanos: string;
  private dirty = false;

  /**
   * @param maxSeries - series cap (overflow beyond it)
   * @param instanceId - this replica's `service.instance.id`, on every resource sent
   * @param startMillis - start of the cumulative series
   */
  constructor(
    private readonly maxSeries = DEFAULT_MAX_COST_SERIES,
    private readonly instanceId: string | undefined = undefined,
    startMillis = Date.now(),
  ) {
    this.startNanos = millisToNanos(startMillis);
  }

  /** Number of series held. */
  get size(): number {
    return this.series.size;
  }

  /** Count one priced call: its tokens by disjoint unit and its cost by billing unit. */
  addPriced(priced: PricedCall): void {
    const call = priced.call;
    this.addCall(
      {
        service: priced.serviceName,
        provider: call.provider,
        operation: call.operation,
        requestModel: call.requestModel,
        responseModel: call.responseModel,
        estimated: call.estimated,
        cacheShareUnknown: priced.cacheShareUnknown === true,
      },
      partitionTokens(call.usage, this.parts),
      priced.breakdown,
    );
  }

  /**
   * Count one priced call given by its shape, its tokens by disjoint unit (in `TOKEN_UNITS` order,
   * as `partitionTokens` gives them) and its cost by billing unit: what {@link addPriced} counts,
   * for calls read elsewhere (a worker thread of the stage).
   */
  addCall(shape: CallShape, parts: ArrayLike<number>, breakdown: Iterable<readonly [string, number]>): void {
    this.addToGroup(this.groupOf(shape), shape, parts, breakdown);
  }

  /**
   * The series of one call shape, looked up by one string: a caller with many calls of one shape
   * looks it up once and counts them with {@link addToGroup}.
   */
  groupOf(shape: CallShape): CallGroup {
    const groupKey = `${shape.service ?? ''}\u0000${shape.provider ?? ''}\u0000${shape.operation ?? ''}\u0000${shape.requestModel ?? ''}\u0000${shape.responseModel ?? ''}\u0000${shape.estimated ? 1 : 0}${shape.cacheShareUnknown ? 1 : 0}`;
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      group = { base: baseAttributes(shape), tokens: new Map(), cost: new Map() };
      if (this.groups.size < this.maxSeries) this.groups.set(groupKey, group);
    }
    return group;
  }

  /** Count one call of `shape` into `group` (from {@link groupOf} for the same shape). */
  addToGroup(group: CallGroup, shape: CallShape, parts: ArrayLike<number>, breakdown: Iterable<readonly [string, number]>): void {
    for (let i = 0; i < TOKEN_UNITS.length; i++) {
      const count = parts[i];
      const unit = TOKEN_UNITS[i];
      if (count > 0) this.addTo(group, 'tokens', shape.service, unit, estimatedUnit(shape, unit), count);
    }
    for (const [unit, amount] of breakdown) {
      if (amount > 0) this.addTo(group, 'cost', shape.service, unit, estimatedUnit(shape, unit), amount);
    }
  }

  private addTo(
    group: CallGroup,
    metric: 'tokens' | 'cost',
    service: string | undefined,
    unit: string,
    estimated: boolean,
    value: number,
  ): void {
    const known = group[metric].get(unit);
    if (known !== undefined) {
      known.value += value;
      this.dirty = true;
      return;
    }
    const series = this.add(service, metric, withUnit(group.base, unit, estimated), value);
    group[metric].set(unit, series);
  }

  /** Count one call the stage could not price, by reason. */
  addUnpriced(unpriced: UnpricedCall): void {
    const attrs: Attributes = {};
    for (const key of [N.ATTR_GEN_AI_PROVIDER_NAME, N.ATTR_GEN_AI_OPERATION_NAME, N.ATTR_GEN_AI_REQUEST_MODEL]) {
      const value = unpriced.attributes[key];
      if (typeof value === 'string') attrs[key] = value;
    }
    attrs[N.ATTR_TOKENOMICS_UNPRICED_REASON] = unpriced.reason;
    this.add(unpriced.serviceName, 'unpriced', attrs, 1);
  }

  /**
   * An `ExportMetricsServiceRequest` with every series (cumulative), or `undefined` when nothing
   * was ever counted.
   */
  flush(nowMillis = Date.now()): Uint8Array | undefined {
    // Cumulative series are sent again at every flush, so that backends keep them fresh.
    if (!this.dirty && this.series.size === 0) return undefined;
    this.dirty = false;
    const now = millisToNanos(nowMillis);
    const byService = new Map<string | undefined, Map<MetricKind, Series[]>>();
    for (const s of this.series.values()) {
      let metrics = byService.get(s.service);
      if (metrics === undefined) byService.set(s.service, (metrics = new Map()));
      let list = metrics.get(s.metric);
      if (list === undefined) metrics.set(s.metric, (list = []));
      list.push(s);
    }
    const resourceMetrics = [];
    for (const [service, metrics] of byService) {
      const otlpMetrics = [];
      for (const [kind, list] of metrics) {
        const def = METRICS[kind];
        otlpMetrics.push({
          name: def.name,
          unit: def.unit,
          description: def.description,
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: list.map((s) => ({
              attributes: Object.keys(s.attributes).map((k) => toKeyValue(k, s.attributes[k] as NonNullable<Attributes[string]>)),
              startTimeUnixNano: this.startNanos,
              timeUnixNano: now,
              ...(def.double ? { asDouble: s.value } : { asInt: s.value }),
            })),
          },
        });
      }
      const resource = [];
      if (service !== undefined) resource.push(toKeyValue(N.ATTR_SERVICE_NAME, service));
      if (this.instanceId !== undefined) resource.push(toKeyValue(N.ATTR_SERVICE_INSTANCE_ID, this.instanceId));
      resourceMetrics.push({
        resource: { attributes: resource },
        scopeMetrics: [{ scope: { name: PACKAGE_NAME, version: PACKAGE_VERSION }, metrics: otlpMetrics }],
      });
    }
    return otlpMessages().metricsRequest.encode({ resourceMetrics }).finish();
  }

  /** Send every series again at the next flush (a flush whose request could not be queued). */
  markDirty(): void {
    if (this.series.size > 0) this.dirty = true;
  }

  private add(service: string | undefined, metric: MetricKind, attributes: Attributes, value: number): Series {
    let key = `${service ?? ''}\u0000${metric}`;
    for (const k of Object.keys(attributes).sort()) key += `\u0000${k}\u0001${String(attributes[k])}`;
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) {
        const overflowKey = `\u0001overflow\u0000${metric}`;
        s = this.series.get(overflowKey);
        if (s === undefined) {
          s = { service: undefined, metric, attributes: { [N.ATTR_OTEL_METRIC_OVERFLOW]: true }, value: 0 };
          this.series.set(overflowKey, s);
        }
      } else {
        s = { service, metric, attributes, value: 0 };
        this.series.set(key, s);
      }
    }
    s.value += value;
    this.dirty = true;
    return s;
  }
}

/** The unit whose figure a cache share the span does not show would change. */
const INPUT_UNIT = 'input';

function estimatedUnit(shape: CallShape, unit: string): boolean {
  return shape.estimated || (shape.cacheShareUnknown && unit === INPUT_UNIT);
}

function baseAttributes(call: CallShape): Attributes {
  const attrs: Attributes = {};
  if (call.provider !== undefined) attrs[N.ATTR_GEN_AI_PROVIDER_NAME] = call.provider;
  if (call.operation !== undefined) attrs[N.ATTR_GEN_AI_OPERATION_NAME] = call.operation;
  const requestModel = call.requestModel ?? call.responseModel;
  if (requestModel !== undefined) attrs[N.ATTR_GEN_AI_REQUEST_MODEL] = requestModel;
  if (call.responseModel !== undefined) attrs[N.ATTR_GEN_AI_RESPONSE_MODEL] = call.responseModel;
  return attrs;
}

function withUnit(base: Attributes, unit: string, estimated: boolean): Attributes {
  return { ...base, [N.ATTR_TOKENOMICS_TOKEN_TYPE]: unit, [N.ATTR_TOKENOMICS_USAGE_ESTIMATED]: estimated };
}
