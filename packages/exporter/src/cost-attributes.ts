import type { Attributes } from '@opentelemetry/api';
import type { PricedCost } from '@tokenomics/pricing/types';
import * as A from './attribute-names';

/** Attributes for a call the price book priced: semconv cost plus our version, match and breakdown. */
export function pricedAttributes(cost: PricedCost): Attributes {
  const attrs: Attributes = {
    [A.ATTR_GEN_AI_USAGE_COST_AMOUNT]: cost.amount,
    [A.ATTR_GEN_AI_USAGE_COST_CURRENCY]: cost.currency,
    [A.ATTR_GEN_AI_USAGE_COST_SOURCE]: A.COST_SOURCE_LOCAL,
    [A.ATTR_TOKENOMICS_PRICE_BOOK_VERSION]: cost.priceBookVersion,
    [A.ATTR_TOKENOMICS_PRICING_MODEL]: cost.matchedModel,
  };
  addBreakdown(attrs, cost);
  return attrs;
}

/**
 * Attributes for a call another source already priced (OpenLIT's `gen_ai.usage.cost`): their figure
 * stays where it is and ours goes under `tokenomics.*` only, so no call carries two semconv costs.
 */
export function shadowAttributes(cost: PricedCost): Attributes {
  const attrs: Attributes = {
    [A.ATTR_TOKENOMICS_PRICE_BOOK_COST]: cost.amount,
    [A.ATTR_TOKENOMICS_PRICE_BOOK_VERSION]: cost.priceBookVersion,
    [A.ATTR_TOKENOMICS_PRICING_MODEL]: cost.matchedModel,
  };
  addBreakdown(attrs, cost);
  return attrs;
}

/** Attributes for a call that could not be priced. Never a cost amount. */
export function unpricedAttributes(reason: string, priceBookVersion: string | undefined): Attributes {
  const attrs: Attributes = {
    [A.ATTR_TOKENOMICS_UNPRICED]: true,
    [A.ATTR_TOKENOMICS_UNPRICED_REASON]: reason,
  };
  if (priceBookVersion !== undefined) attrs[A.ATTR_TOKENOMICS_PRICE_BOOK_VERSION] = priceBookVersion;
  return attrs;
}

function addBreakdown(attrs: Attributes, cost: PricedCost): void {
  for (const unit in cost.breakdown) {
    const amount = cost.breakdown[unit as keyof PricedCost['breakdown']];
    if (amount !== undefined) attrs[breakdownKey(unit)] = amount;
  }
}

const BREAKDOWN_KEYS_LIMIT = 64;
/** `tokenomics.cost.<unit>` by unit: one string per unit, not one per span. */
const breakdownKeys = new Map<string, string>();

function breakdownKey(unit: string): string {
  let key = breakdownKeys.get(unit);
  if (key === undefined) {
    key = A.ATTR_TOKENOMICS_COST_PREFIX + unit;
    if (breakdownKeys.size < BREAKDOWN_KEYS_LIMIT) breakdownKeys.set(unit, key);
  }
  return key;
}
