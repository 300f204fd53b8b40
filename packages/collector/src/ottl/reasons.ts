/**
 * Values of `tokenomics.unpriced_reason` the generated OTTL writes on a span it leaves for the
 * collector stage or the exporter to price. The first six are the price book's own reasons
 * (`UnpricedReason` in `@tokenomics/contract`); `long_context` and `cache_share_unknown` are asked of
 * the contract (they move there once it lists them).
 */
import type { UnpricedReason } from '@tokenomics/contract/price-book';

const reason = <T extends UnpricedReason>(r: T): T => r;

/** `tokenomics.unpriced_reason` values of the generated OTTL. */
export const OTTL_UNPRICED_REASONS = {
  unknownModel: reason('unknown_model'),
  unknownProvider: reason('unknown_provider'),
  invalidUsage: reason('invalid_usage'),
  noUsage: reason('no_usage'),
  noPriceForUnit: reason('no_price_for_unit'),
  datedPrice: reason('no_price_at_date'),
  serviceTier: reason('no_price_for_tier'),
  // Pending in the contract (see the module comment).
  /** The call's input crosses a context-length tier of the model (priced by the stage). */
  longContext: 'long_context',
  /** The model's cached tokens cost differently and the span does not say how many were cached. */
  cacheShareUnknown: 'cache_share_unknown',
} as const;
