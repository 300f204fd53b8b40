import { getPriceBook, loadPriceBookFromEnv, PriceFileError, setPriceBook, type PriceBook } from '@tokenomics/pricing';
import { ConfigError } from './config-error';
import type { Env } from './env-reader';

/**
 * Makes `book`, or the one `TOKENOMICS_PRICES_FILE` / `TOKENOMICS_PRICE_OVERRIDES` describe, the
 * process-wide price book, reading the files now so a bad one fails start-up rather than the first
 * priced call. With neither, the bundled book is loaded right after start-up, off the app's first
 * LLM call (reading and indexing it takes tens of milliseconds).
 * Throws {@link ConfigError} naming the variable, file, line, field and value.
 */
export function applyPriceBook(env: Env, book?: PriceBook): void {
  if (book) {
    setPriceBook(book);
    return;
  }
  const pricesFile = env.TOKENOMICS_PRICES_FILE?.trim() || undefined;
  const overridesFile = env.TOKENOMICS_PRICE_OVERRIDES?.trim() || undefined;
  if (pricesFile === undefined && overridesFile === undefined) {
    setImmediate(preloadBundledBook).unref();
    return;
  }
  try {
    setPriceBook(loadPriceBookFromEnv({ TOKENOMICS_PRICES_FILE: pricesFile, TOKENOMICS_PRICE_OVERRIDES: overridesFile }));
  } catch (err) {
    if (!(err instanceof PriceFileError)) throw err;
    const variable = overridesFile !== undefined && err.file === overridesFile ? 'TOKENOMICS_PRICE_OVERRIDES' : 'TOKENOMICS_PRICES_FILE';
    throw new ConfigError([`${variable}: ${err.message}`]);
  }
}

function preloadBundledBook(): void {
  try {
    getPriceBook();
  } catch {
    // The bundled book ships with the package; a failure here resurfaces, unpriced, on the first call.
  }
}
