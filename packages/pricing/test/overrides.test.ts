import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPriceBookFromEnv } from '../src/default-book';
import { PriceBook } from '../src/price-book';
import { PriceFileError } from '../src/price-file-error';
import type { Cost, PricedCost } from '../src/types';
import { validatePriceFile } from '../src/validate-file';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-pricing-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function priced(cost: Cost): PricedCost {
  if (!cost.priced) throw new Error(`expected a priced cost, got ${cost.reason}: ${cost.detail}`);
  return cost;
}

function loadError(opts: Parameters<typeof PriceBook.load>[0]): PriceFileError {
  try {
    PriceBook.load(opts);
  } catch (err) {
    if (err instanceof PriceFileError) return err;
    throw err;
  }
  throw new Error('expected PriceBook.load to throw');
}

const OVERRIDES_YAML = `version: acme-2026-q4
models:
  - provider: self-hosted
    model: llama-3.1-70b-internal
    match: ["llama-3.1-70b-internal*", "internal/llama-70b"]
    prices:
      input: 0.2
      output: 0.6
      cache_read: 0.05
  - provider: openai
    model: gpt-4o
    prices:
      input: 2.0
  - provider: anthropic
    model: claude-sonnet-4-5
    service_tiers:
      priority:
        prices: { input: 4.5, output: 22.5 }
aliases:
  - alias: contoso-gpt4o-prod
    provider: azure.ai.openai
    model: gpt-4o-mini
discounts:
  - provider: anthropic
    model: "claude-*"
    multiplier: 0.8
    from: 2026-01-01
    until: 2027-01-01
`;

