import { afterEach, describe, expect, it } from 'vitest';
import { getPriceBook, price, setPriceBook } from '../src/default-book';
import { PriceBook } from '../src/price-book';
import type { BillingUnit, Cost, PricedCost, Usage } from '../src/types';

const book = PriceBook.bundled();
const AT = new Date('2026-11-01T00:00:00Z');

function priced(cost: Cost): PricedCost {
  if (!cost.priced) throw new Error(`expected a priced cost, got ${cost.reason}: ${cost.detail}`);
  return cost;
}

const sum = (parts: Partial<Record<BillingUnit, number>>, except?: BillingUnit) =>
  Object.entries(parts).reduce((acc, [unit, v]) => (unit === except ? acc : acc + (v as number)), 0);

describe('cost breakdown', () => {
  const usage: Usage = {
    inputTokens: 50000,
    cacheReadTokens: 20000,
    cacheWriteTokens: 6000,
    cacheWrite1hTokens: 4000,
    outputTokens: 3000,
    reasoningTokens: 1200,
  };

  it('partitions tokens: the units add up to input plus output, nothing counted twice', () => {
    const cost = priced(book.price(usage, { provider: 'anthropic', model: 'claude-sonnet-4-5', at: AT }));
    expect(cost.tokens).toEqual({
      input: 20000,
      cache_read: 20000,
      cache_write: 6000,
      cache_write_1h: 4000,
      output: 1800,
      reasoning: 1200,
    });
    expect(sum(cost.tokens)).toBe(50000 + 3000);
  });

  it('sums the breakdown to the amount exactly', () => {
    for (const model of ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-3-5-haiku-20241022']) {
      const cost = priced(book.price(usage, { provider: 'anthropic', model, at: AT }));
      expect(Object.values(cost.breakdown).reduce((a, b) => a + (b as number), 0)).toBe(cost.amount);
    }
  });

  it('reports reasoning separately at the output rate when the model has no reasoning rate', () => {
    const cost = priced(
      book.price({ inputTokens: 100, outputTokens: 1000, reasoningTokens: 800 }, { provider: 'openai', model: 'o4-mini', at: AT }),
    );
    expect(cost.tokens).toMatchObject({ output: 200, reasoning: 800 });
    expect(cost.breakdown.reasoning).toBeCloseTo((800 * 4.4) / 1e6, 12);
    expect(cost.breakdown.output).toBeCloseTo((200 * 4.4) / 1e6, 12);
  });

  it('charges cache reads at the input rate when the model has no cache-read rate', () => {
    // gpt-4 lists only $30 input / $60 output.
    const cost = priced(
      book.price({ inputTokens: 3000, cacheReadTokens: 1000, outputTokens: 10 }, { provider: 'openai', model: 'gpt-4-0613', at: AT }),
    );
    expect(cost.breakdown.cache_read).toBeCloseTo((1000 * 30) / 1e6, 12);
    expect(cost.breakdown.input).toBeCloseTo((2000 * 30) / 1e6, 12);
  });

  it('charges cache writes at the input rate where the provider has no write surcharge', () => {
    const cost = priced(book.price({ inputTokens: 3000, cacheWriteTokens: 1000 }, { provider: 'openai', model: 'gpt-4.1', at: AT }));
    expect(cost.breakdown.cache_write).toBeCloseTo((1000 * 2) / 1e6, 12);
  });

  it('charges 1-hour cache writes at twice the input rate for Claude on Vertex AI', () => {
    const cost = priced(
      book.price(
        { inputTokens: 10000, cacheWrite1hTokens: 5000 },
        { provider: 'gcp.vertex_ai', model: 'claude-sonnet-4@20250514', at: AT },
      ),
    );
    expect(cost.breakdown.cache_write_1h).toBeCloseTo((5000 * 6) / 1e6, 12);
  });

  it('prices a model listed as free at zero, and says it is priced', () => {
    const cost = priced(book.price({ inputTokens: 1000, outputTokens: 100 }, { provider: 'gcp.gemini', model: 'gemma-3-27b-it', at: AT }));
    expect(cost.amount).toBe(0);
    expect(cost.tokens).toEqual({ input: 1000, output: 100 });
  });

  it('prices per-call fees as the request unit and lists request kinds it has no fee for', () => {
    const cost = priced(
      book.price(
        { inputTokens: 1000, outputTokens: 10, requests: { web_search: 3, image_generation: 1 } },
        { provider: 'openai', model: 'gpt-4.1', at: AT },
      ),
    );
    expect(cost.tokens.request).toBe(3);
    expect(cost.breakdown.request).toBeCloseTo(3 * 0.01, 12);
    expect(cost.unpricedRequests).toEqual(['image_generation']);
  });

  it('passes the estimated flag through', () => {
    expect(book.price({ inputTokens: 10, outputTokens: 1 }, { provider: 'openai', model: 'gpt-4o', estimated: true })).toMatchObject({
      priced: true,
      estimated: true,
    });
    expect(book.price({ inputTokens: 10, outputTokens: 1 }, { provider: 'openai', model: 'gpt-4o' })).toMatchObject({ estimated: false });
    expect(book.price({ inputTokens: 10 }, { model: 'nope-nope', estimated: true })).toMatchObject({ priced: false, estimated: true });
  });

  it('accepts the call date as a Date, an ISO string or epoch milliseconds', () => {
    const usage = { inputTokens: 1_000_000 };
    const o3 = { provider: 'openai', model: 'o3' };
    // o3 input: $10 before 2025-06-10, $2 from then on.
    expect(priced(book.price(usage, { ...o3, at: new Date('2025-06-09T23:59:59Z') })).amount).toBe(10);
    expect(priced(book.price(usage, { ...o3, at: '2025-06-10T00:00:00Z' })).amount).toBe(2);
    expect(priced(book.price(usage, { ...o3, at: Date.UTC(2025, 5, 9) })).amount).toBe(10);
  });

  it('reports the price-book version, the provider and the matched model', () => {
    const cost = priced(book.price({ inputTokens: 10, outputTokens: 1 }, { provider: 'gcp.vertex_ai', model: 'gemini-2.5-flash' }));
    expect(cost.priceBookVersion).toBe(book.version);
    expect(book.version).toMatch(/^genai-prices@\d+\.\d+\.\d+\+supplement\./);
    expect(cost.provider).toBe('gcp.vertex_ai');
    expect(cost.matchedModel).toBe('gemini-2.5-flash');
  });
});

