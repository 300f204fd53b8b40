import { diag } from '@opentelemetry/api';
import { getPriceBook, PriceBook, PriceFileError, setPriceBook } from '@tokenomics/pricing';
import { ConfigError } from './config-error';
import type { Env } from './env-reader';

/**
 * Makes `book`, or the one `TOKENOMICS_PRICES_FILE` / `TOKENOMICS_PRICE_OVERRIDES` describe, the
 * process-wide price book, reading the files now so a bad one fails start-up rather than the first
 * priced call. With neither, the bundled book is loaded right after start-up, off the app's first
 * LLM call (reading and indexing it takes tens of milliseconds).
 * Throws {@link ConfigError} naming the variable, file, line, field and value (one line, no stack);
 * warnings (an entry that loads but may not do what was meant) go to `diag.warn`. Files are bounded
 * in size by `@tokenomics/pricing`, so reading them at start-up takes a bounded time.
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
  const variableOf = (err: PriceFileError) =>
    overridesFile !== undefined && err.file === overridesFile ? 'TOKENOMICS_PRICE_OVERRIDES' : 'TOKENOMICS_PRICES_FILE';
  try {
    setPriceBook(
      PriceBook.load({
        pricesFile,
        overridesFile,
        onWarning: (w) => diag.warn(`@tokenomics/node: ${variableOf(w)}: warning: ${w.message}`),
      }),
    );
  } catch (err) {
    if (err instanceof PriceFileError) throw new ConfigError([`${variableOf(err)}: ${err.message}`]);
    // Anything else a file could provoke still fails start-up with one line, never a stack trace.
    const variables = [
      pricesFile && `TOKENOMICS_PRICES_FILE=${pricesFile}`,
      overridesFile && `TOKENOMICS_PRICE_OVERRIDES=${overridesFile}`,
    ];
    const reason = (err instanceof Error ? err.message : String(err)).split(/\r?\n/)[0];
    throw new ConfigError([
      `${variables.filter(Boolean).join(', ')}: cannot be loaded (${reason}); accepted: price and override files that \`tokenomics prices check\` accepts`,
    ]);
  }
}

function preloadBundledBook(): void {
  try {
    getPriceBook();
  } catch {
    // The bundled book ships with the package; a failure here resurfaces, unpriced, on the first call.
  }
}
