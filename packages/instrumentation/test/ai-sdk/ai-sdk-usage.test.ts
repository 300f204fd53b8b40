import { describe, expect, it } from 'vitest';
import { embeddingModelUsage, languageModelUsage } from '../../src/ai-sdk/usage';

// Usage as AI SDK provider packages report it, in the shapes of language model spec v2 (ai 5) and
// v3 (ai 6 and 7), read into semconv usage (input includes cache reads and writes, output
// includes reasoning).

describe('language model spec v3 usage', () => {
  it('reads the nested totals, cache read and write, and reasoning when no raw usage is given', () => {
    const usage = {
      inputTokens: { total: 1200, noCache: 200, cacheRead: 800, cacheWrite: 200 },
      outputTokens: { total: 90, text: 60, reasoning: 30 },
    };
    expect(languageModelUsage(usage, undefined, 'other')).toEqual({
      inputTokens: 1200,
      outputTokens: 90,
      cacheReadTokens: 800,
      cacheWriteTokens: 200,
      reasoningTokens: 30,
    });
  });

  it('adds up the parts when a provider reports no total', () => {
    const usage = { inputTokens: { noCache: 10, cacheRead: 5 }, outputTokens: { text: 7, reasoning: 3 } };
    expect(languageModelUsage(usage, undefined, 'other')).toEqual({
      inputTokens: 15,
      outputTokens: 10,
      cacheReadTokens: 5,
      reasoningTokens: 3,
    });
  });

  it("prefers the provider's raw Anthropic usage, which splits 5-minute and 1-hour cache writes", () => {
    const usage = {
      inputTokens: { total: 1100, noCache: 100, cacheRead: 600, cacheWrite: 400 },
      outputTokens: { total: 50 },
      raw: {
        input_tokens: 100,
        cache_read_input_tokens: 600,
        cache_creation_input_tokens: 400,
        cache_creation: { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 100 },
        output_tokens: 50,
      },
    };
    expect(languageModelUsage(usage, undefined, 'anthropic')).toEqual({
      inputTokens: 1100,
      outputTokens: 50,
      cacheReadTokens: 600,
      cacheWriteTokens: 300,
      cacheWrite1hTokens: 100,
    });
  });

  it('falls back to the spec counts when the raw usage is not in the shape its provider sends', () => {
    const usage = { inputTokens: { total: 30 }, outputTokens: { total: 4 }, raw: { unexpected: true } };
    expect(languageModelUsage(usage, undefined, 'openai')).toEqual({ inputTokens: 30, outputTokens: 4 });
  });

  it('marks a count that is not a token count as invalid, never dropping it', () => {
    expect(languageModelUsage({ inputTokens: { total: -3 }, outputTokens: { total: 4 } }, undefined, 'other')?.invalid).toBe(
      'usage.inputTokens.total:negative',
    );
    expect(languageModelUsage({ inputTokens: 'many', outputTokens: { total: 4 } }, undefined, 'other')?.invalid).toBe(
      'usage.inputTokens:wrong_type',
    );
  });

  it('reads nothing from a usage without counts', () => {
    expect(languageModelUsage({ inputTokens: {}, outputTokens: {} }, undefined, 'openai')).toBeUndefined();
    expect(languageModelUsage(undefined, undefined, 'openai')).toBeUndefined();
  });
});

describe('language model spec v2 usage', () => {
  it('adds Anthropic cache reads and writes to the input the Messages API reports without them', () => {
    const usage = { inputTokens: 100, outputTokens: 50, totalTokens: 150, cachedInputTokens: 600 };
    const metadata = { anthropic: { cacheCreationInputTokens: 400 } };
    expect(languageModelUsage(usage, metadata, 'anthropic')).toEqual({
      inputTokens: 1100,
      outputTokens: 50,
      cacheReadTokens: 600,
      cacheWriteTokens: 400,
    });
  });

  it("reads Anthropic's raw usage from the provider metadata when it is there", () => {
    const usage = { inputTokens: 100, outputTokens: 50, cachedInputTokens: 600 };
    const metadata = {
      anthropic: {
        usage: { input_tokens: 100, cache_read_input_tokens: 600, cache_creation_input_tokens: 400, output_tokens: 50 },
        cacheCreationInputTokens: 400,
      },
    };
    expect(languageModelUsage(usage, metadata, 'anthropic')).toEqual({
      inputTokens: 1100,
      outputTokens: 50,
      cacheReadTokens: 600,
      cacheWriteTokens: 400,
    });
  });

  it('adds Bedrock cache reads and writes to the input Converse reports without them', () => {
    const usage = { inputTokens: 15, outputTokens: 23, cachedInputTokens: 3 };
    const metadata = { bedrock: { usage: { cacheWriteInputTokens: 5 } } };
    expect(languageModelUsage(usage, metadata, 'bedrock')).toEqual({
      inputTokens: 23,
      outputTokens: 23,
      cacheReadTokens: 3,
      cacheWriteTokens: 5,
    });
  });

  it("adds Gemini's thinking tokens to the candidates it reports without them", () => {
    const usage = { inputTokens: 11, outputTokens: 24, reasoningTokens: 7, cachedInputTokens: 2 };
    expect(languageModelUsage(usage, {}, 'gemini')).toEqual({
      inputTokens: 11,
      outputTokens: 31,
      cacheReadTokens: 2,
      reasoningTokens: 7,
    });
  });

  it('takes OpenAI counts as they are: cached within input, reasoning within output', () => {
    const usage = { inputTokens: 2000, outputTokens: 300, reasoningTokens: 200, cachedInputTokens: 1024 };
    expect(languageModelUsage(usage, undefined, 'openai')).toEqual({
      inputTokens: 2000,
      outputTokens: 300,
      cacheReadTokens: 1024,
      reasoningTokens: 200,
    });
  });

  it('reads provider metadata through own keys only', () => {
    const metadata = Object.create({ anthropic: { cacheCreationInputTokens: 999 } }) as object;
    expect(languageModelUsage({ inputTokens: 10, outputTokens: 1 }, metadata, 'anthropic')).toEqual({ inputTokens: 10, outputTokens: 1 });
  });
});

describe('embedding model usage', () => {
  it('reads the input tokens', () => {
    expect(embeddingModelUsage({ tokens: 12 })).toEqual({ inputTokens: 12 });
    expect(embeddingModelUsage(undefined)).toBeUndefined();
    expect(embeddingModelUsage({ tokens: Number.NaN })?.invalid).toBe('usage.tokens:not_finite');
  });
});
