import { describe, expect, it } from 'vitest';
import { diag, DiagLogLevel, type Attributes } from '@opentelemetry/api';
import type { MetricDefinition } from '@tokenomics/contract';
import { OVERFLOW_ATTRIBUTES, SeriesCache, SeriesLimit } from '../src/genai/metric-series';
import type { MetricSinks } from '../src/genai/call-metrics';
import { partitionTokens, TOKEN_UNITS } from '../src/genai/token-partition';

/** Sinks that keep every value given to them, in order, with its metric and attribute set. */
function recordingSinks(): MetricSinks & { values: Array<[string, number, Attributes]> } {
  const values: Array<[string, number, Attributes]> = [];
  const sink = (metric: MetricDefinition, attributes: Attributes) => {
    const take = (value: number) => void values.push([metric.name, value, attributes]);
    return { record: take, add: take };
  };
  return { values, histogram: sink, counter: sink };
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
    const cache = new SeriesCache(recordingSinks());
    const a = cache.add('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '', { model: 'a' });
    const b = cache.add('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '\u0000tenant\u0001acme', { model: 'b' });
    expect(cache.get('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '')).toBe(a);
    expect(cache.get('openai', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '\u0000tenant\u0001acme')).toBe(b);
    expect(cache.get('openai', 'chat', 'gpt-4o', '', '')).toBeUndefined();
    expect(cache.get('openai', 'embeddings', 'gpt-4o', 'gpt-4o-2024-08-06', '')).toBeUndefined();
    expect(cache.get('anthropic', 'chat', 'gpt-4o', 'gpt-4o-2024-08-06', '')).toBeUndefined();
  });

  it('is bounded: past its series cap a new combination gets the one overflow series, which keeps every increment', () => {
    const sinks = recordingSinks();
    const limit = new SeriesLimit(3);
    const cache = new SeriesCache(sinks, limit);
    for (let i = 0; i < 3; i++) cache.add('openai', 'chat', `model-${i}`, '', '', { n: i }).estimated.add(1);
    const overflow = cache.add('openai', 'chat', 'model-3', '', '', { n: 3 });
    expect(cache.add('openai', 'chat', 'model-4', '', '', { n: 4 })).toBe(overflow);
    expect(cache.get('openai', 'chat', 'model-3', '', '')).toBeUndefined();
    overflow.estimated.add(2);
    overflow.estimated.add(5);
    expect(sinks.values.slice(3)).toEqual([
      ['tokenomics.calls.estimated', 2, OVERFLOW_ATTRIBUTES],
      ['tokenomics.calls.estimated', 5, OVERFLOW_ATTRIBUTES],
    ]);
    expect(OVERFLOW_ATTRIBUTES).toEqual({ 'otel.metric.overflow': true });
    expect(limit.overflows).toBe(2);
  });

  it('reports the first overflow of each metric once through diag, naming the metric', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} };
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      const cache = new SeriesCache(recordingSinks(), new SeriesLimit(1));
      const first = cache.add('openai', 'chat', 'm-0', '', '', { i: 0 });
      for (const unit of ['input', 'output', 'reasoning']) first.tokens(unit, false).add(1);
      for (let i = 1; i < 5; i++) cache.add('openai', 'chat', `m-${i}`, '', '', { i }).estimated.add(1);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain('metric tokenomics.tokens reached its cap of 1 series');
      expect(warnings[1]).toContain('metric gen_ai.client.operation.duration reached its cap of 1 series');
    } finally {
      diag.disable();
    }
  });

  it('caps each metric as a whole: attribute sets of a series past the cap of their metric go to its overflow series', () => {
    const sinks = recordingSinks();
    const cache = new SeriesCache(sinks, new SeriesLimit(4));
    const series = cache.add('openai', 'chat', 'gpt-4o', '', '', { m: 'gpt-4o' });
    const units = ['input', 'cache_read', 'output', 'reasoning', 'input_audio', 'output_audio'];
    for (const unit of units) series.tokens(unit, false).add(10);
    expect(sinks.values.map(([, n, attrs]) => [n, attrs['tokenomics.token.type'] ?? attrs['otel.metric.overflow']])).toEqual([
      [10, 'input'],
      [10, 'cache_read'],
      [10, 'output'],
      [10, 'reasoning'],
      [10, true],
      [10, true],
    ]);
    expect(sinks.values.reduce((sum, [, n]) => sum + n, 0)).toBe(60);
  });

  it('finds each sink once: later values of an attribute set go to the same sink without building its attributes again', () => {
    const sinks = recordingSinks();
    const series = new SeriesCache(sinks).add('openai', 'chat', 'gpt-4o', '', '', { m: 'gpt-4o' });
    expect(series.duration(undefined)).toBe(series.duration(undefined));
    expect(series.duration('429')).toBe(series.duration('429'));
    expect(series.cost('input', false)).toBe(series.cost('input', false));
    expect(series.cost('input', true)).not.toBe(series.cost('input', false));
    series.duration('429').record(1.5);
    series.duration(undefined).record(0.5);
    expect(sinks.values).toEqual([
      ['gen_ai.client.operation.duration', 1.5, { m: 'gpt-4o', 'error.type': '429' }],
      ['gen_ai.client.operation.duration', 0.5, { m: 'gpt-4o' }],
    ]);
  });

  it('counts a series replaced under the same parts once', () => {
    const cache = new SeriesCache(recordingSinks());
    const other = cache.add('openai', 'chat', 'other', '', '', { other: true });
    for (let i = 0; i < 3000; i++) cache.add('openai', 'chat', 'same', '', '', { i });
    // Had each replacement counted, the cache would have started over and forgotten `other`.
    expect(cache.get('openai', 'chat', 'other', '', '')).toBe(other);
    expect(cache.get('openai', 'chat', 'same', '', '')?.base).toEqual({ i: 2999 });
  });
});
