import { PriceBook } from './price-book';
import type { Cost, PriceOptions, Usage } from './types';

let current: PriceBook | undefined;
/** Why the book from the environment could not be loaded: thrown again without reading the files again. */
let loadFailure: { error: unknown } | undefined;

/**
 * Reads `TOKENOMICS_PRICES_FILE` (a newer price data file, or a user price file) and
 * `TOKENOMICS_PRICE_OVERRIDES` (a YAML or JSON override file) and builds a book; the bundled book
 * when neither is set. Throws `PriceFileError` when a file is missing or invalid.
 */
export function loadPriceBookFromEnv(env: NodeJS.ProcessEnv = process.env): PriceBook {
  const pricesFile = env.TOKENOMICS_PRICES_FILE?.trim() || undefined;
  const overridesFile = env.TOKENOMICS_PRICE_OVERRIDES?.trim() || undefined;
  if (pricesFile === undefined && overridesFile === undefined) return PriceBook.bundled();
  return PriceBook.load({ pricesFile, overridesFile });
}

/**
 * The process-wide price book used by the instrumentation and exporters. On first use it is
 * `loadPriceBookFromEnv()` (which throws `PriceFileError` on a bad file; call it at start-up to
 * fail early), unless `setPriceBook()` set one. The files are read once: after a failed load,
 * every later call throws the same error again without reading them, until `setPriceBook()`.
 */
export function getPriceBook(): PriceBook {
  if (current) return current;
  if (loadFailure) throw loadFailure.error;
  try {
    current = loadPriceBookFromEnv();
  } catch (error) {
    loadFailure = { error };
    throw error;
  }
  return current;
}

/** Replaces the process-wide price book (e.g. one built with `PriceBook.load()` from config). */
export function setPriceBook(book: PriceBook): void {
  current = book;
  loadFailure = undefined;
}

/** Cost of one call with the process-wide price book; see `PriceBook.price()`. */
export function price(usage: Usage, opts: PriceOptions): Cost {
  return getPriceBook().price(usage, opts);
}
