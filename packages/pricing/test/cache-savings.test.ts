/**
 * `PriceBook.cacheSavings` gives the figures of pricing a call a second time with its cache reads
 * (or writes) as uncached input, without that second `price()`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriceBook, type CacheSavings, type Cost, type PriceOptions, type Usage } from '../src';

/** The savings as the instrumentation computed them before: two more `price()` calls. */
function pricedAgain(book: PriceBook, usage: Usage, opts: PriceOptions, actual: Cost): CacheSavings | undefined {
  if (!actual.priced) return undefined;
  const reads = usage.cacheReadTokens ?? 0;
  const writes = (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
  if (!(reads > 0) && !(writes > 0)) return undefined;
  const nonNegative = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);
  let savings = 0;
  if (reads > 0) {
    const uncached = book.price({ ...usage, cacheReadTokens: undefined }, opts);
    if (!uncached.priced) return undefined;
    savings = nonNegative(uncached.amount - actual.amount);
  }
  let writePremium = 0;
  if (writes > 0) {
    const unwritten = book.price({ ...usage, cacheWriteTokens: undefined, cacheWrite1hTokens: undefined }, opts);
    if (!unwritten.priced) return undefined;
    writePremium = nonNegative(actual.amount - unwritten.amount);
  }
  return { savings, writePremium };
}

const bundled = PriceBook.bundled();
const discounted = PriceBook.load({
  overrides: {
    models: [{ provider: 'self-hosted', model: 'cached-llm', prices: { input: 0.2, output: 0.6, cache_read: 0.05, cache_write: 0.25 } }],
    discounts: [{ provider: 'anthropic', model: 'claude-*', multiplier: 0.8, from: '2026-01-01', until: '2027-01-01' }],
  },
});

/** Models with a cache rate or a long-context tier, and a few with per-call fees. */
function modelsOf(book: PriceBook): { provider: string; model: string }[] {
  const picked = book
    .list()
    .filter((m) => m.rates.cacheRead !== undefined || m.rates.cacheWrite !== undefined || m.longContext !== undefined)
    .map((m) => ({ provider: m.provider, model: m.model }));
  return [...picked, { provider: 'perplexity', model: 'sonar-reasoning-pro' }, { provider: 'self-hosted', model: 'cached-llm' }];
}

const count = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: undefined });
const usageArb = fc
  .record({
    extraInput: fc.option(fc.integer({ min: 0, max: 400_000 }), { nil: undefined }),
    cacheReadTokens: count(300_000),
    cacheWriteTokens: count(100_000),
    cacheWrite1hTokens: count(50_000),
    inputAudioTokens: count(2000),
    inputImageTokens: count(2000),
    outputTokens: count(20_000),
    reasoningTokens: count(5000),
    webSearches: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  })
  .map((r) => {
    const subsets =
      (r.cacheReadTokens ?? 0) +
      (r.cacheWriteTokens ?? 0) +
      (r.cacheWrite1hTokens ?? 0) +
      (r.inputAudioTokens ?? 0) +
      (r.inputImageTokens ?? 0);
    const usage: Usage = {
      inputTokens: r.extraInput === undefined ? undefined : subsets + r.extraInput,
      cacheReadTokens: r.cacheReadTokens,
      cacheWriteTokens: r.cacheWriteTokens,
      cacheWrite1hTokens: r.cacheWrite1hTokens,
      inputAudioTokens: r.inputAudioTokens,
      inputImageTokens: r.inputImageTokens,
      outputTokens: r.outputTokens === undefined ? undefined : r.outputTokens + (r.reasoningTokens ?? 0),
      reasoningTokens: r.reasoningTokens,
    };
    if (r.webSearches !== undefined) usage.requests = { web_search: r.webSearches };
    return usage;
  });
