/**
 * Corrections to the price data, each checked with a realistic call whose cost is worked out here
 * by hand from the provider's page (USD per million tokens unless noted), exact to 1e-9 USD.
 */
import { describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import type { BillingUnit, Cost, PriceOptions, Usage } from '../src/types';

const book = PriceBook.bundled();

function priced(usage: Usage, opts: PriceOptions): Extract<Cost, { priced: true }> {
  const cost = book.price(usage, opts);
  if (!cost.priced) throw new Error(`expected a priced cost, got ${cost.reason}: ${cost.detail}`);
  return cost;
}

/** Asserts the breakdown unit by unit and the total, to 1e-9 USD. */
function expectCost(usage: Usage, opts: PriceOptions, expected: Partial<Record<BillingUnit, number>>, matched?: string): void {
  const cost = priced(usage, opts);
  expect(Object.keys(cost.breakdown).sort()).toEqual(Object.keys(expected).sort());
  for (const [unit, usd] of Object.entries(expected)) {
    expect(Math.abs((cost.breakdown[unit as BillingUnit] ?? NaN) - usd), unit).toBeLessThanOrEqual(1e-9);
  }
  const total = Object.values(expected).reduce((a, b) => a + b, 0);
  expect(Math.abs(cost.amount - total)).toBeLessThanOrEqual(1e-9);
  if (matched !== undefined) expect(cost.matchedModel).toBe(matched);
}

const AT = new Date('2026-11-01T12:00:00Z');
/** A cached chat call: 10,000 input tokens of which 6,000 cache hits, 2,000 output tokens. */
const CACHED_CHAT: Usage = { inputTokens: 10_000, cacheReadTokens: 6_000, outputTokens: 2_000 };

describe('DeepSeek after the nighttime discount ended (16:00 UTC 2025-09-05)', () => {
  const after = { input: 0.00224, cache_read: 0.00042, output: 0.00336 }; // 4,000 x $0.56, 6,000 x $0.07, 2,000 x $1.68

  it('prices deepseek-chat at the same rates in the former discount window and in standard hours', () => {
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-chat', at: '2025-09-10T20:00:00Z' }, after);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-chat', at: '2025-09-10T03:00:00Z' }, after);
  });

  it('prices deepseek-reasoner at the unified list price, hour-independent', () => {
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-reasoner', at: '2025-09-05T16:45:00Z' }, after);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-reasoner', at: '2025-09-06T09:00:00Z' }, after);
  });

  it('keeps the old standard rate until 16:00 UTC on 2025-09-05 and the discount before then', () => {
    // $0.27 / $0.07 / $1.10 in standard hours, half of it in the 16:30-00:30 window.
    expectCost(
      CACHED_CHAT,
      { provider: 'deepseek', model: 'deepseek-chat', at: '2025-09-05T15:59:00Z' },
      { input: 0.00108, cache_read: 0.00042, output: 0.0022 },
    );
    expectCost(
      CACHED_CHAT,
      { provider: 'deepseek', model: 'deepseek-chat', at: '2025-09-04T20:00:00Z' },
      { input: 0.00054, cache_read: 0.00021, output: 0.0011 },
    );
  });

  it('prices the V3.2 list from 2025-09-29 ($0.28 / $0.028 / $0.42)', () => {
    expectCost(
      CACHED_CHAT,
      { provider: 'deepseek', model: 'deepseek-chat', at: '2025-10-01T20:00:00Z' },
      { input: 0.00112, cache_read: 0.000168, output: 0.00084 },
    );
  });

  it('prices the legacy names as V4 Flash at its launch price from 2026-04-24 ($0.14 / $0.028 cache hit / $0.28)', () => {
    // 4,000 x $0.14, 6,000 x $0.028, 2,000 x $0.28.
    const launch = { input: 0.00056, cache_read: 0.000168, output: 0.00056 };
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-chat', at: '2026-04-25T08:00:00Z' }, launch);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-reasoner', at: '2026-04-26T12:14:59Z' }, launch);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-v4-flash', at: '2026-04-25T08:00:00Z' }, launch);
  });

  it('prices cache hits at a tenth ($0.0028) from 12:15 UTC on 2026-04-26', () => {
    const cut = { input: 0.00056, cache_read: 0.0000168, output: 0.00056 }; // 6,000 x $0.0028
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-reasoner', at: '2026-04-26T12:15:00Z' }, cut);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-chat', at: '2026-05-04T08:00:00Z' }, cut);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-v4-flash', at: '2026-08-10T02:00:00Z' }, cut);
  });

  it('charges the V4 peak / off-peak list from 16:00 UTC on 2026-08-16 on, not before', () => {
    // Off-peak $0.22 / $0.007 / $0.66; peak hours (02:00 UTC) twice that: $0.44 / $0.014 / $1.32.
    expectCost(
      CACHED_CHAT,
      { provider: 'deepseek', model: 'deepseek-v4-flash', at: '2026-08-16T15:59:00Z' },
      { input: 0.00056, cache_read: 0.0000168, output: 0.00056 },
    );
    expectCost(
      CACHED_CHAT,
      { provider: 'deepseek', model: 'deepseek-v4-flash', at: '2026-08-16T16:00:00Z' },
      { input: 0.00088, cache_read: 0.000042, output: 0.00132 },
    );
    expectCost(
      CACHED_CHAT,
      { provider: 'deepseek', model: 'deepseek-v4-flash', at: '2026-08-18T02:00:00Z' },
      { input: 0.00176, cache_read: 0.000084, output: 0.00264 },
    );
    // V4 Pro off-peak at 20:00 UTC on 2026-08-16: 4,000 x $0.66, 6,000 x $0.022, 2,000 x $1.98.
    expectCost(
      CACHED_CHAT,
      { provider: 'deepseek', model: 'deepseek-v4-pro', at: '2026-08-16T20:00:00Z' },
      { input: 0.00264, cache_read: 0.000132, output: 0.00396 },
    );
  });
});

