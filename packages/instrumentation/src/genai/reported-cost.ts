import type { Span } from '@opentelemetry/api';
import type { Cost, PricedCost } from '@tokenomics/pricing/types';

import {
  ATTR_TOKENOMICS_PRICE_BOOK_COST,
  ATTR_TOKENOMICS_PRICE_BOOK_COST_DIFFERENCE,
  ATTR_TOKENOMICS_UNPRICED_REQUESTS,
  COST_SOURCE_PROVIDER,
} from '@tokenomics/contract/attributes';
import { COST_UNIT_TOTAL } from '@tokenomics/contract/tokens';

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

/** Billing items of a call (`web_search`, ...) the price book has no fee for: left out of a locally computed cost. */
export { ATTR_TOKENOMICS_UNPRICED_REQUESTS };

/**
 * On the span of a priced call: for a provider-reported cost, the price book's figure and the
 * difference, so that a wrong price book shows up; for a cost computed locally, the billing items
 * it could not charge (`tokenomics.unpriced_requests`), so a partial cost is never taken for whole.
 */
export function setReportedCostAttributes(span: Span, cost: Cost): void {
  if (!cost.priced) return;
  const book = REPORTED.get(cost);
  if (book === undefined) {
    if (cost.unpricedRequests !== undefined && cost.unpricedRequests.length > 0) {
      span.setAttribute(ATTR_TOKENOMICS_UNPRICED_REQUESTS, cost.unpricedRequests);
    }
    return;
  }
  if (book.priced) {
    span.setAttribute(ATTR_TOKENOMICS_PRICE_BOOK_COST, book.amount);
    span.setAttribute(ATTR_TOKENOMICS_PRICE_BOOK_COST_DIFFERENCE, cost.amount - book.amount);
  }
}
