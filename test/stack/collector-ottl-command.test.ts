/**
 * `tokenomics collector ottl` as a user runs it: the model list, a price file with negotiated rates,
 * a model of the user's own and an alias, and bad input. The statements it writes are run on a real
 * Collector in collector-ottl.test.ts; here the command's choices are checked on its output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runOttlCommand } from '../../packages/collector/src/index';

let dir: string;
let prices: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tokenomics-ottl-command-'));
  prices = join(dir, 'prices.yaml');
  writeFileSync(
    prices,
    [
      'version: acme-2026-q4',
      'models:',
      '  - provider: self-hosted',
      '    model: bike-llm-7b',
      '    prices: { input: 0.20, output: 0.60 }',
      '  - provider: openai',
      '    model: gpt-4o',
      '    prices: { input: 2.00, output: 8.00 }',
      'aliases:',
      '  - alias: contoso-gpt4o-prod',
      '    provider: azure.ai.openai',
      '    model: gpt-4o-2024-11-20',
      '',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runOttlCommand(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The statement that sets the rates table of one provider, parsed loosely for one model's rate. */
function rate(statements: string[], provider: string, model: string, unit: string): number | undefined {
  const table = statements.find((s) => s.startsWith('set(cache["rates"]') && s.includes(`cache["p"] == "${provider}"`));
  const entry = table === undefined ? undefined : new RegExp(`"${model}": \\{[^}]*"${unit}": ([0-9.e+-]+)`).exec(table);
  return entry === null || entry === undefined ? undefined : Number(entry[1]);
}

describe('tokenomics collector ottl', () => {
  it('writes one transform processor with the price-book version and only the models asked for', () => {
    const r = run(['--models', 'gpt-4o-mini']);
    expect(r.code, r.err).toBe(0);
    const doc = parse(r.out);
    const processor = doc.processors['transform/tokenomics'];
    expect(processor.error_mode).toBe('ignore');
    const statements: string[] = processor.trace_statements[0].statements;
    expect(rate(statements, 'openai', 'gpt-4o-mini', 'input')).toBeCloseTo(0.15e-6, 18);
    expect(rate(statements, 'openai', 'gpt-4o', 'input')).toBeUndefined();
    expect(statements.some((s) => /tokenomics\.price_book\.version"\], "genai-prices@/.test(s))).toBe(true);
  });

  it("prices with the user's price file: negotiated rates, a model of their own, aliases left to the stage", () => {
    const r = run(['--models', 'gpt-4o,bike-llm-7b', '--prices', prices]);
    expect(r.code, r.err).toBe(0);
    const statements: string[] = parse(r.out).processors['transform/tokenomics'].trace_statements[0].statements;
    expect(rate(statements, 'openai', 'gpt-4o', 'input')).toBeCloseTo(2e-6, 18);
    expect(rate(statements, 'openai', 'gpt-4o', 'output')).toBeCloseTo(8e-6, 18);
    expect(rate(statements, 'self-hosted', 'bike-llm-7b', 'output')).toBeCloseTo(0.6e-6, 18);
    expect(statements.some((s) => /price_book\.version"\], "genai-prices@[^"]*acme-2026-q4"/.test(s))).toBe(true);
    // An alias names a deployment, not a model: a call naming it is left to the stage.
    const alias = statements.find((s) => s.includes('contoso\\\\-gpt4o\\\\-prod'));
    expect(alias).toMatch(/^set\(cache\["why"\], "unknown_model"\)/);
  });

  it('names the models the price book does not have, and exits 1', () => {
    const r = run(['--models', 'gpt-4o,gpt-9-ultra']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('gpt-9-ultra');
    expect(r.err).not.toContain('gpt-4o,');
  });

  it('rejects an unknown option with the usage, and a price file that does not load with its reason', () => {
    const bad = run(['--model', 'gpt-4o']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown option --model');
    const missing = run(['--prices', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope.yaml');
  });

  it('writes the same file twice for the same price book (a checked-in file can be compared)', () => {
    expect(run(['--models', 'claude-sonnet-4-5']).out).toBe(run(['--models', 'claude-sonnet-4-5']).out);
  });
});