describe('rates fixed from the providers pages', () => {
  it('prices mistral-large-latest as Mistral Large 3 ($0.50 / $1.50), a quarter of Large 2', () => {
    const usage = { inputTokens: 10_000, outputTokens: 3_000 };
    expectCost(
      usage,
      { provider: 'mistral_ai', model: 'mistral-large-latest', at: AT },
      { input: 0.005, output: 0.0045 },
      'mistral-large-latest',
    );
    expectCost(usage, { provider: 'mistral_ai', model: 'mistral-large-2411', at: AT }, { input: 0.02, output: 0.018 }, 'mistral-large');
  });

  it('prices Grok 4 above 128K tokens at $6 / $1.50 cached / $30 and below at $3 / $15', () => {
    expectCost(
      { inputTokens: 150_000, cacheReadTokens: 100_000, outputTokens: 2_000 },
      { provider: 'x_ai', model: 'grok-4', at: AT },
      { input: 0.3, cache_read: 0.15, output: 0.06 },
    );
    expectCost(
      { inputTokens: 100_000, outputTokens: 2_000 },
      { provider: 'x_ai', model: 'grok-4-0709', at: AT },
      { input: 0.3, output: 0.03 },
    );
  });

  it('prices Grok 4 Fast above 128K tokens at $0.40 / $1, cached input staying $0.05', () => {
    const usage = { inputTokens: 200_000, cacheReadTokens: 150_000, outputTokens: 4_000 };
    const expected = { input: 0.02, cache_read: 0.0075, output: 0.004 };
    expectCost(usage, { provider: 'x_ai', model: 'grok-4-fast', at: AT }, expected, 'grok-4-fast-reasoning');
    expectCost(usage, { provider: 'x_ai', model: 'grok-4-fast-non-reasoning', at: AT }, expected, 'grok-4-fast-non-reasoning');
  });

  it('prices Grok 4.5 cached input at $0.50 ($1 above 200K)', () => {
    expectCost(
      { inputTokens: 10_000, cacheReadTokens: 8_000, outputTokens: 1_000 },
      { provider: 'x_ai', model: 'grok-4.5', at: AT },
      { input: 0.004, cache_read: 0.004, output: 0.006 },
    );
    expectCost(
      { inputTokens: 300_000, cacheReadTokens: 200_000, outputTokens: 1_000 },
      { provider: 'x_ai', model: 'grok-4.5', at: AT },
      { input: 0.4, cache_read: 0.2, output: 0.012 },
    );
  });

  it('prices Claude Sonnet 4.5 on Bedrock above 200K input tokens at the long-context rates', () => {
    const usage = { inputTokens: 250_000, cacheReadTokens: 100_000, cacheWriteTokens: 50_000, outputTokens: 3_000 };
    // Global: $6 input, $0.60 cache read, $7.50 cache write, $22.50 output.
    expectCost(
      usage,
      { provider: 'aws.bedrock', model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', at: AT },
      { input: 0.6, cache_read: 0.06, cache_write: 0.375, output: 0.0675 },
    );
    // Regional endpoints: 10% more ($6.60, $0.66, $8.25, $24.75).
    expectCost(
      usage,
      { provider: 'aws.bedrock', model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', at: AT },
      { input: 0.66, cache_read: 0.066, cache_write: 0.4125, output: 0.07425 },
    );
  });

  it('prices Gemini 3.6 Flash at its launch price before the promotion began (2026-08-14)', () => {
    const usage = { inputTokens: 20_000, cacheReadTokens: 10_000, outputTokens: 5_000 };
    expectCost(
      usage,
      { provider: 'gcp.gemini', model: 'gemini-3.6-flash', at: '2026-08-01T12:00:00Z' },
      { input: 0.015, cache_read: 0.0015, output: 0.0375 },
    );
    expectCost(
      usage,
      { provider: 'gcp.gemini', model: 'gemini-3.6-flash', at: '2026-09-01T12:00:00Z' },
      { input: 0.0075, cache_read: 0.00075, output: 0.01875 },
    );
  });
});

describe('an id never resolves to a different model', () => {
  it('prices Titan Text Embeddings V2 at its own rate, a fifth of V1', () => {
    const usage = { inputTokens: 1_000_000 };
    expectCost(
      usage,
      { provider: 'aws.bedrock', model: 'amazon.titan-embed-text-v2:0', at: AT },
      { input: 0.02 },
      'amazon.titan-embed-text-v2:0',
    );
    expectCost(
      usage,
      { provider: 'aws.bedrock', model: 'amazon.titan-embed-text-v1', at: AT },
      { input: 0.1 },
      'amazon.titan-embed-text-v1',
    );
  });

  it("prices Groq's GPT-OSS-Safeguard 20B at its own rate, not gpt-oss-120b's", () => {
    expectCost(
      { inputTokens: 10_000, outputTokens: 2_000 },
      { provider: 'groq', model: 'openai/gpt-oss-safeguard-20b', at: AT },
      { input: 0.00075, output: 0.0006 },
      'openai/gpt-oss-safeguard-20b',
    );
  });

  it('prices mistral-medium-3 as Mistral Medium 3 ($0.40 / $2), not Medium 3.5', () => {
    expectCost(
      { inputTokens: 10_000, outputTokens: 2_000 },
      { provider: 'mistral_ai', model: 'mistral-medium-3', at: AT },
      { input: 0.004, output: 0.004 },
      'mistral-medium-3-1',
    );
  });

  it('leaves a version no rule names exactly unpriced, saying which rule it resembled', () => {
    const cost = book.price({ inputTokens: 1000 }, { provider: 'aws.bedrock', model: 'amazon.titan-embed-text-v3:0', at: AT });
    expect(cost).toMatchObject({ priced: false, reason: 'unknown_model' });
    expect(cost.priced ? '' : cost.detail).toContain(
      'matches the rules of "amazon.titan-embed-text-v1" but names another model ("v3" vs "v1")',
    );
    expect(book.resolve('meta.llama3-1-13b-instruct-v1:0', 'aws.bedrock')).toBeUndefined();
  });
});

describe('widely used ids that now resolve', () => {
  it('prices gemini-flash-latest as Gemini 3.8 Flash, and not before that target is known', () => {
    const usage = { inputTokens: 20_000, outputTokens: 5_000 };
    expectCost(usage, { provider: 'gcp.gemini', model: 'gemini-flash-latest', at: AT }, { input: 0.015, output: 0.01875 });
    expectCost(
      usage,
      { provider: 'gcp.gemini', model: 'gemini-flash-latest', at: '2027-02-01T00:00:00Z' },
      { input: 0.03, output: 0.0375 },
    );
    expect(book.price(usage, { provider: 'gcp.gemini', model: 'gemini-flash-latest', at: '2026-06-01T00:00:00Z' })).toMatchObject({
      priced: false,
      reason: 'no_price_at_date',
    });
  });

  it('prices gemini-pro-latest as Gemini 3.1 Pro since the 2026-03-06 switch, never as Gemini 1.0 Pro', () => {
    expectCost(
      { inputTokens: 10_000, outputTokens: 2_000 },
      { provider: 'gcp.gemini', model: 'gemini-pro-latest', at: AT },
      { input: 0.02, output: 0.024 },
      'gemini-pro-latest',
    );
    expect(
      book.price({ inputTokens: 10_000 }, { provider: 'gcp.gemini', model: 'gemini-pro-latest', at: '2025-06-01T00:00:00Z' }),
    ).toMatchObject({
      priced: false,
      reason: 'no_price_at_date',
    });
  });

  it('resolves Vertex text-embedding-005, billed per character, and leaves it unpriced with the reason (never $0)', () => {
    expect(book.resolve('text-embedding-005', 'gcp.vertex_ai')).toMatchObject({ model: 'text-embedding-005' });
    expect(
      book.price({ inputTokens: 1_000 }, { provider: 'gcp.vertex_ai', model: 'publishers/google/models/text-embedding-005', at: AT }),
    ).toMatchObject({ priced: false, reason: 'no_price_for_unit', matchedModel: 'text-embedding-005' });
  });

  it('prices devstral-medium-latest ($0.40 / $2)', () => {
    expectCost(
      { inputTokens: 10_000, outputTokens: 2_000 },
      { provider: 'mistral_ai', model: 'devstral-medium-latest', at: AT },
      { input: 0.004, output: 0.004 },
    );
  });

  it('prices Cohere Embed 3 and its light variants at $0.10 per million tokens', () => {
    for (const model of ['embed-english-v3.0', 'embed-multilingual-v3.0', 'embed-english-light-v3.0', 'embed-multilingual-light-v3.0']) {
      expectCost({ inputTokens: 1_000_000 }, { provider: 'cohere', model, at: AT }, { input: 0.1 });
    }
  });

  it('prices Cohere Rerank by billed search units ($2 per 1,000)', () => {
    expectCost({ requests: { search_units: 3 } }, { provider: 'cohere', model: 'rerank-v3.5', at: AT }, { request: 0.006 });
  });

  it('prices Bedrock Cohere Command R / R+, Mistral Large 2407 and Llama 3.1 405B', () => {
    const usage = { inputTokens: 10_000, outputTokens: 1_000 };
    expectCost(usage, { provider: 'aws.bedrock', model: 'cohere.command-r-v1:0', at: AT }, { input: 0.005, output: 0.0015 });
    expectCost(usage, { provider: 'aws.bedrock', model: 'us.cohere.command-r-plus-v1:0', at: AT }, { input: 0.03, output: 0.015 });
    expectCost(usage, { provider: 'aws.bedrock', model: 'mistral.mistral-large-2407-v1:0', at: AT }, { input: 0.02, output: 0.006 });
    expectCost(usage, { provider: 'aws.bedrock', model: 'meta.llama3-1-405b-instruct-v1:0', at: AT }, { input: 0.024, output: 0.0024 });
    expectCost({ inputTokens: 1_000_000 }, { provider: 'aws.bedrock', model: 'cohere.embed-multilingual-v3', at: AT }, { input: 0.1 });
  });
});

describe('popular models of the OpenAI-compatible hosts', () => {
  it('prices Grok 4.7 ($2 / $0.50 cached / $6, doubled above 200K)', () => {
    expectCost(
      { inputTokens: 10_000, cacheReadTokens: 4_000, outputTokens: 1_000 },
      { provider: 'x_ai', model: 'grok-4.7', at: AT },
      { input: 0.012, cache_read: 0.002, output: 0.006 },
    );
    expectCost({ inputTokens: 250_000, outputTokens: 1_000 }, { provider: 'x_ai', model: 'grok-4.7', at: AT }, { input: 1, output: 0.012 });
  });

  it("prices OpenRouter's x-ai/grok-4 at xAI's rates, above 128K too", () => {
    expectCost(
      { inputTokens: 150_000, outputTokens: 1_000 },
      { provider: 'openrouter', model: 'x-ai/grok-4', at: AT },
      { input: 0.9, output: 0.03 },
    );
  });

  it('leaves Together models unpriced when no Together page could be read for them', () => {
    const usage = { inputTokens: 10_000, outputTokens: 2_000 };
    for (const model of [
      'deepseek-ai/DeepSeek-V3',
      'deepseek-ai/DeepSeek-R1',
      'Qwen/Qwen2.5-72B-Instruct-Turbo',
      'openai/gpt-oss-120b',
      'moonshotai/Kimi-K2-Instruct',
    ]) {
      expect(book.price(usage, { provider: 'together', model, at: AT }), model).toMatchObject({ priced: false, reason: 'unknown_model' });
    }
  });

  it("prices Fireworks' DeepSeek V3 at the V3 family row ($0.56 / $0.28 cached / $1.68), not the old $0.90 flat rate", () => {
    // 4,000 uncached x $0.56, 6,000 cached x $0.28, 2,000 output x $1.68.
    expectCost(
      CACHED_CHAT,
      { provider: 'fireworks_ai', model: 'accounts/fireworks/models/deepseek-v3', at: AT },
      { input: 0.00224, cache_read: 0.00168, output: 0.00336 },
      'deepseek-v3',
    );
  });

  it("prices Fireworks' Llama 3.3 70B at its size bucket (16.1B - 80B, $0.90 in and out)", () => {
    expectCost(
      { inputTokens: 10_000, outputTokens: 2_000 },
      { provider: 'fireworks_ai', model: 'accounts/fireworks/models/llama-v3p3-70b-instruct', at: AT },
      { input: 0.009, output: 0.0018 },
      'llama-v3p3-70b-instruct',
    );
  });

  it("leaves Fireworks' kimi-k2-instruct unpriced: no Fireworks page states its rate", () => {
    const cost = book.price(
      { inputTokens: 10_000, outputTokens: 2_000 },
      { provider: 'fireworks_ai', model: 'accounts/fireworks/models/kimi-k2-instruct', at: AT },
    );
    expect(cost).toMatchObject({ priced: false, reason: 'unknown_model' });
  });

  it('prices the dated Grok 4.20 ids as Grok 4.20', () => {
    const usage = { inputTokens: 10_000, outputTokens: 2_000 };
    const dated = priced(usage, { provider: 'x_ai', model: 'grok-4.20-0309-reasoning', at: AT });
    const plain = priced(usage, { provider: 'x_ai', model: 'grok-4.20', at: AT });
    expect(dated.amount).toBe(plain.amount);
    expectCost(usage, { provider: 'x_ai', model: 'grok-4.20-0309-non-reasoning', at: AT }, { input: 0.0125, output: 0.005 }, 'grok-4.20');
  });
});

describe('DeepSeek Flash peak hours', () => {
  it('prices deepseek-flash at twice the off-peak rate in peak hours (01:00-04:00, 06:00-10:00 UTC)', () => {
    // Off-peak $0.15 / $0.003 cache hit / $0.60; peak $0.30 / $0.006 / $1.20.
    const offPeak = { input: 0.0006, cache_read: 0.000018, output: 0.0012 };
    const peak = { input: 0.0012, cache_read: 0.000036, output: 0.0024 };
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-flash', at: '2026-11-03T12:00:00Z' }, offPeak);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-flash', at: '2026-11-03T02:00:00Z' }, peak);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-flash', at: '2026-11-03T09:59:00Z' }, peak);
    expectCost(CACHED_CHAT, { provider: 'deepseek', model: 'deepseek-flash', at: '2026-11-03T10:00:00Z' }, offPeak);
  });
});

