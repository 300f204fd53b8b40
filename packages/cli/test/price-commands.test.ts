/**
 * The `price` and `prices` commands, run as a user runs them: `node packages/cli/dist/bin.js ...`
 * in a child process, asserting exact output and exit codes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const VERSION_RE = /^genai-prices@\d+\.\d+\.\d+\+supplement\.[\w.-]+$/;

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-cli-test-'));

beforeAll(() => {
  // Build the CLI and what it imports (incremental: quick when up to date).
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(ROOT, 'packages', 'cli')], {
      stdio: 'pipe',
    });
  } catch (err) {
    if (!existsSync(BIN)) throw err;
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tokenomics(args: string[], env: Record<string, string> = {}): Run {
  const clean = { ...process.env };
  delete clean.TOKENOMICS_PRICES_FILE;
  delete clean.TOKENOMICS_PRICE_OVERRIDES;
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...clean, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(run: Run): Record<string, unknown> {
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('tokenomics price', () => {
  it('prints the breakdown table with rates, the matched model and the price-book version', () => {
    const r = tokenomics([
      'price',
      'gpt-4o',
      '--provider',
      'openai',
      '--input',
      '1200',
      '--output',
      '300',
      '--cache-read',
      '1024',
      '--at',
      '2026-11-01',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'gpt-4o -> openai/gpt-4o (standard tier, 2026-11-01)',
      'unit        tokens  USD per 1M      USD',
      'input          176        2.50  0.00044',
      'cache_read   1,024        1.25  0.00128',
      'output         300       10.00  0.00300',
      'total        1,500              0.00472',
    ]);
    expect(lines[6]).toMatch(/^price book genai-prices@/);
    expect(r.stderr).toBe('');
  });

  it('prints JSON whose amount is the USD total, with breakdown and tokens per unit', () => {
    const r = tokenomics([
      'price',
      'claude-sonnet-4-20250514',
      '--provider',
      'anthropic',
      '--input',
      '250000',
      '--output',
      '4000',
      '--cache-read',
      '100000',
      '--cache-write',
      '20000',
      '--cache-write-1h',
      '10000',
      '--reasoning',
      '1000',
      '--web-search',
      '2',
      '--at',
      '2026-11-01',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = json(r);
    // Above 200k input tokens: $6 input, $0.60 cache read, $7.50 / $12 cache writes, $22.50 output; $10 per 1k searches.
    const expected = (120000 * 6 + 100000 * 0.6 + 20000 * 7.5 + 10000 * 12 + 3000 * 22.5 + 1000 * 22.5) / 1e6 + 0.02;
    expect(Math.abs((out.amount as number) - expected)).toBeLessThanOrEqual(1e-9);
    expect(out).toMatchObject({
      unpriced: false,
      currency: 'USD',
      provider: 'anthropic',
      matchedModel: 'claude-sonnet-4-0',
      serviceTier: 'standard',
      at: '2026-11-01',
      tokens: { input: 120000, cache_read: 100000, cache_write: 20000, cache_write_1h: 10000, output: 3000, reasoning: 1000, request: 2 },
      breakdown: {
        input: 0.72,
        cache_read: 0.06,
        cache_write: 0.15,
        cache_write_1h: 0.12,
        output: 0.0675,
        reasoning: 0.0225,
        request: 0.02,
      },
    });
    expect(out.priceBookVersion).toMatch(VERSION_RE);
  });

  it('applies the service tier and the date', () => {
    const batch = json(tokenomics(['price', 'gpt-4o', '--input', '1000000', '--output', '1000000', '--tier', 'batch', '--json']));
    expect(batch).toMatchObject({ amount: 1.25 + 5, serviceTier: 'batch', provider: 'openai' });
    const before = json(
      tokenomics(['price', 'o3', '--provider', 'openai', '--input', '1000000', '--output', '0', '--at', '2025-06-09', '--json']),
    );
    const after = json(
      tokenomics(['price', 'o3', '--provider', 'openai', '--input', '1000000', '--output', '0', '--at', '2025-06-10', '--json']),
    );
    expect([before.amount, after.amount]).toEqual([10, 2]);
  });

  it('says unpriced with a reason and exits 1 for an unknown model, never $0', () => {
    const r = tokenomics(['price', 'gpt-99-turbo', '--provider', 'openai', '--input', '10', '--output', '10', '--json']);
    expect(r.code).toBe(1);
    const out = json(r);
    expect(out).toMatchObject({ unpriced: true, reason: 'unknown_model', model: 'gpt-99-turbo', provider: 'openai' });
    expect(out.amount).toBeUndefined();
    const text = tokenomics(['price', 'gpt-99-turbo', '--input', '10', '--output', '10']);
    expect(text.code).toBe(1);
    expect(text.stdout.split('\n')[0]).toBe('gpt-99-turbo: unpriced (unknown_model): no price for model "gpt-99-turbo" under any provider');
  });

  it('exits 2 with a clear message on usage errors', () => {
    const cases: [string[], string][] = [
      [['price', '--input', '1', '--output', '1'], 'tokenomics price: missing MODEL'],
      [['price', 'gpt-4o', '--output', '1'], 'tokenomics price: missing --input N'],
      [
        ['price', 'gpt-4o', '--input', 'ten', '--output', '1'],
        'tokenomics price: --input must be a whole number of tokens (0 or more), got "ten"',
      ],
      [
        ['price', 'gpt-4o', '--input', '1', '--output', '1', '--tier', 'turbo'],
        'tokenomics price: --tier must be one of standard, batch, flex, priority, got "turbo"',
      ],
      [
        ['price', 'gpt-4o', '--input', '1', '--output', '1', '--at', '2026-02-30'],
        'tokenomics price: --at must be a date YYYY-MM-DD or an ISO 8601 timestamp, got "2026-02-30"',
      ],
      [['price', 'gpt-4o', '--input', '1', '--output', '1', '--colour'], 'tokenomics price: unknown option --colour'],
      [['price', 'gpt-4o', '--input'], 'tokenomics price: --input needs a value'],
      [['prices'], 'tokenomics prices: missing subcommand (list, check or diff)'],
      [['prices', 'show'], 'tokenomics prices: unknown subcommand "show" (accepted: list, check, diff)'],
      [['prices', 'check'], 'tokenomics prices: missing FILE'],
      [['prices', 'list', '--provider', 'nobody'], 'tokenomics prices: unknown provider "nobody"'],
      [['frobnicate'], 'tokenomics: unknown command "frobnicate"'],
    ];
    for (const [args, message] of cases) {
      const r = tokenomics(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0], args.join(' ')).toBe(message);
      expect(r.stdout).toBe('');
    }
  });

  it('uses override files from the environment and from --overrides', () => {
    const overrides = join(dir, 'overrides.yaml');
    writeFileSync(overrides, 'models:\n  - provider: self-hosted\n    model: llama-internal\n    prices: { input: 0.5, output: 1.5 }\n');
    const fromEnv = json(
      tokenomics(['price', 'llama-internal', '--input', '2000000', '--output', '1000000', '--json'], {
        TOKENOMICS_PRICE_OVERRIDES: overrides,
      }),
    );
    expect(fromEnv).toMatchObject({ amount: 2.5, provider: 'self-hosted', matchedModel: 'llama-internal' });
    expect(fromEnv.priceBookVersion).toMatch(/\+overrides\.[0-9a-f]{12}$/);
    const fromFlag = json(
      tokenomics(['price', 'llama-internal', '--input', '2000000', '--output', '1000000', '--json', '--overrides', overrides]),
    );
    expect(fromFlag.amount).toBe(2.5);
  });

  it('exits 1 naming file, line and field when a price file is bad', () => {
    const bad = join(dir, 'bad-env.yaml');
    writeFileSync(bad, 'discounts:\n  - multiplier: -1\n');
    const r = tokenomics(['price', 'gpt-4o', '--input', '1', '--output', '1'], { TOKENOMICS_PRICE_OVERRIDES: bad });
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe(
      `tokenomics price: ${bad}:2: discounts[0].multiplier: -1 is not accepted; accepted: a number above 0, at most 100 (1 = list price, 0.8 = 20% off)`,
    );
  });
});

describe('tokenomics prices', () => {
  it("lists a provider's models with their rates", () => {
    const r = tokenomics(['prices', 'list', '--provider', 'anthropic']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual([
      'provider',
      'model',
      'input',
      'output',
      'cache read',
      'cache write',
      'cache 1h',
      'long context',
      'tiers',
    ]);
    const sonnet45 = lines.find((l) => l.startsWith('anthropic  claude-sonnet-4-5 '));
    expect(sonnet45?.split(/\s+/)).toEqual(['anthropic', 'claude-sonnet-4-5', '3.00', '15.00', '0.30', '3.75', '6.00', '>200000', 'batch']);
    expect(lines.at(-1)).toMatch(/^\d+ models, USD per 1M tokens; price book genai-prices@/);
  });

  it('lists models as JSON', () => {
    const r = tokenomics(['prices', 'list', '--provider', 'openai', '--json']);
    expect(r.code).toBe(0);
    const out = json(r) as { priceBookVersion: string; models: { model: string; rates: Record<string, number>; serviceTiers: string[] }[] };
    expect(out.priceBookVersion).toMatch(VERSION_RE);
    expect(out.models.find((m) => m.model === 'gpt-4o')).toMatchObject({
      provider: 'openai',
      rates: { input: 2.5, cacheRead: 1.25, output: 10 },
      serviceTiers: ['standard', 'batch', 'priority'],
    });
  });

  it('checks a good override file and exits 0', () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'aliases:\n  - alias: prod-4o\n    provider: azure.ai.openai\n    model: gpt-4o\n');
    const r = tokenomics(['prices', 'check', good]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd()).toMatch(
      new RegExp(
        `^${good.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ok \\(overrides [0-9a-f]{12}: 0 models, 1 alias, 0 discounts, 0 service-tier rules\\)$`,
      ),
    );
  });

  it('checks a bad file, prints every problem with its line, and exits 1', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'models:\n  - provider: self-hosted\n    model: m\n    prices:\n      input: cheap\naliases:\n  - alias: a\n    model: no-such-model-anywhere\n',
    );
    const r = tokenomics(['prices', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `${bad}:5: models[0].prices.input: "cheap" is not accepted; accepted: a number from 0 to 10000 (USD per million tokens) or { base: number, tiers: [{ start: tokens, price: number }] }`,
      `${bad}:8: aliases[0].model: "no-such-model-anywhere" does not resolve to a model in the price book; accepted: a model the price book resolves (see \`tokenomics prices list\`) or a custom model defined under models`,
      `${bad}: 2 problems`,
    ]);
    const json2 = tokenomics(['prices', 'check', bad, '--json']);
    expect(json2.code).toBe(1);
    expect(json(json2)).toMatchObject({
      ok: false,
      errors: [
        { line: 5, field: 'models[0].prices.input', value: 'cheap' },
        { line: 8, field: 'aliases[0].model', value: 'no-such-model-anywhere' },
      ],
      warnings: [],
    });
  });

  it('checks a file with problems of every class, lists them all in line order with warnings marked, and exits 1', () => {
    const bad = join(dir, 'typos.yaml');
    writeFileSync(
      bad,
      'models:\n  - provider: openai\n    model: gpt-4o-mnii\n    prices: { input: 1e308 }\n  - provider: openai\n    model: gpt-4.2\n    prices: { input: 1, output: 2 }\ndiscounts:\n  - provider: antropic\n    multiplier: 0.8\n  - model: "cluade-*"\n    multiplier: 0.5\nextra: 1\n',
    );
    const r = tokenomics(['prices', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `${bad}:3: models[0].model: "gpt-4o-mnii" is not a model of provider "openai" in the price book (did you mean "gpt-4o-mini"?); accepted: the id of a listed model to change it, or new: true for a new model`,
      `${bad}:4: models[0].prices.input: 1e+308 is not accepted; accepted: a number from 0 to 10000 (USD per million tokens) or { base: number, tiers: [{ start: tokens, price: number }] }`,
      `warning: ${bad}:6: models[1].model: "gpt-4.2" is not in the price book and adds a new model next to "gpt-4.1" of provider "openai"; accepted: the id of a listed model to change it, or new: true for a new model`,
      `${bad}:9: discounts[0].provider: "antropic" is not a known provider (did you mean "anthropic"?); accepted: a provider in the price book (see \`tokenomics prices list\`) or defined under models`,
      `${bad}:11: discounts[1].model: "cluade-*" matches no model in the price book (did you mean "claude-*"?); accepted: a model id or glob matching a model in the price book (see \`tokenomics prices list\`)`,
      `${bad}:13: extra: unknown field "extra"; accepted: the fields version, models, aliases, service_tiers, derived_rates, discounts, description`,
      `${bad}: 5 problems, 1 warning`,
    ]);
    const asJson = json(tokenomics(['prices', 'check', bad, '--json']));
    expect(asJson).toMatchObject({ ok: false, warnings: [{ line: 6, field: 'models[1].model', value: 'gpt-4.2' }] });
    expect((asJson.errors as unknown[]).length).toBe(5);
  });

  it('passes a file whose only problem is a warning, printing it, and exits 0', () => {
    const warned = join(dir, 'warned.yaml');
    writeFileSync(warned, 'models:\n  - provider: openai\n    model: gpt-4.2\n    prices: { input: 1, output: 2 }\n');
    const r = tokenomics(['prices', 'check', warned]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^warning: .*:3: models\[0\]\.model: "gpt-4\.2" is not in the price book/);
    expect(lines[1]).toMatch(/: ok \(overrides [0-9a-f]{12}: 1 model, 0 aliases, 0 discounts, 0 service-tier rules\); 1 warning$/);
  });

  it('checks a missing file as a failed check', () => {
    const r = tokenomics(['prices', 'check', join(dir, 'nope.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cannot be read (ENOENT)');
  });
});

describe('tokenomics', () => {
  it('prints its usage with --help and exits 0', () => {
    const r = tokenomics(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Usage: tokenomics <command> [args]');
  });

  it('prints its usage to stderr and exits 2 without a command', () => {
    const r = tokenomics([]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('Usage: tokenomics <command> [args]');
  });
});
