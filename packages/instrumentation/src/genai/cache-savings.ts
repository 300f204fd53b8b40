import type { Cost, PriceBookLike, PriceOptions, Usage } from '@tokenomics/contract/price-book';
import { PriceBook } from '@tokenomics/pricing/price-book';
import { plainCopy } from './plain-copy';

// Read on every cached call: bound once, a module constant.
const PRICE_BOOK = PriceBook;

/**
 * What a call's prompt cache saved, and what its cache writes cost extra, in USD, each against the
 * same call priced as if those tokens were plain (uncached) input.
 *
 * Both figures come from the price book itself: the call's usage is priced again with the cache
 * reads (or the cache writes) moved to uncached input, and the difference from the call's real
 * cost is taken. A `PriceBook` computes that second price from the rates the call resolved to
 * (`PriceBook.cacheSavings`, the same figures); another `PriceBookLike` is asked for it. Context-length tiers, service tiers, dates and per-call fees are therefore those
 * of the real call, and no rate arithmetic is repeated here:
 * - `savings` = cost with the cache reads as uncached input - real cost
 *   (= cache read tokens x (input rate - cache read rate));
 * - `writePremium` = real cost - cost with the cache writes as uncached input
 *   (= cache write tokens x (cache write rate - input rate), both write lifetimes).
 *
 * `tokenomics.cache.savings` is the gross figure (a counter only goes up); the net saving of a
 * cache is `savings - writePremium`, which the Prometheus rules compute. A figure that would be
 * negative (a book with a cache read rate above its input rate) is recorded as 0.
 */
export interface CacheSavings {
  savings: number;
  writePremium: number;
}

/**
 * The cache savings of a priced call, or `undefined` when it read and wrote no cache or a
 * counterfactual could not be priced. Never throws.
 */
export function cacheSavings(book: PriceBookLike, usage: Usage, options: PriceOptions, actual: Cost): CacheSavings | undefined {
  if (!actual.priced) return undefined;
  // A subclass that prices differently is asked like any other book.
  if (book instanceof PRICE_BOOK && book.price === PRICE_BOOK.prototype.price) return book.cacheSavings(usage, options, actual);
  const reads = usage.cacheReadTokens ?? 0;
  const writes = (usage.cacheWriteTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
  if (!(reads > 0) && !(writes > 0)) return undefined;
  try {
    let savings = 0;
    if (reads > 0) {
      const uncached = book.price({ ...usage, cacheReadTokens: undefined }, options);
      if (!uncached.priced) return undefined;
      savings = nonNegative(uncached.amount - actual.amount);
    }
    let writePremium = 0;
    if (writes > 0) {
      const withoutWrites = plainCopy(usage);
      withoutWrites.cacheWriteTokens = undefined;
      withoutWrites.cacheWrite1hTokens = undefined;
      const unwritten = book.price(withoutWrites, options);
      if (!unwritten.priced) return undefined;
      writePremium = nonNegative(actual.amount - unwritten.amount);
    }
    return { savings, writePremium };
  } catch {
    return undefined;
  }
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
