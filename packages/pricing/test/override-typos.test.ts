/**
 * Typos in override files are caught: a provider or model glob that matches nothing, and a new
 * model named one typo away from a listed one, are errors naming the entry with a suggestion; a
 * new model whose name differs from a listed one only in its numbering is a warning.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import { PriceFileError } from '../src/price-file-error';
import { validatePriceFile } from '../src/validate-file';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-override-typos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadError(path: string): PriceFileError {
  try {
    PriceBook.load({ overridesFile: path });
  } catch (err) {
    if (err instanceof PriceFileError) return err;
    throw err;
  }
  throw new Error('expected PriceBook.load to throw');
}

const ACCEPT_PROVIDER = 'a provider in the price book (see `tokenomics prices list`) or defined under models';
const ACCEPT_NEW_MODEL = 'the id of a listed model to change it, or new: true for a new model';

describe('an override that matches no provider or no model is an error naming the entry', () => {
  it('rejects a discount for provider antropic and suggests anthropic', () => {
    const path = file('antropic.yaml', 'discounts:\n  - provider: antropic\n    model: "claude-*"\n    multiplier: 0.8\n');
    const err = loadError(path);
    expect(err).toMatchObject({ line: 2, field: 'discounts[0].provider', value: 'antropic' });
    expect(err.message).toBe(
      `${path}:2: discounts[0].provider: "antropic" is not a known provider (did you mean "anthropic"?); accepted: ${ACCEPT_PROVIDER}`,
    );
  });

  it('rejects a discount for model cluade-* and suggests claude-*', () => {
    const path = file('cluade.yaml', 'discounts:\n  - provider: anthropic\n    model: "cluade-*"\n    multiplier: 0.8\n');
    expect(loadError(path).message).toBe(
      `${path}:3: discounts[0].model: "cluade-*" matches no model of provider "anthropic" (did you mean "claude-*"?); accepted: a model id or glob matching a model of provider "anthropic" (see \`tokenomics prices list\`)`,
    );
  });

  it("rejects one glob of a service-tier rule's list that matches nothing, naming its position", () => {
    const path = file(
      'tier-glob.yaml',
      'service_tiers:\n  - provider: openai\n    tier: flex\n    models: ["gpt-4o", "gtp-5*"]\n    multiplier: 0.5\n',
    );
    expect(loadError(path).message).toBe(
      `${path}:4: service_tiers[0].models[1]: "gtp-5*" matches no model of provider "openai" (did you mean "gpt-5*"?); accepted: a model id or glob matching a model of provider "openai" (see \`tokenomics prices list\`)`,
    );
  });

  it('rejects an alias scoped to a misspelt provider', () => {
    const path = file('alias-provider.yaml', 'aliases:\n  - alias: prod-4o\n    provider: azure.ai.opnai\n    model: gpt-4o\n');
    expect(loadError(path).message).toBe(
      `${path}:3: aliases[0].provider: "azure.ai.opnai" is not a known provider (did you mean "azure.ai.openai"?); accepted: ${ACCEPT_PROVIDER}`,
    );
  });

  it('accepts discounts by exact model string, by alias and for every provider', () => {
    const path = file(
      'good-discounts.yaml',
      'aliases:\n  - alias: prod-4o\n    model: gpt-4o\ndiscounts:\n  - model: prod-4o\n    multiplier: 0.9\n  - provider: anthropic\n    model: claude-sonnet-4-5-20250929\n    multiplier: 0.8\n  - multiplier: 0.95\n',
    );
    const book = PriceBook.load({ overridesFile: path });
    const cost = book.price({ inputTokens: 100_000 }, { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929' });
    expect(cost.priced && cost.amount).toBeCloseTo(0.3 * 0.8, 12);
  });
});

describe('a new model named next to a listed one', () => {
  it('rejects gpt-4o-mnii instead of creating a new custom model, suggesting gpt-4o-mini', () => {
    const path = file('mnii.yaml', 'models:\n  - provider: openai\n    model: gpt-4o-mnii\n    prices: { input: 0.1, output: 0.4 }\n');
    const err = loadError(path);
    expect(err).toMatchObject({ line: 3, field: 'models[0].model', value: 'gpt-4o-mnii', accepted: ACCEPT_NEW_MODEL });
    expect(err.message).toBe(
      `${path}:3: models[0].model: "gpt-4o-mnii" is not a model of provider "openai" in the price book (did you mean "gpt-4o-mini"?); accepted: ${ACCEPT_NEW_MODEL}`,
    );
  });

  it('accepts the same name with new: true, as a model of its own', () => {
    const path = file(
      'mnii-new.yaml',
      'models:\n  - provider: openai\n    model: gpt-4o-mnii\n    new: true\n    prices: { input: 0.1, output: 0.4 }\n',
    );
    const book = PriceBook.load({ overridesFile: path });
    expect(book.price({ inputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4o-mnii' })).toMatchObject({
      priced: true,
      amount: 0.1,
      matchedModel: 'gpt-4o-mnii',
    });
    expect(book.price({ inputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4o-mini' })).toMatchObject({
      priced: true,
      amount: 0.15,
      matchedModel: 'gpt-4o-mini',
    });
  });

  it('accepts, without a warning, a model a provider serves from another and a dated snapshot a listed model matches', () => {
    const path = file(
      'known-names.yaml',
      'models:\n  - provider: azure.ai.openai\n    model: gpt-4o\n    prices: { input: 2, output: 8 }\n  - provider: openai\n    model: gpt-4o-2024-08-06\n    prices: { input: 2.2, output: 9 }\n',
    );
    const warnings: PriceFileError[] = [];
    const book = PriceBook.load({ overridesFile: path, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    expect(book.price({ inputTokens: 1_000_000 }, { provider: 'azure.ai.openai', model: 'gpt-4o' })).toMatchObject({
      priced: true,
      amount: 2,
    });
    expect(book.price({ inputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4o-2024-08-06' })).toMatchObject({
      priced: true,
      amount: 2.2,
    });
  });

  it('rejects a custom model under a provider one typo from a known one unless it is new', () => {
    const path = file(
      'provider-typo.yaml',
      'models:\n  - provider: antropic\n    model: claude-house\n    prices: { input: 1, output: 2 }\n',
    );
    expect(loadError(path).message).toBe(
      `${path}:2: models[0].provider: "antropic" is not a known provider (did you mean "anthropic"?); accepted: ${ACCEPT_PROVIDER}, or new: true for a provider of your own`,
    );
    const own = file(
      'provider-new.yaml',
      'models:\n  - provider: antropic\n    model: claude-house\n    new: true\n    prices: { input: 1, output: 2 }\n',
    );
    expect(PriceBook.load({ overridesFile: own }).resolve('claude-house', 'antropic')).toMatchObject({
      provider: 'antropic',
      model: 'claude-house',
    });
  });

  it('warns, and still loads, when the name differs from a listed one only in its numbering', () => {
    const path = file('gpt-4-2.yaml', 'models:\n  - provider: openai\n    model: gpt-4.2\n    prices: { input: 1, output: 4 }\n');
    const warnings: PriceFileError[] = [];
    const book = PriceBook.load({ overridesFile: path, onWarning: (w) => warnings.push(w) });
    expect(book.price({ inputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4.2' })).toMatchObject({ priced: true, amount: 1 });
    expect(warnings.map((w) => [w.level, w.message])).toEqual([
      [
        'warning',
        `${path}:3: models[0].model: "gpt-4.2" is not in the price book and adds a new model next to "gpt-4.1" of provider "openai"; accepted: ${ACCEPT_NEW_MODEL}`,
      ],
    ]);
  });
});

describe('validatePriceFile lists every problem of every class', () => {
  it('reports read errors, book errors and warnings of one file together, in line order', () => {
    const path = file(
      'many.yaml',
      [
        'models:',
        '  - provider: openai',
        '    model: gpt-4o-mnii',
        '    prices: { input: 1e308 }',
        '  - provider: openai',
        '    model: gpt-4.2',
        '    prices: { input: 1, output: 2 }',
        'discounts:',
        '  - provider: antropic',
        '    multiplier: 0.8',
        '  - model: "cluade-*"',
        '    multiplier: 0.5',
        'extra: 1',
        '',
      ].join('\n'),
    );
    const result = validatePriceFile(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.line, e.field, e.value])).toEqual([
      [3, 'models[0].model', 'gpt-4o-mnii'],
      [4, 'models[0].prices.input', 1e308],
      [9, 'discounts[0].provider', 'antropic'],
      [11, 'discounts[1].model', 'cluade-*'],
      [13, 'extra', 1],
    ]);
    expect(result.warnings.map((e) => [e.line, e.field, e.value])).toEqual([[6, 'models[1].model', 'gpt-4.2']]);
  });
});