describe('Perplexity request fees by search context size', () => {
  // 2,000 input and 800 output tokens; request fees per 1,000 requests.
  const call = { inputTokens: 2000, outputTokens: 800 };

  it('charges Sonar Reasoning Pro $6 / $10 / $14 per 1,000 requests at low (default) / medium / high context', () => {
    const tokens = { input: 0.004, output: 0.0064 }; // 2,000 x $2, 800 x $8
    expectCost(call, { provider: 'perplexity', model: 'sonar-reasoning-pro', at: AT }, { ...tokens, request: 0.006 });
    expectCost(
      { ...call, requests: { search_context_medium: 1 } },
      { provider: 'perplexity', model: 'sonar-reasoning-pro', at: AT },
      { ...tokens, request: 0.01 },
    );
    expectCost(
      { ...call, requests: { search_context_high: 1 } },
      { provider: 'perplexity', model: 'sonar-reasoning-pro', at: AT },
      { ...tokens, request: 0.014 },
    );
  });

  it('charges Sonar $12 per 1,000 requests at high context', () => {
    expectCost(
      { ...call, requests: { search_context_high: 1 } },
      { provider: 'perplexity', model: 'sonar', at: AT },
      { input: 0.002, output: 0.0008, request: 0.012 },
    );
  });

  it('charges the retired Sonar Reasoning its $5 default fee and reports a medium or high context fee as unpriced, never guessed', () => {
    const tokens = { input: 0.002, output: 0.004 }; // 2,000 x $1, 800 x $5
    expectCost(call, { provider: 'perplexity', model: 'sonar-reasoning', at: AT }, { ...tokens, request: 0.005 });
    const medium = priced(
      { ...call, requests: { search_context_medium: 1 } },
      { provider: 'perplexity', model: 'sonar-reasoning', at: AT },
    );
    expect(Math.abs(medium.amount - 0.011)).toBeLessThanOrEqual(1e-9);
    expect(medium.unpricedRequests).toEqual(['search_context_medium']);
  });
});
