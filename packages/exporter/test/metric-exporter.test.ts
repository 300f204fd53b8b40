/**
 * Cost counters derived from foreign gen_ai.client.token.usage histograms. Figures from rate-card.ts
 * (USD per million tokens): gpt-4o $2.50 input / $10 output; gemini-2.5-pro $1.25 input for calls up
 * to 200k input tokens ($2.50 above).
 */
import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  InMemoryMetricExporter,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { CostEnrichingMetricExporter, type CostEnrichingMetricExporterOptions } from '../src/index';
import { captureDiag, counterValue, resource, selfMetricsProvider, sumPoints } from './harness';
import { RateCard } from './rate-card';

const openai = (tokenType: string, model = 'gpt-4o'): Attributes => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': model,
  'gen_ai.response.model': `${model}-2024-08-06`,
  'server.address': 'api.openai.com',
  'gen_ai.token.type': tokenType,
});

const costAttrs = (tokenType: string, model = 'gpt-4o'): Attributes => ({
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': model,
  'tokenomics.token.type': tokenType,
  // Input cost without the cache share is an upper bound for a model with a cached-input rate.
  'tokenomics.usage.estimated': tokenType === 'input',
});

const providers: MeterProvider[] = [];
let restoreDiag: (() => void) | undefined;
afterEach(async () => {
  restoreDiag?.();
  restoreDiag = undefined;
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

function pipeline(temporality: AggregationTemporality, options: CostEnrichingMetricExporterOptions = {}) {
  const sink = new InMemoryMetricExporter(temporality);
  const book = new RateCard();
  const exporter = new CostEnrichingMetricExporter(sink, { priceBook: book, ...options });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource, readers: [reader] });
  providers.push(provider);
  const histogram = (scope: string) => provider.getMeter(scope, '1.0.0').createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
  const collect = async () => {
    await reader.forceFlush();
    const all = sink.getMetrics();
    return all[all.length - 1];
  };
  return { sink, book, exporter, histogram, collect };
}

const cost = (rm: ResourceMetrics, attrs: Attributes) => counterValue(rm, 'tokenomics.cost', attrs);

