import { diag } from '@opentelemetry/api';
import { getPriceBook, setPriceBook } from '@tokenomics/pricing/default-book';
import { PriceBook } from '@tokenomics/pricing/price-book';
import { PriceFileError } from '@tokenomics/pricing/price-file-error';
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

/** The price-book provider a client library's calls are priced under. */
const PROVIDER_OF_LIBRARY: ReadonlyMap<string, string> = new Map([
  ['openai', 'openai'],
  ['@anthropic-ai/sdk', 'anthropic'],
  ['@google/genai', 'google'],
  ['@aws-sdk/client-bedrock-runtime', 'aws'],
  ['@mistralai/mistralai', 'mistral'],
  ['cohere-ai', 'cohere'],
  ['groq-sdk', 'groq'],
  ['together-ai', 'together'],
]);

/**
 * On the turn after `library` (a client library's package name) loads, compiles the price-book
 * models of the provider it calls, so that its first priced call does not (the bundled book
 * compiles a provider's models on first use). Libraries calling many providers are left alone.
 */
export function warmPriceBookFor(library: string | undefined): void {
  const provider = library === undefined ? undefined : PROVIDER_OF_LIBRARY.get(library);
  if (provider === undefined) return;
  setImmediate(() => {
    try {
      const book = getPriceBook();
      if (typeof book.warm === 'function') book.warm(provider);
    } catch {
      // A book that failed to load resurfaces, unpriced, on the first call.
    }
  }).unref();
}