const optsArb = (models: { provider: string; model: string }[]) =>
  fc.record({
    target: fc.constantFrom(...models),
    withProvider: fc.boolean(),
    serviceTier: fc.constantFrom(undefined, 'batch', 'flex', 'priority', 'auto'),
    at: fc.constantFrom(undefined, '2025-03-01T00:00:00Z', '2026-06-01T12:00:00Z', Date.UTC(2027, 5, 1)),
    operation: fc.constantFrom(undefined, 'chat'),
    // Another call priced in between: the savings are not those of the last call priced.
    between: fc.boolean(),
  });

describe('PriceBook.cacheSavings', () => {
  for (const [name, book] of [
    ['the bundled book', bundled],
    ['a book with a custom cached model and a dated discount', discounted],
  ] as const) {
    it(`gives the figures of pricing the call again without its cache reads or writes, with ${name}`, () => {
      const models = modelsOf(book);
      let compared = 0;
      fc.assert(
        fc.property(usageArb, optsArb(models), (usage, o) => {
          const opts: PriceOptions = { model: o.target.model };
          if (o.withProvider) opts.provider = o.target.provider;
          if (o.serviceTier !== undefined) opts.serviceTier = o.serviceTier;
          if (o.at !== undefined) opts.at = o.at;
          if (o.operation !== undefined) opts.operation = o.operation;
          const actual = book.price(usage, opts);
          if (o.between) book.price({ inputTokens: 10, outputTokens: 1 }, { provider: 'openai', model: 'gpt-4o' });
          const saved = book.cacheSavings(usage, opts, actual);
          const expected = pricedAgain(book, usage, opts, actual);
          if (expected !== undefined && (expected.savings > 0 || expected.writePremium > 0)) compared++;
          expect(saved).toStrictEqual(expected);
        }),
        { numRuns: 3000, seed: 14 },
      );
      expect(compared).toBeGreaterThan(1000);
    });
  }

  it('gives the exact decimal savings and write premium of a long-context cached call', () => {
    const usage: Usage = { inputTokens: 250_000, cacheReadTokens: 100_000, cacheWriteTokens: 20_000, outputTokens: 1000 };
    const opts: PriceOptions = { provider: 'anthropic', model: 'claude-sonnet-4-20250514', at: '2026-06-01T00:00:00Z' };
    const actual = bundled.price(usage, opts);
    const saved = bundled.cacheSavings(usage, opts, actual);
    expect(saved).toStrictEqual(pricedAgain(bundled, usage, opts, actual));
    // Above 200k input tokens: input $6, cache read $0.60, cache write $7.50 per million.
    // (The difference of two sums, as a second price() gives it: exact to the picodollar.)
    expect(saved?.savings).toBeCloseTo(0.54, 12);
    expect(saved?.writePremium).toBeCloseTo(0.03, 12);
  });

  it('gives the savings of a cost priced by another book from the rates of the book asked', () => {
    const usage: Usage = { inputTokens: 1_000_000, cacheReadTokens: 1_000_000 };
    const actual = discounted.price(usage, { model: 'cached-llm' });
    // 1M tokens: $0.20 as input, $0.05 as cache reads.
    expect(discounted.cacheSavings(usage, { model: 'cached-llm' }, actual)?.savings).toBeCloseTo(0.15, 12);
    const other = PriceBook.load({
      overrides: { models: [{ provider: 'self-hosted', model: 'cached-llm', prices: { input: 1, cache_read: 0.5 } }] },
    });
    expect(other.cacheSavings(usage, { model: 'cached-llm' }, actual)).toStrictEqual({ savings: 0.95, writePremium: 0 });
  });

  it('gives nothing for an unpriced call or a call without cache tokens', () => {
    const opts: PriceOptions = { provider: 'openai', model: 'gpt-4o' };
    const plain = { inputTokens: 100, outputTokens: 10 };
    expect(bundled.cacheSavings(plain, opts, bundled.price(plain, opts))).toBeUndefined();
    const cached = { inputTokens: 100, cacheReadTokens: 50, outputTokens: 10 };
    const unknown = { provider: 'openai', model: 'no-such-model' };
    expect(bundled.cacheSavings(cached, unknown, bundled.price(cached, unknown))).toBeUndefined();
  });
});
