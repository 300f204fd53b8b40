import type { Cost, PriceBookLike, Usage } from '@tokenomics/contract';
import { describe, expect, it } from 'vitest';
import { cacheSavings } from '../src/genai/cache-savings';

// A price book of the app's own (not a `PriceBook`): asked to price the call again without its
// cache reads, and without its cache writes. USD per million tokens: input 3, cache read 0.3,
// 5-minute cache write 3.75, 1-hour cache write 6, output 15.
const RATES = { input: 3, read: 0.3, write: 3.75, write1h: 6, output: 15 };

function ownBook(): PriceBookLike & { asked: Usage[] } {
  const asked: Usage[] = [];
  return {
    version: 'own-book',
    asked,
    price(usage: Usage): Cost {
      asked.push({ ...usage });
      const read = usage.cacheReadTokens ?? 0;
      const write = usage.cacheWriteTokens ?? 0;
      const write1h = usage.cacheWrite1hTokens ?? 0;
      const plain = (usage.inputTokens ?? 0) - read - write - write1h;
      const amount =
        (plain * RATES.input +
          read * RATES.read +
          write * RATES.write +
          write1h * RATES.write1h +
          (usage.outputTokens ?? 0) * RATES.output) /
        1e6;
      return { priced: true, amount, currency: 'USD', breakdown: {}, priceBookVersion: 'own-book', estimated: false } as unknown as Cost;
    },
  } as PriceBookLike & { asked: Usage[] };
}

describe('cacheSavings with a price book of the app', () => {
  it('prices the call again without its reads and without its writes, and leaves the usage as it was', () => {
    const book = ownBook();
    const usage: Usage = {
      inputTokens: 10_000,
      outputTokens: 500,
      cacheReadTokens: 6_000,
      cacheWriteTokens: 2_000,
      cacheWrite1hTokens: 1_000,
    };
    const before = JSON.stringify(usage);
    const actual = book.price(usage, {} as never);
    const figures = cacheSavings(book, usage, {} as never, actual);
    expect(figures!.savings).toBeCloseTo((6_000 * (RATES.input - RATES.read)) / 1e6, 15);
    expect(figures!.writePremium).toBeCloseTo((2_000 * (RATES.write - RATES.input) + 1_000 * (RATES.write1h - RATES.input)) / 1e6, 15);
    expect(JSON.stringify(usage)).toBe(before);
    // The two counterfactuals the book was asked for.
    expect(book.asked.slice(1)).toEqual([
      { inputTokens: 10_000, outputTokens: 500, cacheReadTokens: undefined, cacheWriteTokens: 2_000, cacheWrite1hTokens: 1_000 },
      { inputTokens: 10_000, outputTokens: 500, cacheReadTokens: 6_000, cacheWriteTokens: undefined, cacheWrite1hTokens: undefined },
    ]);
  });

  it('asks for no counterfactual when the call read and wrote no cache', () => {
    const book = ownBook();
    const usage: Usage = { inputTokens: 1_000, outputTokens: 10 };
    expect(cacheSavings(book, usage, {} as never, book.price(usage, {} as never))).toBeUndefined();
    expect(book.asked).toHaveLength(1);
  });
});