describe('user overrides', () => {
  const book = PriceBook.load({ overridesFile: file('overrides.yaml', OVERRIDES_YAML) });

  it('adds the override version to the price-book version', () => {
    expect(book.version).toBe(`${PriceBook.bundled().version}+overrides.acme-2026-q4`);
  });

  it('prices a custom self-hosted model by id and by its match globs, with or without the provider', () => {
    const usage = { inputTokens: 2_000_000, cacheReadTokens: 1_000_000, outputTokens: 1_000_000 };
    for (const model of ['llama-3.1-70b-internal', 'llama-3.1-70b-internal-v2', 'internal/llama-70b']) {
      const cost = priced(book.price(usage, { model }));
      expect(cost).toMatchObject({ provider: 'self-hosted', matchedModel: 'llama-3.1-70b-internal' });
      expect(cost.amount).toBeCloseTo(1 * 0.2 + 1 * 0.05 + 1 * 0.6, 12);
    }
    expect(book.resolve('llama-3.1-70b-internal', 'self-hosted')).toMatchObject({ source: 'overrides' });
  });

  it('replaces only the rates it lists and keeps the others', () => {
    const cost = priced(book.price({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4o' }));
    expect(cost.breakdown).toEqual({ input: 2.0, output: 10 });
  });

  it('maps an Azure deployment alias to its model and reports the alias match', () => {
    const cost = priced(book.price({ inputTokens: 1_000_000 }, { provider: 'azure.ai.openai', model: 'contoso-gpt4o-prod' }));
    expect(cost).toMatchObject({ matchedModel: 'gpt-4o-mini', amount: 0.15 });
    expect(book.resolve('contoso-gpt4o-prod', 'azure.ai.openai')).toMatchObject({
      matchedBy: 'alias',
      input: 'contoso-gpt4o-prod',
      model: 'gpt-4o-mini',
    });
    // The alias is scoped to Azure.
    expect(book.resolve('contoso-gpt4o-prod', 'openai')).toBeUndefined();
  });

  it('applies a negotiated discount only inside its effective dates', () => {
    // 100k tokens each way: $0.30 input + $1.50 output at list price.
    const usage = { inputTokens: 100_000, outputTokens: 100_000 };
    const opts = { provider: 'anthropic', model: 'claude-sonnet-4-5' };
    expect(priced(book.price(usage, { ...opts, at: new Date('2025-12-31T23:59:59Z') })).amount).toBeCloseTo(0.3 + 1.5, 12);
    expect(priced(book.price(usage, { ...opts, at: new Date('2026-01-01T00:00:00Z') })).amount).toBeCloseTo((0.3 + 1.5) * 0.8, 12);
    expect(priced(book.price(usage, { ...opts, at: new Date('2027-01-01T00:00:00Z') })).amount).toBeCloseTo(0.3 + 1.5, 12);
    // Other providers are untouched.
    expect(priced(book.price(usage, { provider: 'openai', model: 'gpt-4o-mini', at: new Date('2026-06-01') })).amount).toBeCloseTo(
      0.015 + 0.06,
      12,
    );
  });

  it('adds a service-tier rate a provider does not publish', () => {
    const cost = priced(
      book.price(
        { inputTokens: 100_000, outputTokens: 100_000 },
        { provider: 'anthropic', model: 'claude-sonnet-4-5', serviceTier: 'priority', at: new Date('2025-06-01') },
      ),
    );
    expect(cost).toMatchObject({ serviceTier: 'priority' });
    expect(cost.amount).toBeCloseTo(0.45 + 2.25, 12);
  });

  it('accepts the same overrides as JSON and as an inline object', () => {
    const json = file(
      'overrides.json',
      JSON.stringify({ models: [{ provider: 'openai', model: 'gpt-4o', prices: { input_mtok: 1.5, output_mtok: 6 } }] }, null, 2),
    );
    const fromJson = PriceBook.load({ overridesFile: json });
    expect(
      priced(fromJson.price({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4o' })).amount,
    ).toBeCloseTo(7.5, 12);
    const inline = PriceBook.load({ overrides: { discounts: [{ model: 'gpt-4o*', multiplier: 0.5 }] } });
    expect(priced(inline.price({ inputTokens: 1_000_000 }, { provider: 'openai', model: 'gpt-4o-mini' })).amount).toBeCloseTo(0.075, 12);
  });

  it('starts a replacement rate at its effective date', () => {
    const dated = PriceBook.load({
      overrides: { models: [{ provider: 'openai', model: 'gpt-4o-mini', from: '2026-07-01', prices: { input: 0.1 } }] },
    });
    const usage = { inputTokens: 1_000_000 };
    expect(priced(dated.price(usage, { provider: 'openai', model: 'gpt-4o-mini', at: new Date('2026-06-30') })).amount).toBeCloseTo(
      0.15,
      12,
    );
    expect(priced(dated.price(usage, { provider: 'openai', model: 'gpt-4o-mini', at: new Date('2026-07-01') })).amount).toBeCloseTo(
      0.1,
      12,
    );
  });

  it('limits replacement rates to [from, until) and keeps later dated prices', () => {
    // o3 list prices: $10 input until 2025-06-10, $2 from then on.
    const book = PriceBook.load({
      overrides: { models: [{ provider: 'openai', model: 'o3', from: '2025-05-01', until: '2025-05-15', prices: { input: 7 } }] },
    });
    const at = (d: string) => priced(book.price({ inputTokens: 1_000_000 }, { provider: 'openai', model: 'o3', at: new Date(d) })).amount;
    expect([at('2025-04-30'), at('2025-05-01'), at('2025-05-14'), at('2025-05-15'), at('2025-06-10')]).toEqual([10, 7, 7, 10, 2]);
    const open = PriceBook.load({ overrides: { models: [{ provider: 'openai', model: 'o3', from: '2025-05-01', prices: { input: 7 } }] } });
    // Without until the replacement also holds over the later list-price change.
    expect(priced(open.price({ inputTokens: 1_000_000 }, { provider: 'openai', model: 'o3', at: new Date('2025-07-01') })).amount).toBe(7);
  });

  it('does not price a custom model before its effective date', () => {
    const dated = PriceBook.load({
      overrides: { models: [{ provider: 'vllm', model: 'qwen-internal', from: '2026-03-01', prices: { input: 1, output: 1 } }] },
    });
    expect(dated.price({ inputTokens: 10 }, { model: 'qwen-internal', at: new Date('2026-02-01') })).toMatchObject({
      priced: false,
      reason: 'no_price_at_date',
    });
    expect(dated.price({ inputTokens: 10 }, { model: 'qwen-internal', at: new Date('2026-03-02') })).toMatchObject({ priced: true });
  });
});

describe('bad override files fail at load, naming file, line, field, value and what is accepted', () => {
  it('reports a negative rate', () => {
    const path = file(
      'bad-rate.yaml',
      'models:\n  - provider: self-hosted\n    model: m1\n    prices:\n      input: -3\n      output: 1\n',
    );
    const err = loadError({ overridesFile: path });
    expect(err).toMatchObject({ file: path, line: 5, field: 'models[0].prices.input', value: -3 });
    expect(err.accepted).toMatch(/^a number from 0 to 10000 \(USD per million tokens\)/);
    expect(err.message).toBe(`${path}:5: models[0].prices.input: -3 is not accepted; accepted: ${err.accepted}`);
  });

  it('reports an unknown price key with the keys accepted', () => {
    const path = file('bad-key.yaml', 'models:\n  - provider: self-hosted\n    model: m1\n    prices:\n      input: 1\n      ouput: 2\n');
    const err = loadError({ overridesFile: path });
    expect(err).toMatchObject({ line: 6, field: 'models[0].prices.ouput', value: 2 });
    expect(err.accepted).toContain('output');
    expect(err.message).toContain('unknown price key "ouput"');
  });

  it('reports a YAML syntax error with its line', () => {
    const path = file('bad-syntax.yaml', 'models:\n  - provider: a\n    model: [unclosed\n');
    const err = loadError({ overridesFile: path });
    expect(err.file).toBe(path);
    expect(err.line).toBeGreaterThanOrEqual(3);
    expect(err.accepted).toBe('valid YAML or JSON');
  });

  it('reports a JSON field with its line', () => {
    const path = file('bad.json', '{\n  "discounts": [\n    { "model": "gpt-4o*", "multiplier": "half" }\n  ]\n}\n');
    const err = loadError({ overridesFile: path });
    expect(err).toMatchObject({ line: 3, field: 'discounts[0].multiplier', value: 'half' });
    expect(err.accepted).toBe('a number above 0, at most 100 (1 = list price, 0.8 = 20% off)');
  });

  it('reports an alias whose model does not resolve', () => {
    const path = file('bad-alias.yaml', 'aliases:\n  - alias: prod\n    model: gpt-9-ultra\n');
    const err = loadError({ overridesFile: path });
    expect(err).toMatchObject({ line: 3, field: 'aliases[0].model', value: 'gpt-9-ultra' });
  });

  it('reports a patch of a model that is not in the book', () => {
    const path = file('bad-patch.yaml', 'models:\n  - provider: openai\n    model: gpt-17\n    match: gpt-17*\n');
    const err = loadError({ overridesFile: path });
    expect(err).toMatchObject({ line: 3, field: 'models[0].model', value: 'gpt-17' });
  });

  it('reports a missing file', () => {
    const err = loadError({ overridesFile: join(dir, 'missing.yaml') });
    expect(err.message).toContain('cannot be read (ENOENT)');
  });

  it('reports an invalid date with the format accepted', () => {
    const err = loadError({ overrides: { discounts: [{ multiplier: 0.9, from: '2026-13-01' }] } });
    expect(err).toMatchObject({ file: '(inline overrides)', line: undefined, field: 'discounts[0].from', value: '2026-13-01' });
    expect(err.accepted).toMatch(/YYYY-MM-DD/);
  });
});

describe('validatePriceFile', () => {
  it('returns every problem of a file, in line order', () => {
    const path = file(
      'many.yaml',
      'models:\n  - provider: self-hosted\n    model: m1\n    prices:\n      input: -1\n      output: x\nservice_tiers:\n  - provider: openai\n    tier: turbo\n    multiplier: 0.5\nextra: 1\n',
    );
    const result = validatePriceFile(path);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.line, e.field])).toEqual([
      [5, 'models[0].prices.input'],
      [6, 'models[0].prices.output'],
      [9, 'service_tiers[0].tier'],
      [11, 'extra'],
    ]);
  });

  it('accepts a good override file and summarises it', () => {
    const result = validatePriceFile(file('good.yaml', OVERRIDES_YAML));
    expect(result).toEqual({
      ok: true,
      kind: 'overrides',
      summary: 'overrides acme-2026-q4: 3 models, 1 alias, 1 discount, 0 service-tier rules',
      warnings: [],
    });
  });

  it('validates a price data file in the genai-prices format', () => {
    const good = file(
      'data.json',
      JSON.stringify([{ id: 'acme', name: 'Acme', models: [{ id: 'a1', match: { equals: 'a1' }, prices: { input_mtok: 1 } }] }]),
    );
    expect(validatePriceFile(good)).toMatchObject({ ok: true, kind: 'price_data' });
    const bad = file(
      'bad-data.json',
      JSON.stringify(
        [{ id: 'acme', name: 'Acme', models: [{ id: 'a1', match: { startswith: 'a' }, prices: { input_mtok: 1 } }] }],
        null,
        2,
      ),
    );
    const result = validatePriceFile(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ field: '[0].models[0].match', line: 8, value: { startswith: 'a' } });
  });
});

describe('price files and the environment', () => {
  const data = file(
    'prices.json',
    JSON.stringify([
      {
        id: 'acme',
        name: 'Acme AI',
        model_match: { starts_with: 'acme-' },
        models: [
          {
            id: 'acme-large',
            match: { starts_with: 'acme-large' },
            prices: [
              { prices: { input_mtok: 4, output_mtok: 8 } },
              { constraint: { start_date: '2026-09-01' }, prices: { input_mtok: 2, output_mtok: 4 } },
            ],
          },
        ],
      },
    ]),
  );

  it('loads a newer data file in place of the bundled snapshot', () => {
    const book = PriceBook.load({ pricesFile: data });
    expect(book.version).toMatch(/^genai-prices-data\+sha256\.[0-9a-f]{12}\+supplement\./);
    expect(priced(book.price({ inputTokens: 1_000_000 }, { model: 'acme-large-2', at: new Date('2026-08-31') })).amount).toBe(4);
    expect(priced(book.price({ inputTokens: 1_000_000 }, { model: 'acme-large-2', at: new Date('2026-09-01') })).amount).toBe(2);
    expect(book.resolve('gpt-4o')).toBeUndefined();
  });

  it('reads TOKENOMICS_PRICES_FILE and TOKENOMICS_PRICE_OVERRIDES', () => {
    const overrides = file('env-overrides.yaml', 'discounts:\n  - provider: acme\n    multiplier: 0.5\n');
    const book = loadPriceBookFromEnv({ TOKENOMICS_PRICES_FILE: data, TOKENOMICS_PRICE_OVERRIDES: overrides });
    expect(
      priced(book.price({ inputTokens: 1_000_000 }, { provider: 'acme', model: 'acme-large', at: new Date('2026-10-01') })).amount,
    ).toBe(1);
    expect(loadPriceBookFromEnv({})).toBe(PriceBook.bundled());
  });

  it('layers a user price file given as TOKENOMICS_PRICES_FILE over the bundled data', () => {
    const user = file(
      'user-prices.yaml',
      'models:\n  - provider: self-hosted\n    model: phi-internal\n    prices: { input: 0.01, output: 0.02 }\n',
    );
    const book = loadPriceBookFromEnv({ TOKENOMICS_PRICES_FILE: user });
    expect(book.version).toMatch(/\+prices\.[0-9a-f]{12}$/);
    expect(book.resolve('phi-internal')).toMatchObject({ provider: 'self-hosted', source: 'prices_file' });
    expect(book.resolve('gpt-4o')).toMatchObject({ provider: 'openai' });
  });

  it('fails at start-up on a bad file named in the environment', () => {
    const bad = file('env-bad.yaml', 'aliases:\n  - alias: x\n');
    expect(() => loadPriceBookFromEnv({ TOKENOMICS_PRICE_OVERRIDES: bad })).toThrow(`${bad}:2: aliases[0].model: is missing`);
  });
});
