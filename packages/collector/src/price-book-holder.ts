import { diag } from '@opentelemetry/api';
import type { PriceBookLike } from '@tokenomics/exporter';
import { PriceBook } from '@tokenomics/pricing/price-book';
import type { Cost, PriceOptions, Usage } from '@tokenomics/pricing/types';

/** Where the stage's price book comes from. */
export interface PriceBookSource {
  /** A price data file replacing the bundled snapshot. */
  pricesFile?: string | undefined;
  /** A YAML or JSON override file (negotiated rates, custom models). */
  overridesFile?: string | undefined;
}

/**
 * The stage's price book, swappable while it runs: `reload()` builds a new book from the files and
 * swaps it in between two requests (nothing in flight is dropped or priced twice); a file that fails
 * to load leaves the current book in place.
 */
export class PriceBookHolder implements PriceBookLike {
  private book: PriceBook;

  /** Loads the book now; throws `PriceFileError` when a file is missing or invalid. */
  constructor(private readonly source: PriceBookSource = {}) {
    this.book = load(source);
  }

  get version(): string {
    return this.book.version;
  }

  price(usage: Usage, opts: PriceOptions): Cost {
    return this.book.price(usage, opts);
  }

  /** Reads the files again. Returns the error when they could not be loaded (the old book stays). */
  reload(): Error | undefined {
    try {
      this.book = load(this.source);
      diag.info(`@tokenomics/collector: price book reloaded (version ${this.book.version})`);
      return undefined;
    } catch (err) {
      diag.error('@tokenomics/collector: price book reload failed; keeping the current one', err);
      return err instanceof Error ? err : new Error(String(err));
    }
  }
}

function load(source: PriceBookSource): PriceBook {
  if (source.pricesFile === undefined && source.overridesFile === undefined) return PriceBook.bundled();
  return PriceBook.load({ pricesFile: source.pricesFile, overridesFile: source.overridesFile });
}
