import { describe, expect, it } from 'vitest';
import { cohereBilledUsage } from '../src/cohere/usage';
import { mistralUsage } from '../src/mistral/usage';
import { ollamaUsage } from '../src/ollama/usage';

// Usage as each API sends it (wire names) and as the SDKs hand it to the app (Mistral and Cohere
// parse to camelCase; Ollama passes the JSON through).

describe('mistralUsage', () => {
  it('reads the SDK camelCase usage and the wire snake_case usage alike', () => {
    expect(mistralUsage({ promptTokens: 15, completionTokens: 24, totalTokens: 39 })).toEqual({ inputTokens: 15, outputTokens: 24 });
    expect(mistralUsage({ prompt_tokens: 15, completion_tokens: 24, total_tokens: 39 })).toEqual({ inputTokens: 15, outputTokens: 24 });
  });

  it('counts prompt_tokens_details.cached_tokens as cache reads within the input', () => {
    // The SDK keeps fields it does not model under their wire names.
    expect(mistralUsage({ promptTokens: 2048, completionTokens: 10, prompt_tokens_details: { cached_tokens: 1536 } })).toEqual({
      inputTokens: 2048,
      outputTokens: 10,
      cacheReadTokens: 1536,
    });
  });

  it('reads the singular prompt_token_details spelling and reasoning tokens as a subset of the output', () => {
    expect(
      mistralUsage({
        prompt_tokens: 900,
        completion_tokens: 400,
        prompt_token_details: { cached_tokens: 512 },
        completion_tokens_details: { reasoning_tokens: 350 },
      }),
    ).toEqual({ inputTokens: 900, outputTokens: 400, cacheReadTokens: 512, reasoningTokens: 350 });
  });

  it('marks a malformed count invalid, naming the field, rather than dropping it', () => {
    expect(mistralUsage({ promptTokens: '15', completionTokens: 3 })?.invalid).toBe('prompt_tokens:wrong_type');
    expect(mistralUsage({ promptTokens: 1, completionTokens: -3 })?.invalid).toBe('completion_tokens:negative');
    expect(mistralUsage({ promptTokens: 1, completionTokens: 1, prompt_tokens_details: 'x' })?.invalid).toBe(
      'prompt_tokens_details:wrong_type',
    );
    expect(mistralUsage('usage')).toEqual({ invalid: 'usage:wrong_type' });
  });

  it('reads own properties only, never inherited ones', () => {
    const inherited = Object.create({ promptTokens: 5, completionTokens: 7 }) as object;
    expect(mistralUsage(inherited)).toBeUndefined();
    expect(mistralUsage(null)).toBeUndefined();
  });
});

describe('cohereBilledUsage', () => {
  it('reads billed_units, not the larger token counts that include the prompt template', () => {
    const usage = { billedUnits: { inputTokens: 13, outputTokens: 22 }, tokens: { inputTokens: 224, outputTokens: 23 }, cachedTokens: 0 };
    expect(cohereBilledUsage(usage)).toEqual({ inputTokens: 13, outputTokens: 22 });
    expect(cohereBilledUsage({ billed_units: { input_tokens: 13, output_tokens: 22 }, tokens: { input_tokens: 224 } })).toEqual({
      inputTokens: 13,
      outputTokens: 22,
    });
  });

  it('reads rerank search units as billed items and embed input tokens from meta', () => {
    expect(cohereBilledUsage({ apiVersion: { version: '2' }, billedUnits: { searchUnits: 2 } })).toEqual({ requests: { search_unit: 2 } });
    expect(cohereBilledUsage({ billed_units: { input_tokens: 5 } })).toEqual({ inputTokens: 5 });
  });

  it('gives no usage when nothing billed is reported', () => {
    expect(cohereBilledUsage({ tokens: { inputTokens: 224 } })).toBeUndefined();
    expect(cohereBilledUsage({ billedUnits: {} })).toBeUndefined();
    expect(cohereBilledUsage(undefined)).toBeUndefined();
  });

  it('marks malformed billed units invalid, naming the field', () => {
    expect(cohereBilledUsage({ billedUnits: { inputTokens: 1.5 } })?.invalid).toBe('billed_units.input_tokens:not_integer');
    expect(cohereBilledUsage({ billedUnits: { searchUnits: Infinity } })?.invalid).toMatch(/^billed_units\.search_units:/);
    expect(cohereBilledUsage({ billedUnits: [1, 2] })).toEqual({ invalid: 'billed_units:wrong_type' });
  });
});

describe('ollamaUsage', () => {
  it('reads prompt_eval_count and eval_count of a final object', () => {
    const final = { model: 'llama3.2', done: true, done_reason: 'stop', total_duration: 5e8, prompt_eval_count: 26, eval_count: 298 };
    expect(ollamaUsage(final)).toEqual({ inputTokens: 26, outputTokens: 298 });
  });

  it('reads input only for embeddings', () => {
    expect(ollamaUsage({ model: 'nomic-embed-text', embeddings: [[0.1]], prompt_eval_count: 8 }, true)).toEqual({ inputTokens: 8 });
  });

  it('keeps the output of a call whose prompt came whole from the cache (no prompt_eval_count)', () => {
    expect(ollamaUsage({ done: true, eval_count: 40 })).toEqual({ outputTokens: 40 });
  });

  it('gives no usage for a chunk without counts and marks a malformed count invalid', () => {
    expect(ollamaUsage({ done: false, message: { content: 'Hi' } })).toBeUndefined();
    expect(ollamaUsage({ done: true, prompt_eval_count: 3, eval_count: '9' })?.invalid).toBe('eval_count:wrong_type');
    expect(ollamaUsage({ done: true, prompt_eval_count: 1e12, eval_count: 1 })?.invalid).toBe('prompt_eval_count:too_large');
  });
});
