import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, trace, type HrTime } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  MeterProvider,
  MetricReader,
  type MetricData,
  type MetricProducer,
  type MetricReaderOptions,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { GEN_AI_CLIENT_OPERATION_DURATION, TOKENOMICS_COST } from '@tokenomics/contract';
import { attachCallMetrics, CallMetrics, METER_NAME, type CallMetricsReader } from '../src/genai/call-metrics';
import { withAttribution } from '../src/genai/attribution';
import { GenAIRecorder } from '../src/genai/recorder';
import type { CallStart } from '../src/genai/call';
import type { Usage } from '@tokenomics/pricing';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const temporalityOf = (temporality: AggregationTemporality) => () => temporality;

/** A reader with the given temporality whose call metrics come from `callMetrics` (the hook's set-up). */
function producerReader(callMetrics: CallMetrics, temporality: AggregationTemporality): TestReader {
  const made: { view?: CallMetricsReader } = {};
  const producer: MetricProducer = {
    collect: async () => ({
      resourceMetrics: { resource: undefined as never, scopeMetrics: (made.view as CallMetricsReader).collect() as ScopeMetrics[] },
      errors: [],
    }),
  };
  const options: MetricReaderOptions = { aggregationTemporalitySelector: temporalityOf(temporality), metricProducers: [producer] };
  const reader = new TestReader(options);
  made.view = callMetrics.reader((type) => reader.selectAggregationTemporality(type as InstrumentType));
  return reader;
}

/** Both set-ups with a cumulative and a delta reader, and two recorders each (as two instrumentations). */
function setUps() {
  const callMetrics = new CallMetrics();
  const own = {
    cumulative: producerReader(callMetrics, AggregationTemporality.CUMULATIVE),
    delta: producerReader(callMetrics, AggregationTemporality.DELTA),
  };
  const ownProvider = new MeterProvider({ readers: [own.cumulative, own.delta] });
  attachCallMetrics(ownProvider, callMetrics);
  const app = {
    cumulative: new TestReader({ aggregationTemporalitySelector: temporalityOf(AggregationTemporality.CUMULATIVE) }),
    delta: new TestReader({ aggregationTemporalitySelector: temporalityOf(AggregationTemporality.DELTA) }),
  };
  const appProvider = new MeterProvider({ readers: [app.cumulative, app.delta] });
  const tracer = trace.getTracer('test');
  const config = { attributionKeys: ['tenant'], maxSeriesPerMetric: 3 };
  const recorders = (provider: MeterProvider) => {
    const pair = [new GenAIRecorder(() => tracer, config), new GenAIRecorder(() => tracer, config)];
    for (const recorder of pair) recorder.updateInstruments(provider);
    return pair;
  };
  return { own, app, ownRecorders: recorders(ownProvider), appRecorders: recorders(appProvider), ownProvider, appProvider };
}

interface CallSpec {
  start: CallStart;
  tenant?: string;
  responseModel?: string;
  usage?: Usage;
  reportedCost?: number;
  error?: unknown;
  durationMs: number;
  firstChunkMs?: number;
}

/** Ends the same call on `recorder` with the start and end times given (the recorder's own timing aside). */
function record(recorder: GenAIRecorder, spec: CallSpec, startedAt: number): void {
  const run = () => {
    const call = recorder.start({ ...spec.start, attributes: {} });
    (call as { startedAt: number }).startedAt = startedAt;
    if (spec.firstChunkMs !== undefined) call.firstChunkAt = startedAt + spec.firstChunkMs;
    if (spec.responseModel !== undefined) call.result.responseModel = spec.responseModel;
    if (spec.usage !== undefined) call.result.usage = spec.usage;
    if (spec.reportedCost !== undefined) call.result.reportedCost = spec.reportedCost;
    recorder.finish(call, spec.error, spec.firstChunkMs === undefined ? undefined : 'completed', startedAt + spec.durationMs);
  };
  if (spec.tenant === undefined) run();
  else withAttribution({ tenant: spec.tenant }, run);
}

