/**
 * The process-wide price book reads its files once: a file that failed to load is not read again
 * on every call that prices something.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getPriceBook, setPriceBook } from '../src/default-book';
import { PriceBook } from '../src/price-book';
import { PriceFileError } from '../src/price-file-error';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-default-book-'));
const saved = process.env.TOKENOMICS_PRICE_OVERRIDES;
afterAll(() => {
  if (saved === undefined) delete process.env.TOKENOMICS_PRICE_OVERRIDES;
  else process.env.TOKENOMICS_PRICE_OVERRIDES = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('getPriceBook', () => {
  it('a price file that failed to load is not read again: later calls throw the same error until setPriceBook()', () => {
    const path = join(dir, 'overrides.json');
    writeFileSync(path, '{ not json');
    process.env.TOKENOMICS_PRICE_OVERRIDES = path;
    let first: unknown;
    try {
      getPriceBook();
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(PriceFileError);
    // Were the file read again, the error would now say that it is missing.
    rmSync(path);
    for (let i = 0; i < 3; i++) {
      let again: unknown;
      try {
        getPriceBook();
      } catch (err) {
        again = err;
      }
      expect(again).toBe(first);
    }
    const bundled = PriceBook.bundled();
    setPriceBook(bundled);
    expect(getPriceBook()).toBe(bundled);
  });
});
