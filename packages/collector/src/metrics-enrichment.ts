/**
 * Adds cost to the foreign `gen_ai.client.token.usage` histograms of one OTLP
 * `ExportMetricsServiceRequest`, with the exporter's `TokenUsageCost` (the same interval
 * arithmetic and price-book calls as `CostEnrichingMetricExporter`). The counters it derives go in
 * one more scope (`@tokenomics/exporter`) appended to the resource block they came from; resource
 * blocks without such a histogram, or of a service whose cost counters come from its spans, are
 * forwarded byte for byte.
 */
import type { Attributes } from '@opentelemetry/api';
import { TokenUsageCost } from '@tokenomics/exporter';
import { toAttributes, toKeyValue } from './attributes';
import * as N from './names';
import { otlpMessages, type Int64, type KeyValueMessage } from './otlp-messages';
import { hrTimeToNanos, nanosToHrTime } from './otlp-time';
import { fieldsOf, messageFields, pushLengthDelimited, readerOf } from './wire';

type SdkResourceMetrics = Parameters<TokenUsageCost['enrich']>[0];
type Tally = Parameters<TokenUsageCost['enrich']>[1];

const REQUEST_RESOURCE_METRICS = 1;
const RESOURCE_METRICS_SCOPE_METRICS = 2;
const MARKER = Buffer.from(N.METRIC_GEN_AI_CLIENT_TOKEN_USAGE, 'latin1');

/** `DataPointType` and `AggregationTemporality` values of `@opentelemetry/sdk-metrics`. */
const SDK_HISTOGRAM = 0;
const SDK_EXPONENTIAL_HISTOGRAM = 1;
const SDK_DELTA = 0;
const SDK_CUMULATIVE = 1;
/** OTLP `AggregationTemporality` values. */
const OTLP_DELTA = 1;
const OTLP_CUMULATIVE = 2;

interface DecodedPoint {
  attributes?: KeyValueMessage[] | null;
  startTimeUnixNano?: Int64 | null;
  timeUnixNano?: Int64 | null;
  count?: Int64 | null;
  sum?: number | null;
}
interface DecodedMetric {
  name?: string | null;
  unit?: string | null;
  histogram?: { dataPoints?: DecodedPoint[] | null; aggregationTemporality?: number | null } | null;
  exponentialHistogram?: { dataPoints?: DecodedPoint[] | null; aggregationTemporality?: number | null } | null;
}
interface DecodedResourceMetrics {
  resource?: { attributes?: KeyValueMessage[] | null } | null;
  scopeMetrics?: { scope?: { name?: string | null; version?: string | null } | null; metrics?: DecodedMetric[] | null }[] | null;
}

/** What enriching one metrics request did. */
export interface MetricsEnrichment {
  readonly bytes: Uint8Array;
  readonly points: number;
  readonly tally: Tally;
}

/** Cost metrics for foreign token-usage histograms, with state across requests (bounded by the exporter's cap). */
export class MetricsEnricher {
  private readonly resources = new Map<string, SdkResourceMetrics['resource']>();

  /**
   * @param cost - the conversion
   * @param converts - whether the histograms of a `service.name` are turned into cost counters
   * @param maxResources - resources followed across requests
   */
  constructor(
    private readonly cost: TokenUsageCost,
    private readonly converts: (service: string | undefined) => boolean = () => true,
    private readonly maxResources = 4096,
  ) {}

  /** Enrich one request; throws when it is not well-framed protobuf. */
  enrich(body: Uint8Array): MetricsEnrichment {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const reader = readerOf(buf);
    const top = fieldsOf(reader, 0, buf.length);
    const tally: Tally = {};
    let points = 0;
    let changed = false;
    const parts: Uint8Array[] = [];
    const m = otlpMessages();
    for (const range of top) {
      if (
        range.field !== REQUEST_RESOURCE_METRICS ||
        range.wireType !== 2 ||
        buf.subarray(range.contentStart, range.end).indexOf(MARKER) === -1
      ) {
        parts.push(buf.subarray(range.start, range.end));
        continue;
      }
      // Frame check of the nested scopes before decoding.
      messageFields(fieldsOf(reader, range.contentStart, range.end), RESOURCE_METRICS_SCOPE_METRICS);
      reader.pos = range.contentStart;
      const decoded = m.resourceMetrics.decode(reader, range.end - range.contentStart) as DecodedResourceMetrics;
      const sdk = this.toSdk(decoded);
      points += countPoints(sdk);
      const service = sdk.resource.attributes[N.ATTR_SERVICE_NAME];
      if (!this.converts(typeof service === 'string' ? service : undefined)) {
        parts.push(buf.subarray(range.start, range.end));
        continue;
      }
      const enriched = this.cost.enrich(sdk, tally);
      if (enriched === sdk) {
        parts.push(buf.subarray(range.start, range.end));
        continue;
      }
      const addedScope = enriched.scopeMetrics[enriched.scopeMetrics.length - 1];
      const extra = m.resourceMetrics.encode({ scopeMetrics: [toOtlpScopeMetrics(addedScope)] }).finish();
      pushLengthDelimited(parts, REQUEST_RESOURCE_METRICS, [buf.subarray(range.contentStart, range.end), extra]);
      changed = true;
    }
    return { bytes: changed ? Buffer.concat(parts) : body, points, tally };
  }

