import type { Span } from '@opentelemetry/api';
import type { Cost, PricedCost } from '@tokenomics/pricing';

import {
  ATTR_TOKENOMICS_PRICE_BOOK_COST,
  ATTR_TOKENOMICS_PRICE_BOOK_COST_DIFFERENCE,
  COST_SOURCE_PROVIDER,
  COST_UNIT_TOTAL,
} from '@tokenomics/contract';

export { ATTR_TOKENOMICS_PRICE_BOOK_COST_DIFFERENCE, COST_SOURCE_PROVIDER, COST_UNIT_TOTAL };

/** Provider-reported costs, with the price book's figure for the same call. */
const REPORTED = new WeakMap<Cost, Cost>();

/**
 * The cost of a call whose provider reported what it billed (OpenRouter's `usage.cost`): the
 * reported amount, with one breakdown unit, `total`. The price book's own figure is kept for
 * {@link setReportedCostAttributes}. An estimated usage never comes with a provider's figure.
 */
export function providerReportedCost(bookCost: Cost, reported: number): PricedCost {
  const cost: PricedCost = {
    priced: true,
    amount: reported,
    currency: 'USD',
    breakdown: { [COST_UNIT_TOTAL]: reported } as PricedCost['breakdown'],
    tokens: bookCost.priced ? bookCost.tokens : {},
    priceBookVersion: bookCost.priceBookVersion,
    provider: bookCost.provider ?? '',
    matchedModel: bookCost.matchedModel ?? '',
    serviceTier: bookCost.priced ? bookCost.serviceTier : 'standard',
    estimated: false,
  };
  REPORTED.set(cost, bookCost);
  return cost;
}

/** Whether `cost` is one the provider reported ({@link providerReportedCost}). */
export function isProviderReported(cost: Cost): boolean {
  return REPORTED.has(cost);
}

/**
 * On the span of a provider-reported cost: the price book's figure and the difference, so that a
 * wrong price book shows up. Does nothing for a cost computed locally.
 */
export function setReportedCostAttributes(span: Span, cost: Cost): void {
  const book = REPORTED.get(cost);
  if (book === undefined || !cost.priced) return;
  if (book.priced) {
    span.setAttribute(ATTR_TOKENOMICS_PRICE_BOOK_COST, book.amount);
    span.setAttribute(ATTR_TOKENOMICS_PRICE_BOOK_COST_DIFFERENCE, cost.amount - book.amount);
  }
}
