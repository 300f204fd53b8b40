import { diag } from '@opentelemetry/api';
import { getPriceBook } from '@tokenomics/pricing/default-book';
import type { PriceOptions } from '@tokenomics/pricing/types';

/**
 * What the exporter needs from a price book: its version and a `price()` that turns a usage record
 * into a cost (the contract's price-book interface). `@tokenomics/pricing`'s `PriceBook` satisfies
 * it; pass your own to apply negotiated rates or to price from a different source.
 */
export type { PriceBookLike } from '@tokenomics/contract/price-book';
import type { PriceBookLike } from '@tokenomics/contract/price-book';

/**
 * The process-wide price book from `@tokenomics/pricing` (`getPriceBook()`: the bundled snapshot,
 * or the files named by `TOKENOMICS_PRICES_FILE` / `TOKENOMICS_PRICE_OVERRIDES`), or `undefined`
 * with a diagnostic when it cannot be loaded (a bad price file): calls are then reported unpriced
 * with reason `no_price_book` rather than failing the export.
 */
export function defaultPriceBook(): PriceBookLike | undefined {
  try {
    return getPriceBook();
  } catch (err) {
    diag.error('@tokenomics/exporter: could not load the price book; GenAI calls will be reported unpriced', err);
    return undefined;
  }
}

/** The model fields of a price request: `model` as requested, `responseModel` as reported. */
export type ModelOptions = Pick<PriceOptions, 'model' | 'responseModel'>;

/**
 * The model fields for pricing a call: `model` is the request model (which may be an Azure
 * deployment name or a user alias) and `responseModel` the model the provider reported, which the
 * price book prefers when it resolves. `undefined` when the call names no model at all.
 */
export function modelOptions(requestModel: string | undefined, responseModel: string | undefined): ModelOptions | undefined {
  const model = requestModel ?? responseModel;
  if (model === undefined) return undefined;
  return responseModel === undefined ? { model } : { model, responseModel };
}