describe('tokenomics.cost from foreign token usage', () => {
  it('adds a cumulative cost counter per model and token type and keeps accumulating (1000 in x $2.50, 200 out x $10, then 3000 more in)', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE);
    const usage = histogram('@opentelemetry/instrumentation-openai');
    usage.record(1000, openai('input'));
    usage.record(200, openai('output'));

    const first = await collect();
    expect(cost(first, costAttrs('input'))).toBeCloseTo(0.0025, 12);
    expect(cost(first, costAttrs('output'))).toBeCloseTo(0.002, 12);
    const [point] = sumPoints(first, 'tokenomics.cost');
    expect(point.metric.aggregationTemporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(point.metric.dataPointType).toBe(DataPointType.SUM);
    expect(point.metric.descriptor.unit).toBe('USD');
    expect((point.metric as { isMonotonic: boolean }).isMonotonic).toBe(true);

    usage.record(3000, openai('input'));
    const second = await collect();
    expect(cost(second, costAttrs('input'))).toBeCloseTo(0.01, 12);
    expect(cost(second, costAttrs('output'))).toBeCloseTo(0.002, 12);
    expect(sumPoints(second, 'tokenomics.cost')).toHaveLength(2);
  });

  it('keeps the original scopes and adds the counters under @tokenomics/exporter', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE);
    histogram('@opentelemetry/instrumentation-openai').record(1000, openai('input'));
    const rm = await collect();
    expect(rm.resource).toBe(resource);
    expect(rm.scopeMetrics.map((s) => s.scope.name)).toEqual(['@opentelemetry/instrumentation-openai', '@tokenomics/exporter']);
    expect(rm.scopeMetrics[0].metrics[0].descriptor.name).toBe('gen_ai.client.token.usage');
  });

  it('emits delta cost per interval when the source is delta (0.0025, then 0.0075 for 3000 more input)', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.DELTA);
    const usage = histogram('@opentelemetry/instrumentation-openai');
    usage.record(1000, openai('input'));
    usage.record(200, openai('output'));
    const first = await collect();
    expect(cost(first, costAttrs('input'))).toBeCloseTo(0.0025, 12);
    expect(sumPoints(first, 'tokenomics.cost')[0].metric.aggregationTemporality).toBe(AggregationTemporality.DELTA);

    usage.record(3000, openai('input'));
    const second = await collect();
    expect(cost(second, costAttrs('input'))).toBeCloseTo(0.0075, 12);
    expect(cost(second, costAttrs('output'))).toBeUndefined();
  });

  it('ignores token usage recorded by Tokenomics instrumentations (they record their own cost)', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE);
    histogram('@tokenomics/instrumentation-openai').record(1000, openai('input'));
    const rm = await collect();
    expect(sumPoints(rm, 'tokenomics.cost')).toEqual([]);
    expect(rm.scopeMetrics.map((s) => s.scope.name)).toEqual(['@tokenomics/instrumentation-openai']);
  });

  it('honours a custom scope filter', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE, {
      includeScope: (scope) => scope.name !== '@opentelemetry/instrumentation-openai',
    });
    histogram('@opentelemetry/instrumentation-openai').record(1000, openai('input'));
    histogram('openlit').record(1000, openai('input'));
    const rm = await collect();
    expect(sumPoints(rm, 'tokenomics.cost').map((p) => p.value)).toHaveLength(1);
    expect(cost(rm, costAttrs('input'))).toBeCloseTo(0.0025, 12);
  });

  it('flags input cost as estimated (the cache share is unknown, gpt-4o caches at half price) and output cost as exact', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE);
    const usage = histogram('@opentelemetry/instrumentation-openai');
    usage.record(1000, openai('input'));
    usage.record(200, openai('output'));
    const rm = await collect();
    const points = sumPoints(rm, 'tokenomics.cost');
    const flag = (type: string) =>
      points.find((p) => p.attributes['tokenomics.token.type'] === type)?.attributes['tokenomics.usage.estimated'];
    expect(flag('input')).toBe(true);
    expect(flag('output')).toBe(false);
  });

  it('reads OpenLLMetry metric attributes (gen_ai.system, response model only)', async () => {
    const { histogram, collect, book } = pipeline(AggregationTemporality.CUMULATIVE);
    histogram('@traceloop/instrumentation-openai').record(1000, {
      'gen_ai.system': 'OpenAI',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.token.type': 'input',
    });
    const rm = await collect();
    expect(book.calls[0].opts).toMatchObject({ model: 'gpt-4o-2024-08-06', responseModel: 'gpt-4o-2024-08-06', provider: 'openai' });
    const [point] = sumPoints(rm, 'tokenomics.cost');
    expect(point.attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-2024-08-06',
      'tokenomics.token.type': 'input',
      'tokenomics.usage.estimated': true,
    });
    expect(point.value).toBeCloseTo(0.0025, 12);
  });

  it('prices the mean call, not the summed interval, so context-length tiers stay right (10 calls x 100k gemini-2.5-pro input = $1.25, not $2.50)', async () => {
    const { histogram, collect, book } = pipeline(AggregationTemporality.CUMULATIVE);
    const usage = histogram('@google/genai-instrumentation');
    const attrs = {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-pro',
      'gen_ai.token.type': 'input',
    };
    for (let i = 0; i < 10; i++) usage.record(100_000, attrs);
    const rm = await collect();
    expect(book.calls[0].usage).toEqual({ inputTokens: 100_000 });
    const [point] = sumPoints(rm, 'tokenomics.cost');
    expect(point.value).toBeCloseTo(1.25, 12);
  });

  it('serialises the added counters through the OTLP JSON serializer', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE);
    histogram('@opentelemetry/instrumentation-openai').record(1000, openai('input'));
    histogram('@opentelemetry/instrumentation-openai').record(5, openai('input', 'acme-1'));
    const rm = await collect();
    const body = JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm)));
    const scope = body.resourceMetrics[0].scopeMetrics.find((s: { scope: { name: string } }) => s.scope.name === '@tokenomics/exporter');
    const byName = Object.fromEntries(scope.metrics.map((m: { name: string }) => [m.name, m]));
    expect(byName['tokenomics.cost'].unit).toBe('USD');
    expect(byName['tokenomics.cost'].sum.isMonotonic).toBe(true);
    expect(byName['tokenomics.cost'].sum.aggregationTemporality).toBe(2); // CUMULATIVE in OTLP
    expect(byName['tokenomics.cost'].sum.dataPoints[0].asDouble).toBeCloseTo(0.0025, 12);
    expect(byName['tokenomics.calls.unpriced'].sum.dataPoints[0].asInt).toBe(1);
  });
});

