import { describe, expect, it } from 'vitest';
import type { Attributes, Counter } from '@opentelemetry/api';
import { PendingCounters, SeriesCache } from '../src/genai/metric-series';
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
      partition({ inputTokens: 5000, cacheReadTokens: 1000, cacheWriteTokens: 2000, cacheWrite1hTokens: 500, inputAudioTokens: 100, outputTokens: 900, reasoningTokens: 600, outputAudioTokens: 200 }),
    ).toEqual({ input: 1400, cache_read: 1000, cache_write: 2000, cache_write_1h: 500, input_audio: 100, output: 100, reasoning: 600, output_audio: 200 });
  });

  it('never goes negative and ignores counts that are not finite non-negative numbers', () => {
    expect(partition({ inputTokens: 10, cacheReadTokens: 25, outputTokens: -4, reasoningTokens: Number.NaN })).toEqual({ cache_read: 25 });
  });

  it('overwrites every unit of a reused output array', () => {
    const scratch = partitionTokens({ inputTokens: 7, outputTokens: 3, reasoningTokens: 2 });
    expect(Array.from(partitionTokens({ inputTokens: 4 }, scratch))).toEqual([4, 0, 0, 0, 0, 0, 0, 0]);
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

  it('is bounded: past 2048 series it starts over, handing pending sums to their counters first', () => {
    const pending = new PendingCounters();
    const cache = new SeriesCache(pending);
    const counter = recordingCounter();
    const first = cache.add('openai', 'chat', 'model-0', '', '', { n: 0 });
    const sum = first.estimated(counter);
    pending.add(sum, 1); // starts the series at once
    pending.add(sum, 2); // summed until a flush
    pending.add(sum, 3);
    expect(counter.adds).toEqual([[1, { n: 0 }]]);
    for (let i = 1; i < 2048; i++) cache.add('openai', 'chat', `model-${i}`, '', '', { n: i });
    expect(cache.get('openai', 'chat', 'model-0', '', '')).toBe(first);
    cache.add('openai', 'chat', 'model-2048', '', '', { n: 2048 });
    expect(counter.adds).toEqual([
      [1, { n: 0 }],
      [5, { n: 0 }],
    ]);
    expect(cache.get('openai', 'chat', 'model-0', '', '')).toBeUndefined();
    expect(cache.get('openai', 'chat', 'model-2048', '', '')).toBeDefined();
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
