/**
 * Bad price and override files never get through: sizes, YAML aliases, rate and multiplier ranges,
 * empty files and built-in property names are rejected with one line naming file, line, field and
 * value, and what is accepted.
 */
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import { PriceFileError } from '../src/price-file-error';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-price-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
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

const ACCEPT_RATE = 'a number from 0 to 10000 (USD per million tokens) or { base: number, tiers: [{ start: tokens, price: number }] }';
const ACCEPT_MULTIPLIER = 'a number above 0, at most 100 (1 = list price, 0.8 = 20% off)';
const ACCEPT_FILE = 'a YAML (at most 512 KiB) or JSON (at most 4 MiB) price or override file';

describe('rates and multipliers must be finite and within range', () => {
  it('rejects a rate of 1e308 instead of pricing calls at Infinity', () => {
    const path = file(
      'huge-rate.yaml',
      'models:\n  - provider: self-hosted\n    model: m1\n    prices:\n      input: 1e308\n      output: 1\n',
    );
    const err = loadError({ overridesFile: path });
    expect(err).toMatchObject({ file: path, line: 5, field: 'models[0].prices.input', value: 1e308 });
    expect(err.message).toBe(`${path}:5: models[0].prices.input: 1e+308 is not accepted; accepted: ${ACCEPT_RATE}`);
  });

  it('rejects a multiplier of 1e308 on a discount', () => {
    const path = file('huge-multiplier.yaml', 'discounts:\n  - provider: openai\n    model: "gpt-4o*"\n    multiplier: 1e308\n');
    expect(loadError({ overridesFile: path }).message).toBe(
      `${path}:4: discounts[0].multiplier: 1e+308 is not accepted; accepted: ${ACCEPT_MULTIPLIER}`,
    );
  });

  it('rejects an infinite service-tier multiplier and shows it as Infinity, not null', () => {
    const path = file('inf-tier.yaml', 'service_tiers:\n  - provider: openai\n    tier: flex\n    multiplier: .inf\n');
    expect(loadError({ overridesFile: path }).message).toBe(
      `${path}:4: service_tiers[0].multiplier: Infinity is not accepted; accepted: ${ACCEPT_MULTIPLIER}`,
    );
  });

  it('rejects a context-length tier price above the ceiling in a price data file', () => {
    const data = [
      {
        id: 'acme',
        name: 'Acme',
        models: [
          { id: 'a1', match: { equals: 'a1' }, prices: { input_mtok: { base: 1, tiers: [{ start: 1000, price: 1e12 }] }, output_mtok: 2 } },
        ],
      },
    ];
    const path = file('tier-price.json', JSON.stringify(data, null, 2));
    const err = loadError({ pricesFile: path });
    expect(err).toMatchObject({ field: '[0].models[0].prices.input_mtok.tiers[0].price', value: 1e12, line: 17 });
    expect(err.message).toBe(
      `${path}:17: [0].models[0].prices.input_mtok.tiers[0].price: 1000000000000 is not accepted; accepted: a number from 0 to 10000 (USD per million tokens)`,
    );
  });

  it('rejects a per-call fee above the ceiling', () => {
    const path = file('fee.yaml', 'models:\n  - provider: self-hosted\n    model: m1\n    prices: { input: 1, request: 5000 }\n');
    expect(loadError({ overridesFile: path }).message).toBe(
      `${path}:4: models[0].prices.request: 5000 is not accepted; accepted: a number from 0 to 1000 (USD) per call`,
    );
  });

  it('still accepts the dearest listed rates and a 1.8x priority multiplier', () => {
    const path = file(
      'dear.yaml',
      'models:\n  - provider: openai\n    model: gpt-4o\n    prices: { input: 600, output: 10000 }\n    service_tiers:\n      priority: { multiplier: 1.8 }\n',
    );
    const book = PriceBook.load({ overridesFile: path });
    const cost = book.price(
      { inputTokens: 1_000_000, outputTokens: 1_000_000 },
      { provider: 'openai', model: 'gpt-4o', serviceTier: 'priority' },
    );
    expect(cost).toMatchObject({ priced: true, amount: 10_600 * 1.8 });
  });
});