describe('unpriced models', () => {
  it('counts calls of a model the price book does not know on tokenomics.calls.unpriced, once per call', async () => {
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE);
    const usage = histogram('@opentelemetry/instrumentation-openai');
    for (let i = 0; i < 2; i++) {
      usage.record(500, openai('input', 'acme-1'));
      usage.record(50, openai('output', 'acme-1'));
    }
    const rm = await collect();
    expect(sumPoints(rm, 'tokenomics.cost')).toEqual([]);
    const points = sumPoints(rm, 'tokenomics.calls.unpriced');
    expect(points).toHaveLength(1);
    expect(points[0].value).toBe(2);
    expect(points[0].attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'acme-1',
      'tokenomics.unpriced_reason': 'unknown_model',
    });
    expect(points[0].metric.descriptor.unit).toBe('{call}');
  });
});

describe('cumulative sources over time', () => {
  const scopeMetrics = (sum: number, count: number, start: [number, number], end: [number, number]): ResourceMetrics => ({
    resource,
    scopeMetrics: [
      {
        scope: { name: 'openlit' },
        metrics: [
          {
            descriptor: { name: 'gen_ai.client.token.usage', description: '', unit: '{token}', valueType: 1 },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: [
              {
                startTime: start,
                endTime: end,
                attributes: openai('input'),
                value: { buckets: { boundaries: [], counts: [count] }, sum, count },
              },
            ],
          },
        ],
      },
    ],
  });

  it('starts over when the source restarts, keeping its own counter monotonic ((1000 + 500 + 200) x $2.50 per M = $0.00425)', async () => {
    const sink = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const exporter = new CostEnrichingMetricExporter(sink, { priceBook: new RateCard() });
    const send = (rm: ResourceMetrics) => new Promise<void>((resolve) => exporter.export(rm, () => resolve()));
    await send(scopeMetrics(1000, 1, [100, 0], [110, 0]));
    await send(scopeMetrics(1500, 2, [100, 0], [120, 0]));
    await send(scopeMetrics(200, 1, [125, 0], [130, 0])); // process restarted: new start time
    const values = sink.getMetrics().map((rm) => cost(rm, costAttrs('input')));
    expect(values[0]).toBeCloseTo(0.0025, 12);
    expect(values[1]).toBeCloseTo(0.00375, 12);
    expect(values[2]).toBeCloseTo(0.00425, 12);
  });

  it('prices no new streams beyond maxStreams and warns once, keeping state bounded', async () => {
    const { messages, restore } = captureDiag();
    restoreDiag = restore;
    const { histogram, collect, exporter } = pipeline(AggregationTemporality.CUMULATIVE, { maxStreams: 1 });
    const usage = histogram('@opentelemetry/instrumentation-openai');
    usage.record(1000, openai('input'));
    usage.record(1000, openai('input', 'o4-mini'));
    await collect();
    usage.record(1000, openai('input', 'o4-mini'));
    const rm = await collect();
    expect(sumPoints(rm, 'tokenomics.cost')).toHaveLength(1);
    expect(messages.filter((m) => m.message.includes('more than 1 gen_ai.client.token.usage streams'))).toHaveLength(1);
    const state = (exporter as unknown as { cost: { stateSize: number } }).cost.stateSize;
    expect(state).toBe(2); // one source stream, one output stream
  });
});

