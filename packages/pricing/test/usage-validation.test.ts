/**
 * One validation of token counts for every reader (instrumentation, exporter, pricing engine).
 * Bundled prices: gpt-4o $2.50 input / $10 output per million tokens with a 128,000-token window;
 * text-embedding-3-small $0.02 per million.
 */
import { describe, expect, it } from 'vitest';
import { computeCost } from '../src/cost';
import { PriceBook } from '../src/price-book';
import { CountReader, countProblem, MAX_TOKENS_PER_CALL, usageProblem } from '../src/usage-validation';

const book = PriceBook.bundled();

describe('countProblem', () => {
  it.each([
    [0, undefined],
    [MAX_TOKENS_PER_CALL, undefined],
    [MAX_TOKENS_PER_CALL + 1, 'too_large'],
    [2 ** 53, 'too_large'],
    [1e308, 'too_large'],
    [Number.POSITIVE_INFINITY, 'not_finite'],
    [Number.NaN, 'not_finite'],
    [-1, 'negative'],
    [12.5, 'not_integer'],
    ['12', 'wrong_type'],
    [null, 'wrong_type'],
    [{}, 'wrong_type'],
    [true, 'wrong_type'],
  ])('reads %s as %s', (value, problem) => {
    expect(countProblem(value)).toBe(problem);
  });
});

describe('usageProblem', () => {
  it('names the first bad count, or the inconsistency, or nothing for a valid usage', () => {
    expect(usageProblem({ inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1000, reasoningTokens: 200 })).toBeUndefined();
    expect(usageProblem({ inputTokens: Number.NaN, outputTokens: 3 })).toBe('input_tokens:not_finite');
    expect(usageProblem({ inputTokens: 10, outputTokens: 3, cacheWriteTokens: -1 })).toBe('cache_write_tokens:negative');
    expect(usageProblem({ inputTokens: 10, cacheReadTokens: 6, cacheWriteTokens: 5 })).toBe('cache_exceeds_input');
    expect(usageProblem({ outputTokens: 10, reasoningTokens: 11 })).toBe('reasoning_exceeds_output');
    expect(usageProblem({ inputTokens: 10, requests: { web_search: 1.5 } })).toBe('requests:not_integer');
    expect(usageProblem({ inputTokens: 10, invalid: 'prompt_tokens:wrong_type' })).toBe('prompt_tokens:wrong_type');
    expect(usageProblem({ inputTokens: 1_280_001 }, 128_000)).toBe('exceeds_context_window');
    expect(usageProblem({ inputTokens: 1_280_000 }, 128_000)).toBeUndefined();
  });

  it('a reader keeps the first problem and marks the usage it finishes', () => {
    const r = new CountReader();
    expect(r.count(7, 'prompt_tokens')).toBe(7);
    expect(r.count('8', 'completion_tokens')).toBeUndefined();
    expect(r.optional(null, 'cached_tokens')).toBeUndefined();
    expect(r.count(null, 'total_tokens')).toBeUndefined();
    expect(r.finish({ inputTokens: 7 })).toEqual({ inputTokens: 7, invalid: 'completion_tokens:wrong_type' });
  });
});

describe('price() of invalid usage', () => {
  it('a usage of 1e308 or 2^53 input tokens is unpriced (invalid_usage), never Infinity or billions of dollars', () => {
    for (const inputTokens of [1e308, 2 ** 53]) {
      const cost = book.price({ inputTokens, outputTokens: 10 }, { provider: 'openai', model: 'gpt-4o' });
      expect(cost).toMatchObject({ priced: false, reason: 'invalid_usage', invalidReason: 'input_tokens:too_large' });
      expect(cost.amount).toBeUndefined();
    }
  });

  it('a usage marked invalid by its reader is unpriced with that reason', () => {
    const cost = book.price({ inputTokens: 10, outputTokens: 3, invalid: 'completion_tokens:wrong_type' }, { model: 'gpt-4o' });
    expect(cost).toMatchObject({ priced: false, reason: 'invalid_usage', invalidReason: 'completion_tokens:wrong_type' });
  });

  it('a recorded chat call beyond ten context windows is invalid; the same count priced as a what-if, or as embeddings, is priced', () => {
    const usage = { inputTokens: 2_000_000, outputTokens: 0 };
    expect(book.price(usage, { model: 'gpt-4o', operation: 'chat' })).toMatchObject({
      priced: false,
      invalidReason: 'exceeds_context_window',
    });
    expect(book.price(usage, { model: 'gpt-4o' })).toMatchObject({ priced: true, amount: 5 });
    expect(book.price(usage, { model: 'text-embedding-3-small', operation: 'embeddings' })).toMatchObject({ priced: true, amount: 0.04 });
  });
});

describe('the cost guard', () => {
  it('a cost that comes out infinite (an absurd rate reaching the engine) is unpriced (invalid_cost), never Infinity', () => {
    const rates = {
      input: 1e308,
      cache_read: 1e308,
      cache_write: 1e308,
      cache_write_1h: 1e308,
      input_audio: 1e308,
      input_image: 1e308,
      output: 1,
      reasoning: 1,
      output_audio: 1,
      output_image: 1,
      request: 0,
      requests: undefined,
    };
    const target = {
      provider: 'openai',
      model: 'absurd',
      compiled: {
        strictFrom: Number.NEGATIVE_INFINITY,
        periods: [{ from: undefined, timeOfDay: undefined, ladders: [{ starts: [], sets: [rates] }, null, null, null] }],
      },
      discounts: null,
    };
    const cost = computeCost(target, { inputTokens: 1000, outputTokens: 10 }, 0, Date.UTC(2026, 0, 1), false, 'test');
    expect(cost).toMatchObject({ priced: false, reason: 'invalid_cost', matchedModel: 'absurd' });
    expect(cost.amount).toBeUndefined();
  });
});
