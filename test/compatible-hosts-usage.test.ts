import { describe, expect, it } from 'vitest';
import { compatibleUsage, reportedCostOf } from '../packages/instrumentation/src/openai/host-usage';

// The hosts' own usage fields, as the instrumentation reads them from untrusted response bodies.

describe("reading OpenAI-compatible hosts' usage fields", () => {
  it('takes DeepSeek cache hits as cache reads, unless prompt_tokens_details already gives them', () => {
    expect(
      compatibleUsage('deepseek', { prompt_tokens: 40, completion_tokens: 9, prompt_cache_hit_tokens: 32, prompt_cache_miss_tokens: 8 }),
    ).toEqual({
      inputTokens: 40,
      outputTokens: 9,
      cacheReadTokens: 32,
    });
    expect(
      compatibleUsage('deepseek', {
        prompt_tokens: 40,
        completion_tokens: 9,
        prompt_cache_hit_tokens: 32,
        prompt_tokens_details: { cached_tokens: 30 },
      })?.cacheReadTokens,
    ).toBe(30);
  });

  it('marks the usage invalid, naming the field, when a DeepSeek cache count is not a token count', () => {
    expect(compatibleUsage('deepseek', { prompt_tokens: 40, completion_tokens: 9, prompt_cache_hit_tokens: '32' })?.invalid).toBe(
      'prompt_cache_hit_tokens:wrong_type',
    );
    expect(compatibleUsage('deepseek', { prompt_tokens: 40, completion_tokens: 9, prompt_cache_hit_tokens: -1 })?.invalid).toMatch(
      /^prompt_cache_hit_tokens:/,
    );
  });

  it('adds xAI reasoning tokens to the output only when total_tokens shows they were left out of completion_tokens', () => {
    const apart = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 24, completion_tokens_details: { reasoning_tokens: 10 } };
    expect(compatibleUsage('x_ai', apart)).toEqual({ inputTokens: 10, outputTokens: 14, reasoningTokens: 10 });
    const included = { prompt_tokens: 10, completion_tokens: 14, total_tokens: 24, completion_tokens_details: { reasoning_tokens: 10 } };
    expect(compatibleUsage('x_ai', included)).toEqual({ inputTokens: 10, outputTokens: 14, reasoningTokens: 10 });
    const noTotal = { prompt_tokens: 10, completion_tokens: 14, completion_tokens_details: { reasoning_tokens: 10 } };
    expect(compatibleUsage('x_ai', noTotal)?.outputTokens).toBe(14);
  });

  it('counts a Perplexity medium or high search context as one billed item over the default fee', () => {
    expect(compatibleUsage('perplexity', { prompt_tokens: 5, completion_tokens: 7, search_context_size: 'medium' })?.requests).toEqual({
      search_context_medium: 1,
    });
    expect(
      compatibleUsage('perplexity', { prompt_tokens: 5, completion_tokens: 7, search_context_size: 'high', num_search_queries: 2 })
        ?.requests,
    ).toEqual({ web_search: 2, search_context_high: 1 });
    expect(compatibleUsage('perplexity', { prompt_tokens: 5, completion_tokens: 7, search_context_size: 'low' })?.requests).toBeUndefined();
    expect(
      compatibleUsage('perplexity', { prompt_tokens: 5, completion_tokens: 7, search_context_size: { high: 1 } })?.requests,
    ).toBeUndefined();
  });

  it('counts Perplexity searches as web_search requests', () => {
    expect(compatibleUsage('perplexity', { prompt_tokens: 5, completion_tokens: 7, num_search_queries: 3 })?.requests).toEqual({
      web_search: 3,
    });
    expect(compatibleUsage('perplexity', { prompt_tokens: 5, completion_tokens: 7, num_search_queries: 0 })?.requests).toBeUndefined();
  });

  it("reads other hosts' usage as OpenAI's, and their own fields not at all", () => {
    expect(
      compatibleUsage('openai', { prompt_tokens: 5, completion_tokens: 7, prompt_cache_hit_tokens: 3, num_search_queries: 2 }),
    ).toEqual({
      inputTokens: 5,
      outputTokens: 7,
    });
    expect(compatibleUsage('groq', { prompt_tokens: 5, completion_tokens: 7, queue_time: 0.1 })).toEqual({
      inputTokens: 5,
      outputTokens: 7,
    });
    expect(compatibleUsage('groq', null)).toBeUndefined();
  });

  it('takes a reported cost only from OpenRouter and Perplexity, and only a finite non-negative number', () => {
    expect(reportedCostOf('openrouter', { cost: 0.0012 })).toBe(0.0012);
    expect(reportedCostOf('openrouter', { cost: 0 })).toBe(0);
    expect(reportedCostOf('perplexity', { cost: { total_cost: 0.008 } })).toBe(0.008);
    for (const cost of [-1, '0.1', Number.NaN, Number.POSITIVE_INFINITY, null, { total_cost: 1 }, 1e9]) {
      expect(reportedCostOf('openrouter', { cost })).toBeUndefined();
    }
    expect(reportedCostOf('perplexity', { cost: 0.008 })).toBeUndefined();
    expect(reportedCostOf('openai', { cost: 0.5 })).toBeUndefined();
    expect(reportedCostOf('openrouter', Object.create({ cost: 0.5 }))).toBeUndefined();
  });
});
