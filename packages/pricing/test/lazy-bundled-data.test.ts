/**
 * The bundled price data compiles a provider's models when they are first used. These tests prove
 * that this changes nothing a caller can see: the data has no problem when compiled whole, and a
 * book built that way lists, resolves and prices every model as a book compiled at once.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBook } from '../src/price-book';
import { modelsPending, readPriceData, type PriceData } from '../src/price-data';
import type { Problems } from '../src/rate-fields';
import { readSourceDoc } from '../src/source-doc';

const DATA_FILE = join(__dirname, '..', 'data', 'genai-prices.json');

function bundled(lazy: boolean): { data: PriceData; problems: Problems } {
  const problems: Problems = { doc: readSourceDoc(DATA_FILE), errors: [] };
  return { data: readPriceData(problems, 'bundled', lazy), problems };
}

const USAGE = { inputTokens: 1_234_567, outputTokens: 7_654, cacheReadTokens: 4_321, reasoningTokens: 99 };
const AT = Date.parse('2026-01-15T12:00:00Z');

describe('bundled price data compiled per provider on first use', () => {
  it('the bundled data has no problem when every provider is compiled', () => {
    const { data, problems } = bundled(false);
    expect(problems.errors).toEqual([]);
    expect(data.providers.reduce((n, p) => n + p.models.length, 0)).toBeGreaterThan(1_500);
  });

  it('pricing a model of one provider compiles the providers searched for it, no other', () => {
    const { data } = bundled(true);
    const book = buildBook(data, []);
    expect(data.providers.every(modelsPending)).toBe(true);
    const compiled = () => data.providers.filter((p) => !modelsPending(p)).map((p) => p.id);
    expect(book.price({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4o', at: AT })).toMatchObject({
      priced: true,
      amount: 12.5,
    });
    expect(compiled()).toEqual(['openai']);
    // Azure serves OpenAI's models: its own list is searched first, then OpenAI's.
    expect(book.resolve('gpt-4o', 'azure')?.model).toBe('gpt-4o');
    expect(compiled().sort()).toEqual(['azure', 'openai']);
    expect(data.providers.length).toBeGreaterThan(40);
  });

  it('warm() compiles a provider and the providers it serves models of ahead of their first look-up, and prices the same', () => {
    const { data } = bundled(true);
    const book = buildBook(data, []);
    const eager = buildBook(bundled(false).data, []);
    book.warm('azure');
    book.warm('not-a-provider');
    const compiled = data.providers.filter((p) => !modelsPending(p)).map((p) => p.id);
    expect(compiled.sort()).toEqual(['anthropic', 'azure', 'deepseek', 'moonshotai', 'openai', 'x-ai']);
    const opts = { provider: 'azure', model: 'gpt-4o', at: AT };
    expect(book.price(USAGE, opts)).toEqual(eager.price(USAGE, opts));
  });

  it('a book whose providers compile on first use resolves, prices and lists every model as one compiled at once', () => {
    const eager = buildBook(bundled(false).data, []);
    const lazy = buildBook(bundled(true).data, []);
    expect(lazy.version).toBe(eager.version);
    const models = eager.list();
    expect(models.length).toBeGreaterThan(1_500);
    for (const m of models) {
      for (const provider of [m.provider, undefined]) {
        const opts = { provider, model: m.model, at: AT };
        expect(lazy.resolve(m.model, provider), `${provider}/${m.model}`).toEqual(eager.resolve(m.model, provider));
        expect(lazy.price(USAGE, opts), `${provider}/${m.model}`).toEqual(eager.price(USAGE, opts));
        for (const serviceTier of ['batch', 'flex', 'priority'] as const) {
          expect(lazy.price(USAGE, { ...opts, serviceTier })).toEqual(eager.price(USAGE, { ...opts, serviceTier }));
        }
      }
    }
    // Listing from a fresh lazy book (nothing compiled yet) too.
    expect(buildBook(bundled(true).data, []).list()).toEqual(models);
    expect(lazy.list()).toEqual(models);
  });
});
