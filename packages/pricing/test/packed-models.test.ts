/**
 * The bundled data keeps each provider's models as packed JSON text until they are first used.
 * These tests prove that packing loses nothing: any JSON value reads back the same, characters
 * outside Latin-1 included, and a model whose name has one is listed with it.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateFromData } from '../src/book-state';
import { buildBook } from '../src/price-book';
import { packJson, readPriceData, unpackJson } from '../src/price-data';
import type { Problems } from '../src/rate-fields';
import { readSourceDoc } from '../src/source-doc';

const DATA_FILE = join(__dirname, '..', 'data', 'genai-prices.json');

describe('packed model lists of the bundled data', () => {
  it('any JSON value reads back equal from its packed text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = JSON.stringify(value);
        expect(JSON.parse(unpackJson(packJson(json)))).toEqual(JSON.parse(json));
      }),
      { numRuns: 500 },
    );
  });

  it('text made of the packed spellings and control-character escapes reads back exactly', () => {
    const spellings = fc.constantFrom('{"id":"', '","name":"', ',"output_mtok":', '"}]}', '}},', '\\u0001', '\\u001f', 'a', '"', ',');
    fc.assert(
      fc.property(fc.array(spellings, { maxLength: 40 }), (parts) => {
        const json = JSON.stringify(parts.join(''));
        expect(unpackJson(packJson(json))).toBe(json);
      }),
      { numRuns: 500 },
    );
  });

  it("model entries whose strings repeat the entry's id, in any case and with any character, read back exactly", () => {
    // Ids from an alphabet of the characters that could confuse a reference: quotes and
    // backslashes (escaped in JSON), braces and commas, upper case, and characters outside Latin-1.
    const id = fc.string({ unit: fc.constantFrom('a', 'B', '"', '\\', '{', '}', ',', ':', '/', 'É', 'Σ', '中', '-'), maxLength: 6 });
    const entry = id.chain((name) =>
      fc.record({
        id: fc.constant(name),
        name: fc.constantFrom(name, name.toLowerCase(), name.toUpperCase(), `${name}x`),
        match: fc.oneof(
          fc.record({ equals: fc.constantFrom(name, name.toLowerCase()) }),
          fc.record({ or: fc.array(fc.record({ starts_with: fc.oneof(id, fc.constant(name.toLowerCase())) }), { maxLength: 3 }) }),
        ),
        tags: fc.array(fc.oneof(id, fc.constant(name), fc.constant(name.toLowerCase())), { maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(entry, fc.jsonValue()), { maxLength: 8 }), (models) => {
        const json = JSON.stringify(models);
        const out = packJson(json);
        expect(JSON.parse(unpackJson(out))).toEqual(JSON.parse(json));
        if (!/[\u0100-\uffff]/.test(json)) expect(unpackJson(out)).toBe(json);
      }),
      { numRuns: 1_000 },
    );
  });

  it("writes a string of a model's entry equal to its id, or to its id lower-cased, as a reference, not again", () => {
    const models = [
      { id: 'Acme-Large', name: 'Acme-Large', match: { or: [{ equals: 'acme-large' }, { starts_with: 'Acme-Large' }] } },
      { id: 'acme-small', match: { equals: 'acme-small' }, aliases: ['Acme-Large'] },
    ];
    const out = packJson(JSON.stringify(models));
    expect(out.split('Acme-Large')).toHaveLength(3);
    expect(out.split('acme-large')).toHaveLength(1);
    expect(out.split('acme-small')).toHaveLength(2);
    expect(JSON.parse(unpackJson(out))).toEqual(models);
  });

  it('packed text is less than 40 % of the text of the bundled model lists and holds no character outside Latin-1', () => {
    const doc = readSourceDoc(DATA_FILE);
    const providers = (doc.value as { providers: { id: string; models: unknown[] }[] }).providers;
    let text = 0;
    let packed = 0;
    for (const p of providers) {
      const json = JSON.stringify(p.models);
      const out = packJson(json);
      expect(/[\u0100-\uffff]/.test(out), p.id).toBe(false);
      expect(JSON.parse(unpackJson(out)), p.id).toEqual(p.models);
      text += json.length;
      packed += out.length;
    }
    expect(packed).toBeLessThan(text * 0.4);
  });

  it('providers of the data and of a book share one accessor for what is unread (none of their own, which makes V8 keep each as a dictionary)', () => {
    const data = readPriceData({ doc: readSourceDoc(DATA_FILE), errors: [] }, 'bundled', true);
    const getters = (objects: object[], key: string) => new Set(objects.map((o) => Object.getOwnPropertyDescriptor(o, key)?.get));
    expect(data.providers.length).toBeGreaterThan(40);
    const dataGetters = getters(data.providers, 'models');
    expect(dataGetters.size).toBe(1);
    expect([...dataGetters][0]).toBeTypeOf('function');
    const state = stateFromData(data);
    const providers = [...state.providers.values()];
    for (const key of ['models', 'byId']) {
      const bookGetters = getters(providers, key);
      expect(bookGetters.size, key).toBe(1);
      expect([...bookGetters][0], key).toBeTypeOf('function');
    }
    // Reading one provider's models fills in that provider alone, with plain values.
    const openai = state.providers.get('openai');
    expect(openai?.models.length).toBeGreaterThan(50);
    expect(Object.getOwnPropertyDescriptor(openai as object, 'models')).toMatchObject({ writable: true });
    expect(Object.getOwnPropertyDescriptor(state.providers.get('anthropic') as object, 'models')?.get).toBeTypeOf('function');
  });

  it('a model whose name has a character outside Latin-1 keeps it in a book built from packed lists', () => {
    const problems: Problems = { doc: readSourceDoc(DATA_FILE), errors: [] };
    const book = buildBook(readPriceData(problems, 'bundled', true), []);
    const eager = buildBook(readPriceData({ doc: readSourceDoc(DATA_FILE), errors: [] }, 'bundled', false), []);
    const wide = eager.list().filter((m) => /[\u0100-\uffff]/.test(m.name ?? ''));
    expect(wide.length).toBeGreaterThan(0);
    for (const m of wide) expect(book.resolve(m.model, m.provider)).toEqual(eager.resolve(m.model, m.provider));
  });
});
