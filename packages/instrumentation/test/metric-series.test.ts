import { describe, expect, it } from 'vitest';
import { diag, DiagLogLevel, type Attributes, type Counter, type Histogram } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { OVERFLOW_ATTRIBUTES, PendingCounters, PendingHistogramPoints, SeriesCache, SeriesLimit } from '../src/genai/metric-series';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}
import { partitionTokens, TOKEN_UNITS } from '../src/genai/token-partition';

/** A counter that keeps what it was given, in order. */
function recordingCounter(): Counter & { adds: Array<[number, Attributes | undefined]> } {
  const adds: Array<[number, Attributes | undefined]> = [];
  return { adds, add: (value: number, attributes?: Attributes) => void adds.push([value, attributes]) };
}

function partition(usage: Parameters<typeof partitionTokens>[0]): Record<string, number> {
  const out = partitionTokens(usage);
  const parts: Record<string, number> = {};
  TOKEN_UNITS.forEach((unit, i) => {
    if (out[i] > 0) parts[unit] = out[i];
  });
  return parts;
}

describe('partitionTokens', () => {
  it('splits input and output into disjoint units that sum to the totals', () => {
    expect(partition({ inputTokens: 1184, outputTokens: 50, cacheReadTokens: 1024, reasoningTokens: 0 })).toEqual({
      input: 160,
      cache_read: 1024,
      output: 50,
    });
    expect(
      partition({
        inputTokens: 5000,
        cacheReadTokens: 1000,
        cacheWriteTokens: 2000,
        cacheWrite1hTokens: 500,
        inputAudioTokens: 100,
        outputTokens: 900,
        reasoningTokens: 600,
        outputAudioTokens: 200,
      }),
    ).toEqual({
      input: 1400,
      cache_read: 1000,
      cache_write: 2000,
      cache_write_1h: 500,
      input_audio: 100,
      output: 100,
      reasoning: 600,
      output_audio: 200,
    });
  });

  it('never goes negative and ignores counts that are not finite non-negative numbers', () => {
    expect(partition({ inputTokens: 10, cacheReadTokens: 25, outputTokens: -4, reasoningTokens: Number.NaN })).toEqual({ cache_read: 25 });
  });

  it('overwrites every unit of a reused output array', () => {
    const scratch = partitionTokens({ inputTokens: 7, outputTokens: 3, reasoningTokens: 2 });
    expect(Array.from(partitionTokens({ inputTokens: 4 }, scratch))).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('SeriesCache', () => {
  it('finds a series by each of its parts and nothing else', () => {
    const cache = new SeriesCache(new PendingCounters());
    const a = cache.add('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '', { model: 'a' });
    const b = cache.add('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '\u0000tenant\u0001acme', { model: 'b' });
    expect(cache.get('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '')).toBe(a);
    expect(cache.get('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '\u0000tenant\u0001acme')).toBe(b);
    expect(cache.get('openai', 'chat', 'gpt-4o', '', '')).toBeUndefined();
    expect(cache.get('openai', 'embeddings', 'gpt-4o', 'gpt-4o-2024-08-06', '')).toBeUndefined();
    expect(cache.get('anthropic', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '')).toBeUndefined();
  });

  it('is bounded: past its series cap a new combination gets the one overflow series, which keeps every increment', () => {
    const pending = new PendingCounters();
    const limit = new SeriesLimit(3);
    const cache = new SeriesCache(pending, limit);
    const counter = recordingCounter();
    for (let i = 0; i < 3; i++) cache.add('openai', 'chat', `model-${i}`, '', '', { n: i }).estimated(counter);
    const overflow = cache.add('openai', 'chat', 'model-3', '', '', { n: 3 });
    expect(cache.add('openai', 'chat', 'model-4', '', '', { n: 4 })).toBe(overflow);
    expect(cache.get('openai', 'chat', 'model-3', '', '')).toBeUndefined();
    pending.add(overflow.estimated(counter), 2);
    pending.add(overflow.estimated(counter), 5);
    pending.flush();
    expect(counter.adds).toEqual([
      [2, OVERFLOW_ATTRIBUTES],
      [5, OVERFLOW_ATTRIBUTES],
    ]);
    expect(OVERFLOW_ATTRIBUTES).toEqual({ 'otel.metric.overflow': true });
    expect(limit.overflows).toBe(2);
  });

  it('reports the first overflow of each metric once through diag, naming the metric', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} };
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      const pending = new PendingCounters();
      const cache = new SeriesCache(pending, new SeriesLimit(1));
      const counter = recordingCounter();
      const first = cache.add('openai', 'chat', 'm-0', '', '', { i: 0 });
      for (const unit of ['input', 'output', 'reasoning']) pending.add(first.tokens(counter, unit, false), 1);
      for (let i = 1; i < 5; i++) pending.add(cache.add('openai', 'chat', `m-${i}`, '', '', { i }).estimated(counter), 1);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain('metric tokenomics.tokens reached its cap of 1 series');
      expect(warnings[1]).toContain('metric gen_ai.client.operation.duration reached its cap of 1 series');
    } finally {
      diag.disable();
    }
  });

  it('caps each metric as a whole: attribute sets of a series past the cap of their metric go to its overflow series', () => {
    const pending = new PendingCounters();
    const cache = new SeriesCache(pending, new SeriesLimit(4));
    const tokens = recordingCounter();
    const series = cache.add('openai', 'chat', 'gpt-4o', '', '', { m: 'gpt-4o' });
    const units = ['input', 'cache_read', 'output', 'reasoning', 'input_audio', 'output_audio'];
    for (const unit of units) pending.add(series.tokens(tokens, unit, false), 10);
    expect(tokens.adds.map(([n, attrs]) => [n, attrs?.['tokenomics.token.type'] ?? attrs?.['otel.metric.overflow']])).toEqual([
      [10, 'input'],
      [10, 'cache_read'],
      [10, 'output'],
      [10, 'reasoning'],
      [10, true],
    ]);
    pending.flush();
    expect(tokens.adds.at(-1)).toEqual([10, OVERFLOW_ATTRIBUTES]);
    expect(tokens.adds.reduce((sum, [n]) => sum + n, 0)).toBe(60);
  });

  it('counts a series replaced under the same parts once', () => {
    const cache = new SeriesCache(new PendingCounters());
    const other = cache.add('openai', 'chat', 'other', '', '', { other: true });
    for (let i = 0; i < 3000; i++) cache.add('openai', 'chat', 'same', '', '', { i });
    // Had each replacement counted, the cache would have started over and forgotten `other`.
    expect(cache.get('openai', 'chat', 'other', '', '')).toBe(other);
    expect(cache.get('openai', 'chat', 'same', '', '')?.base).toEqual({ i: 2999 });
  });
});

describe('PendingHistogramPoints', () => {
  function recordingHistogram(): Histogram & { points: Array<[number, Attributes | undefined]> } {
    const points: Array<[number, Attributes | undefined]> = [];
    return { points, record: (value: number, attributes?: Attributes) => void points.push([value, attributes]) };
  }

  it('records the first point of each attribute set at once and holds later ones until a flush', () => {
    const pending = new PendingHistogramPoints();
    const h = recordingHistogram();
    const a = { series: 'a' };
    const b = { series: 'b' };
    pending.record(h, 1.5, a);
    pending.record(h, 2.5, a);
    pending.record(h, 7, b);
    pending.record(h, 3.5, a);
    expect(h.points).toEqual([
      [1.5, a],
      [7, b],
    ]);
    pending.flush();
    expect(h.points).toEqual([
      [1.5, a],
      [7, b],
      [2.5, a],
      [3.5, a],
    ]);
    pending.flush();
    expect(h.points).toHaveLength(4);
  });

  it('starts a series per histogram: the same attributes on another histogram start it too', () => {
    const pending = new PendingHistogramPoints();
    const first = recordingHistogram();
    const second = recordingHistogram();
    const attrs = { series: 'shared' };
    pending.record(first, 1, attrs);
    pending.record(second, 2, attrs);
    expect(first.points).toEqual([[1, attrs]]);
    expect(second.points).toEqual([[2, attrs]]);
  });

  it('holds at most 256 points: the next one sends them all first', () => {
    const pending = new PendingHistogramPoints();
    const h = recordingHistogram();
    const attrs = {};
    pending.record(h, 0, attrs);
    for (let i = 1; i <= 256; i++) pending.record(h, i, attrs);
    expect(h.points).toHaveLength(1);
    pending.record(h, 257, attrs);
    expect(h.points.map(([v]) => v)).toEqual(Array.from({ length: 257 }, (_, i) => i));
    pending.flush();
    expect(h.points).toHaveLength(258);
  });

  it('reset() sends what is held and starts every series afresh', () => {
    const pending = new PendingHistogramPoints();
    const h = recordingHistogram();
    const attrs = {};
    pending.record(h, 1, attrs);
    pending.record(h, 2, attrs);
    pending.reset();
    expect(h.points.map(([v]) => v)).toEqual([1, 2]);
    pending.record(h, 3, attrs);
    expect(h.points.map(([v]) => v)).toEqual([1, 2, 3]);
  });

  it('gives the SDK exactly the histogram of recording every point as it came', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('test');
    const boundaries = [0.01, 0.1, 1, 10];
    const batched = meter.createHistogram('batched', { advice: { explicitBucketBoundaries: boundaries } });
    const direct = meter.createHistogram('direct', { advice: { explicitBucketBoundaries: boundaries } });
    const pending = new PendingHistogramPoints();
    meter.createObservableGauge('flush').addCallback(() => pending.flush());
    const attrs = { 'gen_ai.operation.name': 'chat' };
    for (let i = 0; i < 1000; i++) {
      const value = ((i * 7919) % 2003) / 100; // 0 .. 20.02, every bucket
      pending.record(batched, value, attrs);
      direct.record(value, attrs);
    }
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics[0].metrics;
    const point = (name: string) =>
      metrics.find((m) => m.descriptor.name === name)?.dataPoints[0]?.value as {
        count: number;
        sum: number;
        min: number;
        max: number;
        buckets: unknown;
      };
    expect(point('batched').count).toBe(1000);
    expect(point('batched')).toEqual(point('direct'));
    await provider.shutdown();
  });
});
