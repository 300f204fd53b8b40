import { loadPriceBookFromEnv } from '@tokenomics/pricing/default-book';
import { PriceBook } from '@tokenomics/pricing/price-book';
import type { ParsedArgs } from './price-args';

/** Flags shared by `price` and `prices list` to choose the price book. */
export const PRICE_BOOK_FLAGS = { prices: 'string', overrides: 'string' } as const;

export const PRICE_BOOK_HELP = `  --prices FILE         price data or user price file
                        (default: $TOKENOMICS_PRICES_FILE, else the bundled snapshot)
  --overrides FILE      YAML or JSON override file (default: $TOKENOMICS_PRICE_OVERRIDES)`;

/**
 * The price book for a command: `--prices` / `--overrides` when given, else the environment
 * (`TOKENOMICS_PRICES_FILE`, `TOKENOMICS_PRICE_OVERRIDES`), else the bundled snapshot.
 * Throws `PriceFileError` for a bad file.
 */
export function priceBookFor(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): PriceBook {
  const pricesFile = args.values.get('prices') ?? (env.TOKENOMICS_PRICES_FILE?.trim() || undefined);
  const overridesFile = args.values.get('overrides') ?? (env.TOKENOMICS_PRICE_OVERRIDES?.trim() || undefined);
  if (!args.values.has('prices') && !args.values.has('overrides')) return loadPriceBookFromEnv(env);
  return PriceBook.load({ pricesFile, overridesFile });
}
