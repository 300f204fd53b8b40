/**
 * Whatever a price or override file holds, loading it either succeeds with finite rates or fails
 * with one PriceFileError whose message is one line: never another exception.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import { PriceFileError } from '../src/price-file-error';
import { validatePriceFile } from '../src/validate-file';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-hostile-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(ext: string, text: string): string {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

/** Loads a file both ways; returns what was thrown (or nothing). */
function outcome(path: string): unknown[] {
  const thrown: unknown[] = [];
  for (const opts of [{ overridesFile: path }, { pricesFile: path }]) {
    try {
      const book = PriceBook.load(opts);
      for (const m of book.list()) for (const v of Object.values(m.rates)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    } catch (err) {
      thrown.push(err);
    }
  }
  return thrown;
}

function expectOneLineFileErrors(thrown: unknown[]): void {
  for (const err of thrown) {
    expect(err).toBeInstanceOf(PriceFileError);
    expect((err as Error).message).not.toMatch(/[\n\r\u2028\u2029]/);
  }
}

const KEYS = [
  'models',
  'aliases',
  'discounts',
  'service_tiers',
  'derived_rates',
  'provider',
  'model',
  'prices',
  'input',
  'output',
  'multiplier',
  'tier',
  'alias',
  'new',
  'from',
  'until',
  'constructor',
  '__proto__',
  'tiers',
  'base',
  'start',
  'price',
  'match',
];

describe('hostile price and override files', () => {
  it('structured documents of known keys and hostile values load or fail with one line', () => {
    const value = fc.oneof(
      fc.constantFrom(
        1e308,
        -1,
        0,
        0.5,
        2,
        1e-320,
        Number.MAX_SAFE_INTEGER,
        'openai',
        'antropic',
        'gpt-4o',
        'cluade-*',
        '*',
        '',
        '2026-01-01',
        'flex',
        true,
        null,
      ),
      fc.string({ maxLength: 6 }),
    );
    const doc = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', maxDepth: 5 },
        value,
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(doc, (d) => {
        expectOneLineFileErrors(outcome(file('json', JSON.stringify(d))));
        const check = validatePriceFile(file('json', JSON.stringify(d)));
        if (!check.ok) for (const e of [...check.errors, ...check.warnings]) expect(e.message).not.toMatch(/[\n\r]/);
      }),
      { numRuns: 80 },
    );
  });

  it('arbitrary YAML-ish text loads or fails with one line', () => {
    const text = fc.string({
      unit: fc.constantFrom(
        'a',
        ':',
        ' ',
        '\n',
        '-',
        '&',
        '*',
        '[',
        ']',
        '{',
        '}',
        '"',
        "'",
        '#',
        '!',
        '|',
        '>',
        '1',
        'e',
        '9',
        '.',
        '%',
        '@',
        '`',
        '?',
        ',',
      ),
      maxLength: 120,
    });
    fc.assert(
      fc.property(text, (t) => {
        expectOneLineFileErrors(outcome(file('yaml', t)));
      }),
      { numRuns: 500 },
    );
  });
});