const chat = (requestModel: string, provider = 'openai'): CallStart => ({ provider, operation: 'chat', requestModel });

/** Calls over several series, models past the series cap, failures, estimates-free usage, cached input, streams. */
function calls(round: number): CallSpec[] {
  const specs: CallSpec[] = [];
  for (let i = 0; i < 12; i++) {
    specs.push({
      start: chat(i % 3 === 0 ? 'gpt-4o' : i % 3 === 1 ? 'gpt-4o-mini' : `model-${round}-${i}`),
      tenant: i % 2 === 0 ? 'acme' : 'globex',
      responseModel: i % 3 === 0 ? 'gpt-4o-2024-08-06' : undefined,
      usage: { inputTokens: 100 * (i + 1) + round, outputTokens: 7 * i + 1, cacheReadTokens: i % 4 === 0 ? 64 : undefined },
      durationMs: 13 * i + 5.5 + round,
      firstChunkMs: i % 2 === 1 ? 3.25 * i : undefined,
    } as CallSpec);
  }
  specs.push({ start: chat('gpt-4o'), error: Object.assign(new Error('rate limited'), { status: 429, headers: {} }), durationMs: 40 });
  specs.push({ start: chat('gpt-4o'), error: Object.assign(new Error('boom'), { status: 500 }), durationMs: 41 });
  specs.push({ start: chat('unknown-model-xyz'), usage: { inputTokens: 10, outputTokens: 2 }, durationMs: 12 });
  specs.push({
    start: chat('claude-sonnet-4-5', 'anthropic'),
    usage: { inputTokens: 2000, outputTokens: 300, cacheWriteTokens: 1024 },
    durationMs: 900,
  });
  specs.push({ start: chat('gpt-4o'), usage: { inputTokens: -1, outputTokens: 3 }, durationMs: 7 });
  return specs;
}

/** The Tokenomics histograms and counters a reader collected, every scope of the meter together (the quota gauges aside). */
async function collected(reader: MetricReader): Promise<MetricData[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .filter((scope) => scope.scope.name === METER_NAME)
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.dataPointType !== DataPointType.GAUGE);
}

const before = (a: HrTime, b: HrTime) => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);

/**
 * What must be equal on both paths: everything but the times, which are checked against the
 * rules instead (a delta point starts at the previous collection when its series was reported
 * there, else at its first value; a cumulative point at its first value, before the collection).
 */
function comparable(metrics: MetricData[], previousEnd: HrTime | undefined) {
  return metrics.map((metric) => ({
    descriptor: metric.descriptor,
    aggregationTemporality: metric.aggregationTemporality,
    dataPointType: metric.dataPointType,
    isMonotonic: 'isMonotonic' in metric ? metric.isMonotonic : undefined,
    points: metric.dataPoints.map((point) => {
      expect(before(point.startTime, point.endTime)).toBe(true);
      const fromPrevious = previousEnd !== undefined && point.startTime[0] === previousEnd[0] && point.startTime[1] === previousEnd[1];
      return { attributes: point.attributes, value: point.value, fromPrevious };
    }),
  }));
}