describe('unpriced calls', () => {
  it('marks usage whose cache tokens exceed the input total as invalid', () => {
    const cost = book.price({ inputTokens: 100, cacheReadTokens: 500, outputTokens: 1 }, { provider: 'openai', model: 'gpt-4o' });
    expect(cost).toMatchObject({ priced: false, reason: 'invalid_usage', matchedModel: 'gpt-4o' });
  });

  it('marks negative or non-finite counts as invalid', () => {
    expect(book.price({ inputTokens: -1 }, { provider: 'openai', model: 'gpt-4o' })).toMatchObject({ reason: 'invalid_usage' });
    expect(book.price({ inputTokens: Number.NaN }, { provider: 'openai', model: 'gpt-4o' })).toMatchObject({ reason: 'invalid_usage' });
    expect(book.price({ inputTokens: 1, requests: { web_search: -2 } }, { provider: 'openai', model: 'gpt-4o' })).toMatchObject({
      reason: 'invalid_usage',
    });
  });

  it('does not throw on missing or malformed arguments', () => {
    const loose = book as unknown as { price(u: unknown, o: unknown): unknown };
    expect(loose.price(undefined, { model: 'gpt-4o' })).toMatchObject({ priced: false, reason: 'no_usage' });
    expect(loose.price({ inputTokens: 1 }, undefined)).toMatchObject({ priced: false, reason: 'unknown_model' });
    expect(loose.price({ inputTokens: 1 }, { model: 42 })).toMatchObject({ priced: false, reason: 'unknown_model' });
    expect(loose.price({ inputTokens: '12' }, { model: 'gpt-4o' })).toMatchObject({ priced: false, reason: 'invalid_usage' });
  });

  it('says no_usage for a call without tokens or requests', () => {
    expect(book.price({}, { provider: 'openai', model: 'gpt-4o' })).toMatchObject({ priced: false, reason: 'no_usage' });
  });

  it('says no_price_for_tier when the model has no rate for the requested tier', () => {
    // gpt-4o is not offered on flex; Anthropic publishes no pay-as-you-go priority rate.
    expect(book.price({ inputTokens: 10 }, { provider: 'openai', model: 'gpt-4o', serviceTier: 'flex' })).toMatchObject({
      reason: 'no_price_for_tier',
    });
    expect(book.price({ inputTokens: 10 }, { provider: 'anthropic', model: 'claude-sonnet-4-5', serviceTier: 'priority' })).toMatchObject({
      reason: 'no_price_for_tier',
    });
    expect(book.price({ inputTokens: 10 }, { provider: 'openai', model: 'gpt-4o', serviceTier: 'turbo' })).toMatchObject({
      reason: 'no_price_for_tier',
    });
  });

  it('treats provider spellings of the standard tier as standard', () => {
    for (const tier of ['default', 'auto', 'scale', 'standard', 'STANDARD']) {
      expect(book.price({ inputTokens: 10 }, { provider: 'openai', model: 'gpt-4o', serviceTier: tier })).toMatchObject({
        priced: true,
        serviceTier: 'standard',
      });
    }
  });

  it('says no_price_for_unit when tokens arrive for a unit the model has no price for', () => {
    // Mistral OCR is billed per page only.
    expect(book.price({ inputTokens: 1000 }, { provider: 'mistral_ai', model: 'mistral-ocr-latest' })).toMatchObject({
      priced: false,
      reason: 'no_price_for_unit',
    });
    expect(
      priced(book.price({ requests: { document_page: 10 } }, { provider: 'mistral_ai', model: 'mistral-ocr-latest', at: AT })).amount,
    ).toBeCloseTo(10 * 0.004, 12);
  });
});

describe('process-wide price book', () => {
  afterEach(() => setPriceBook(PriceBook.bundled()));

  it('prices with the book set by setPriceBook', () => {
    const custom = PriceBook.load({
      overrides: { models: [{ provider: 'self-hosted', model: 'tiny-llm', prices: { input: 1, output: 2 } }] },
    });
    setPriceBook(custom);
    expect(getPriceBook()).toBe(custom);
    expect(price({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, { model: 'tiny-llm' })).toMatchObject({ priced: true, amount: 3 });
  });
});