  /** The request's token-usage histograms in the shape of the SDK's `ResourceMetrics`. */
  private toSdk(decoded: DecodedResourceMetrics): SdkResourceMetrics {
    const resourceAttrs = toAttributes(decoded.resource?.attributes);
    const scopeMetrics: SdkResourceMetrics['scopeMetrics'] = [];
    for (const sm of decoded.scopeMetrics ?? []) {
      const metrics = [];
      for (const metric of sm.metrics ?? []) {
        if (metric.name !== N.METRIC_GEN_AI_CLIENT_TOKEN_USAGE) continue;
        const data = metric.histogram ?? metric.exponentialHistogram;
        if (!data) continue;
        const temporality =
          data.aggregationTemporality === OTLP_DELTA
            ? SDK_DELTA
            : data.aggregationTemporality === OTLP_CUMULATIVE
              ? SDK_CUMULATIVE
              : undefined;
        if (temporality === undefined) continue;
        metrics.push({
          descriptor: { name: metric.name, description: '', unit: metric.unit ?? '', valueType: 1 },
          aggregationTemporality: temporality,
          dataPointType: metric.histogram ? SDK_HISTOGRAM : SDK_EXPONENTIAL_HISTOGRAM,
          dataPoints: (data.dataPoints ?? []).map((p) => ({
            attributes: toAttributes(p.attributes),
            startTime: nanosToHrTime(p.startTimeUnixNano),
            endTime: nanosToHrTime(p.timeUnixNano),
            value: { sum: typeof p.sum === 'number' ? p.sum : undefined, count: countOf(p.count) },
          })),
        });
      }
      if (metrics.length > 0) {
        scopeMetrics.push({
          scope: { name: sm.scope?.name ?? '', ...(sm.scope?.version ? { version: sm.scope.version } : {}) },
          metrics,
        } as unknown as SdkResourceMetrics['scopeMetrics'][number]);
      }
    }
    return { resource: this.resourceFor(resourceAttrs), scopeMetrics };
  }

  /** One resource object per distinct attribute set, so that cumulative streams are followed across requests. */
  private resourceFor(attrs: Attributes): SdkResourceMetrics['resource'] {
    let key = '';
    for (const k of Object.keys(attrs).sort()) key += `${k}\u0001${JSON.stringify(attrs[k])}\u0002`;
    let resource = this.resources.get(key);
    if (resource === undefined) {
      resource = { attributes: attrs } as unknown as SdkResourceMetrics['resource'];
      if (this.resources.size < this.maxResources) this.resources.set(key, resource);
    }
    return resource;
  }
}

function countOf(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function countPoints(rm: SdkResourceMetrics): number {
  let n = 0;
  for (const sm of rm.scopeMetrics) for (const metric of sm.metrics) n += metric.dataPoints.length;
  return n;
}

function toOtlpScopeMetrics(sm: SdkResourceMetrics['scopeMetrics'][number]): Record<string, unknown> {
  return {
    scope: { name: sm.scope.name, version: sm.scope.version ?? '' },
    metrics: sm.metrics.map((metric) => ({
      name: metric.descriptor.name,
      description: metric.descriptor.description,
      unit: metric.descriptor.unit,
      sum: {
        aggregationTemporality: metric.aggregationTemporality === SDK_DELTA ? OTLP_DELTA : OTLP_CUMULATIVE,
        isMonotonic: true,
        dataPoints: metric.dataPoints.map((p) => ({
          attributes: Object.keys(p.attributes).map((k) => toKeyValue(k, p.attributes[k] as NonNullable<Attributes[string]>)),
          startTimeUnixNano: hrTimeToNanos(p.startTime),
          timeUnixNano: hrTimeToNanos(p.endTime),
          ...(metric.descriptor.valueType === 1 ? { asDouble: p.value as number } : { asInt: p.value as number }),
        })),
      },
    })),
  };
}