describe('exporter contract', () => {
  it('uses the wrapped exporter temporality and aggregation preferences', () => {
    const inner: PushMetricExporter = {
      export: (_m, cb) => cb({ code: ExportResultCode.SUCCESS }),
      forceFlush: async () => {},
      shutdown: async () => {},
      selectAggregationTemporality: () => AggregationTemporality.DELTA,
      selectAggregation: () => ({ type: AggregationType.EXPONENTIAL_HISTOGRAM }),
    };
    const exporter = new CostEnrichingMetricExporter(inner, { priceBook: new RateCard() });
    expect(exporter.selectAggregationTemporality(InstrumentType.HISTOGRAM)).toBe(AggregationTemporality.DELTA);
    expect(exporter.selectAggregation(InstrumentType.HISTOGRAM)).toEqual({ type: AggregationType.EXPONENTIAL_HISTOGRAM });
  });

  it('falls back to cumulative temporality and the default aggregation when the wrapped exporter has no preference', () => {
    const inner: PushMetricExporter = {
      export: (_m, cb) => cb({ code: ExportResultCode.SUCCESS }),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const exporter = new CostEnrichingMetricExporter(inner, { priceBook: new RateCard() });
    expect(exporter.selectAggregationTemporality(InstrumentType.COUNTER)).toBe(AggregationTemporality.CUMULATIVE);
    expect(exporter.selectAggregation(InstrumentType.COUNTER)).toEqual({ type: AggregationType.DEFAULT });
  });

  it('prices exponential histograms too', async () => {
    const inner = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const exporter = new CostEnrichingMetricExporter(
      Object.assign(inner, { selectAggregation: () => ({ type: AggregationType.EXPONENTIAL_HISTOGRAM }) }),
      { priceBook: new RateCard() },
    );
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource, readers: [reader] });
    providers.push(provider);
    provider.getMeter('openlit').createHistogram('gen_ai.client.token.usage').record(1000, openai('input'));
    await reader.forceFlush();
    const [rm] = inner.getMetrics();
    expect(rm.scopeMetrics[0].metrics[0].dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    expect(cost(rm, costAttrs('input'))).toBeCloseTo(0.0025, 12);
  });

  it('calls the callback once and reports FAILED when the wrapped exporter throws', () => {
    const inner: PushMetricExporter = {
      export: () => {
        throw new Error('closed');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const results: ExportResult[] = [];
    new CostEnrichingMetricExporter(inner, { priceBook: new RateCard() }).export({ resource, scopeMetrics: [] }, (r) => results.push(r));
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
  });

  it('forwards forceFlush and shutdown', async () => {
    const calls: string[] = [];
    const inner: PushMetricExporter = {
      export: (_m, cb) => cb({ code: ExportResultCode.SUCCESS }),
      forceFlush: async () => void calls.push('forceFlush'),
      shutdown: async () => void calls.push('shutdown'),
    };
    const exporter = new CostEnrichingMetricExporter(inner, { priceBook: new RateCard() });
    await exporter.forceFlush();
    await exporter.shutdown();
    expect(calls).toEqual(['forceFlush', 'shutdown']);
  });

  it('counts priced and unpriced data points on tokenomics.exporter.metric_points', async () => {
    const self = selfMetricsProvider();
    const { histogram, collect } = pipeline(AggregationTemporality.CUMULATIVE, { meterProvider: self.meterProvider });
    const usage = histogram('@opentelemetry/instrumentation-openai');
    usage.record(1000, openai('input'));
    usage.record(100, openai('output'));
    usage.record(10, openai('input', 'acme-1'));
    await collect();
    const rm = await self.read();
    expect(counterValue(rm, 'tokenomics.exporter.metric_points', { 'tokenomics.exporter.outcome': 'priced' })).toBe(2);
    expect(counterValue(rm, 'tokenomics.exporter.metric_points', { 'tokenomics.exporter.outcome': 'unpriced' })).toBe(1);
  });
});