describe('files are bounded and never empty', () => {
  it('rejects a 100 MB file from its size, before reading it', () => {
    const path = join(dir, 'huge.yaml');
    closeSync(openSync(path, 'w'));
    truncateSync(path, 100 * 1024 * 1024); // sparse: nothing is written, and nothing may be read
    expect(loadError({ overridesFile: path }).message).toBe(
      `${path}: (document): is too large (104857600 bytes); accepted: ${ACCEPT_FILE}`,
    );
  });

  it('rejects a directory (not a regular file) without reading it', () => {
    expect(loadError({ overridesFile: dir }).message).toBe(`${dir}: (document): is not a regular file; accepted: ${ACCEPT_FILE}`);
  });

  it('rejects a YAML file over 512 KiB, which would be slow to parse', () => {
    const path = file('big.yaml', `# ${'x'.repeat(512 * 1024)}\nversion: a\n`);
    expect(loadError({ overridesFile: path }).message).toBe(
      `${path}: (document): is too large for YAML (524302 bytes); accepted: ${ACCEPT_FILE}`,
    );
  });

  it('rejects an empty file, a file of comments and a JSON null', () => {
    const empty = file('empty.yaml', '');
    const blank = file('blank.yaml', '  \n\n');
    const comments = file('comments.yaml', '# prices go here\n');
    const nullJson = file('null.json', 'null\n');
    expect(loadError({ overridesFile: empty }).message).toBe(`${empty}: (document): is empty; accepted: ${ACCEPT_FILE}`);
    expect(loadError({ overridesFile: blank }).message).toBe(`${blank}: (document): is empty; accepted: ${ACCEPT_FILE}`);
    expect(loadError({ pricesFile: comments }).message).toBe(
      `${comments}: (document): is empty (no YAML or JSON value); accepted: ${ACCEPT_FILE}`,
    );
    expect(loadError({ overridesFile: nullJson }).message).toBe(`${nullJson}:1: (document): is empty (null); accepted: ${ACCEPT_FILE}`);
  });

  it('rejects deeply nested JSON and YAML with one line instead of exhausting the stack', () => {
    const json = file('deep.json', `{"models":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const flow = file('deep-flow.yaml', `version: a\nmodels: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    const dashes = file('deep-dashes.yaml', `${'- '.repeat(100_000)}x\n`);
    const accepted = 'accepted: a document nested at most 64 levels deep';
    expect(loadError({ pricesFile: json }).message).toBe(
      `${json}:1: (document): nests lists and objects more than 64 levels deep; ${accepted}`,
    );
    expect(loadError({ overridesFile: flow }).message).toBe(
      `${flow}:2: (document): nests lists and objects more than 64 levels deep; ${accepted}`,
    );
    const err = loadError({ overridesFile: dashes });
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toMatch(
      new RegExp(`^${dashes}(:\\d+)?: \\(document\\): is not valid YAML or JSON \\(.+\\); accepted: valid YAML or JSON$`),
    );
  });

  it('ignores brackets inside quoted strings and comments when measuring depth', () => {
    const brackets = '['.repeat(80);
    const path = file(
      'brackets.yaml',
      `models:\n  - provider: self-hosted\n    model: m1\n    notes: "${brackets}"\n    # ${brackets}\n    name: '${brackets}'\n    prices: { input: 1 }\n`,
    );
    expect(PriceBook.load({ overridesFile: path }).resolve('m1', 'self-hosted')).toMatchObject({ model: 'm1', name: brackets });
  });

  it('warns about an override file with no entries, which changes nothing', () => {
    const path = file('placeholder.yaml', 'version: q1\n# entries to come\n');
    const warnings: PriceFileError[] = [];
    expect(PriceBook.load({ overridesFile: path, onWarning: (w) => warnings.push(w) }).version).toBe(
      `${PriceBook.bundled().version}+overrides.q1`,
    );
    expect(warnings.map((w) => w.message)).toEqual([
      `${path}:1: (document): {"version":"q1"} has no entries and changes nothing; accepted: an override document with entries under any of: models, aliases, service_tiers, derived_rates, discounts`,
    ]);
  });

  it('rejects a YAML alias bomb with a one-line error instead of a stack trace', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const path = file('bomb.yaml', `${lines.join('\n')}\n`);
    const err = loadError({ overridesFile: path });
    expect(err.message).toBe(
      `${path}:2: (document): expands too many YAML aliases; accepted: a YAML document using each anchor (&name) through aliases (*name) at most 100 times, aliases nested in it counted`,
    );
  });
});

describe('names in files are own keys and messages stay on one line', () => {
  it('rejects a price key named constructor as an unknown price key', () => {
    const path = file(
      'ctor.yaml',
      'models:\n  - provider: self-hosted\n    model: m1\n    prices:\n      constructor: 1\n      output: 1\n',
    );
    const err = loadError({ overridesFile: path });
    expect(err).toMatchObject({ line: 5, field: 'models[0].prices.constructor', value: 1 });
    expect(err.message).toMatch(
      new RegExp(`^${path}:5: models\\[0\\]\\.prices\\.constructor: unknown price key "constructor"; accepted: price keys: input, `),
    );
  });

  it('rejects an upstream key named __proto__ in a price data file', () => {
    const path = file(
      'proto.json',
      '[{"id":"acme","models":[{"id":"a1","match":{"equals":"a1"},"prices":{"input_mtok":1,"__proto__":{"x":1}}}]}]',
    );
    const book = PriceBook.load({ pricesFile: path });
    expect(book.price({ inputTokens: 1_000_000 }, { provider: 'acme', model: 'a1' })).toMatchObject({ priced: true, amount: 1 });
  });

  it('escapes a line break in a field name so the message is one line', () => {
    const path = file('newline.yaml', 'models:\n  - provider: self-hosted\n    model: m1\n    "evil\\nkey": 1\n    prices: { input: 1 }\n');
    const err = loadError({ overridesFile: path });
    expect(err.message.split('\n')).toHaveLength(1);
    expect(err.message).toBe(
      `${path}:4: models[0].evil\\nkey: unknown field "evil\\nkey"; accepted: the fields provider, model, new, name, match, context_window, from, until, exclude, time_of_day, time_of_day_from, time_of_day_until, prices, service_tiers, source, notes`,
    );
  });
});