describe("Tokenomics' own call-metric aggregation", () => {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
  afterAll(() => void context.disable());

  it('exports exactly what the SDK instruments export for the same calls, cumulative and delta, over two collections', async () => {
    const { own, app, ownRecorders, appRecorders, ownProvider, appProvider } = setUps();
    const base = Date.now();
    const previous = new Map<MetricReader, HrTime | undefined>();
    const endOf = (metrics: MetricData[]) => metrics[0]?.dataPoints[0]?.endTime;
    for (const round of [1, 2]) {
      calls(round).forEach((spec, i) => {
        // Alternate recorders: two instrumentations sharing the series of one meter provider.
        record(ownRecorders[i % 2], spec, base + i);
        record(appRecorders[i % 2], spec, base + i);
      });
      for (const kind of ['cumulative', 'delta'] as const) {
        const ownMetrics = await collected(own[kind]);
        const appMetrics = await collected(app[kind]);
        expect(ownMetrics.map((m) => m.descriptor.name)).toEqual(appMetrics.map((m) => m.descriptor.name));
        expect(ownMetrics.length).toBeGreaterThanOrEqual(9);
        expect(comparable(ownMetrics, previous.get(own[kind]))).toEqual(comparable(appMetrics, previous.get(app[kind])));
        previous.set(own[kind], endOf(ownMetrics));
        previous.set(app[kind], endOf(appMetrics));
      }
    }
    // A third collection with nothing recorded: the delta readers report nothing, the cumulative ones everything.
    expect(await collected(own.delta)).toEqual([]);
    expect(await collected(app.delta)).toEqual([]);
    const ownCumulative = await collected(own.cumulative);
    expect(comparable(ownCumulative, undefined)).toEqual(comparable(await collected(app.cumulative), undefined));
    const cost = ownCumulative.find((m) => m.descriptor.name === TOKENOMICS_COST.name);
    expect(cost?.dataPoints.some((p) => p.attributes['otel.metric.overflow'] === true)).toBe(true);
    await Promise.all([ownProvider.shutdown(), appProvider.shutdown()]);
  });

  it('starts a cumulative point at its first value and a delta point at the previous collection it was reported in', async () => {
    const { own, ownRecorders, ownProvider } = setUps();
    const spec: CallSpec = { start: chat('gpt-4o'), usage: { inputTokens: 5, outputTokens: 1 }, durationMs: 100 };
    record(ownRecorders[0], spec, Date.now());
    const duration = async (reader: MetricReader) =>
      (await collected(reader)).find((m) => m.descriptor.name === GEN_AI_CLIENT_OPERATION_DURATION.name);
    const firstCumulative = await duration(own.cumulative);
    const firstDelta = await duration(own.delta);
    record(ownRecorders[0], spec, Date.now());
    const secondCumulative = await duration(own.cumulative);
    const secondDelta = await duration(own.delta);
    expect(secondCumulative?.dataPoints[0].startTime).toEqual(firstCumulative?.dataPoints[0].startTime);
    expect(secondCumulative?.dataPoints[0].value).toMatchObject({ count: 2, sum: 0.2 });
    expect(secondDelta?.dataPoints[0].startTime).toEqual(firstDelta?.dataPoints[0].endTime);
    expect(secondDelta?.dataPoints[0].value).toMatchObject({ count: 1, sum: 0.1, min: 0.1, max: 0.1 });
    await ownProvider.shutdown();
  });

  it('gives exactly the histogram of the SDK recording every point as it came', async () => {
    const callMetrics = new CallMetrics();
    const ownReader = producerReader(callMetrics, AggregationTemporality.CUMULATIVE);
    const ownProvider = new MeterProvider({ readers: [ownReader] });
    const appReader = new TestReader();
    const appProvider = new MeterProvider({ readers: [appReader] });
    const metric = GEN_AI_CLIENT_OPERATION_DURATION;
    const sdkHistogram = appProvider.getMeter(METER_NAME).createHistogram(metric.name, {
      unit: metric.unit,
      description: metric.description,
      advice: { explicitBucketBoundaries: [...(metric.buckets ?? [])] },
    });
    const attributes = { 'gen_ai.operation.name': 'chat' };
    const sink = callMetrics.histogram(metric, attributes);
    for (let i = 0; i < 1000; i++) {
      // 0 .. 100.15, every bucket, bounds themselves included; negative values are not recorded
      const value = i % 97 === 0 ? (metric.buckets as number[])[i % 14] : i === 999 ? -1 : ((i * 7919) % 2003) / 20;
      sink.record(value);
      sdkHistogram.record(value, attributes);
    }
    const ownPoint = (await collected(ownReader))[0].dataPoints[0].value as { count: number };
    const appPoint = (await appReader.collect()).resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0].value;
    expect(ownPoint.count).toBe(999);
    expect(ownPoint).toEqual(appPoint);
    await Promise.all([ownProvider.shutdown(), appProvider.shutdown()]);
  });
});
