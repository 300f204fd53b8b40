/**
 * The second-source check as a library: reading the two table shapes, and the comparison itself
 * (the other table is priced by the same engine, so a table equal to the book agrees with it).
 */
import { describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import { diffPriceBook } from '../src/price-diff';
import { parseReferenceTable } from '../src/reference-table';

const AT = new Date('2026-11-01T12:00:00Z');

describe('reference tables', () => {
  it('reads a CSV with quoted fields, comments, extra columns and an empty output for embeddings', () => {
    const table = parseReferenceTable(
      [
        '# USD per million tokens',
        'provider,model,input_per_mtok,output_per_mtok,cached_input_per_mtok,notes',
        'openai,gpt-4o,2.5,10,1.25,"flagship, multimodal"',
        'cohere,"embed-english-v3.0",0.1,,,"said ""embed 3"""',
        'groq,llama-3.1-8b-instant,,,,no price: skipped',
      ].join('\n'),
      'table.csv',
    );
    expect(table).toEqual({
      file: 'table.csv',
      format: 'csv',
      skipped: 1,
      entries: [
        { provider: 'openai', model: 'gpt-4o', input: 2.5, output: 10, cacheRead: 1.25, embedding: false },
        { provider: 'cohere', model: 'embed-english-v3.0', input: 0.1, embedding: true },
      ],
    });
  });

  it('reads the LiteLLM shape: per-token rates to per-million, provider prefixes removed, tiers above N thousand tokens', () => {
    const table = parseReferenceTable(
      JSON.stringify({
        'xai/grok-4-0709': {
          litellm_provider: 'xai',
          mode: 'chat',
          max_input_tokens: 256000,
          input_cost_per_token: 3e-6,
          output_cost_per_token: 1.5e-5,
          input_cost_per_token_above_128k_tokens: 6e-6,
          output_cost_per_token_above_128k_tokens: 3e-5,
        },
        'tts-1': { litellm_provider: 'openai', mode: 'audio_speech', input_cost_per_character: 1.5e-5 },
      }),
      'litellm.json',
    );
    expect(table.skipped).toBe(1);
    expect(table.entries).toEqual([
      {
        provider: 'x_ai',
        model: 'grok-4-0709',
        input: 3,
        output: 15,
        contextWindow: 256000,
        tiers: [{ above: 128000, input: 6, output: 30 }],
        embedding: false,
      },
    ]);
  });
});

describe('diffPriceBook', () => {
  it('finds no disagreement with a table made of the book own current rates', () => {
    const book = PriceBook.bundled();
    const rows = ['provider,model,input_per_mtok,output_per_mtok,cached_input_per_mtok'];
    for (const m of book.list('mistral_ai')) {
      // Flat current rates only: dated and long-context prices are the book's business.
      if (m.dated || m.longContext || m.rates.input === undefined || m.rates.output === undefined) continue;
      rows.push(`mistral_ai,${m.model},${m.rates.input},${m.rates.output},${m.rates.cacheRead ?? ''}`);
    }
    const diff = diffPriceBook(book, parseReferenceTable(rows.join('\n'), 'self.csv'), { at: AT });
    expect(diff.compared).toBeGreaterThan(10);
    expect(diff.disagreements).toEqual([]);
  });

  it('lists a model the book prices differently, with the relative difference to theirs', () => {
    const table = parseReferenceTable('provider,model,input_per_mtok,output_per_mtok\nmistral_ai,mistral-large-latest,2,6\n', 'stale.csv');
    const diff = diffPriceBook(PriceBook.bundled(), table, { at: AT });
    expect(diff).toEqual({
      compared: 1,
      comparisons: 1,
      missing: [],
      disagreements: [
        {
          provider: 'mistral_ai',
          model: 'mistral-large-latest',
          matchedModel: 'mistral-large-latest',
          workload: 'chat-1k',
          ours: 0.002,
          theirs: 0.008,
          relative: expect.closeTo(-0.75, 12) as number,
        },
      ],
    });
  });
});
