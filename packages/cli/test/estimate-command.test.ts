/**
 * `tokenomics estimate`, run as a user runs it (`node packages/cli/dist/bin.js estimate ...`), with
 * the request on standard input or in a file; exact counts and USD.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(resolve(__dirname, '..', '..', '..'), 'packages', 'cli', 'dist', 'bin.js');
const dir = mkdtempSync(join(tmpdir(), 'tokenomics-estimate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function estimate(args: string[], input?: string) {
  const env = { ...process.env };
  delete env.TOKENOMICS_PRICES_FILE;
  delete env.TOKENOMICS_PRICE_OVERRIDES;
  const r = spawnSync(process.execPath, [BIN, 'estimate', ...args], { encoding: 'utf8', input, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tokenomics estimate', () => {
  it('counts a chat request with OpenAI chat accounting and prices it with the expected output', () => {
    // "Hello, world!" is 4 tokens in o200k_base; a message adds 3 tokens plus 1 for the role
    // ("user"), and the reply is primed with 3: 11 input tokens. gpt-4o: $2.50 per million input
    // tokens, $10 per million output tokens (https://openai.com/api/pricing/).
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello, world!' }] });
    const r = estimate(['-', '--output', '100', '--json'], body);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      model: 'gpt-4o',
      provider: 'openai',
      inputTokens: 11,
      outputTokens: 100,
      exact: true,
      encoding: 'o200k_base',
      unpriced: false,
    });
    expect(out.amount).toBeCloseTo((11 * 2.5 + 100 * 10) / 1e6, 12);
  });

  it('counts plain text from a file for a non-OpenAI model and reports the count as approximate', () => {
    const file = join(dir, 'prompt.txt');
    writeFileSync(file, 'Hello, world!');
    const r = estimate([file, '--model', 'claude-sonnet-4-20250514', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // Claude's tokenizer is not public: tiktoken's o200k_base count (4) stands in, flagged.
    expect(out).toMatchObject({ inputTokens: 4, exact: false, provider: 'anthropic' });
    // claude-sonnet-4: $3 per million input tokens (https://www.anthropic.com/pricing#api).
    expect(out.amount).toBeCloseTo((4 * 3) / 1e6, 12);
  });

  it('flags an unknown model as unpriced with exit code 1, never $0', () => {
    const r = estimate(['-', '--model', 'my-private-model', '--json'], 'Hi there');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.unpriced).toBe(true);
    expect(out.reason).toBe('unknown_model');
    expect(out.amount).toBeUndefined();
  });

  it('asks for a model when neither --model nor the body names one (exit code 2)', () => {
    const r = estimate(['-'], 'no model here');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no model: pass --model M');
  });
});
