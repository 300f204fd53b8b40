/**
 * `tokenomics prices diff`, run as a user runs it (`node packages/cli/dist/bin.js ...` in a child
 * process) against small hand-written tables in the two accepted shapes, with known
 * disagreements: exact output lines and exit codes. Expected amounts are worked out by hand:
 * the book's rates at 2026-11-01 against the table's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const VERSION = String.raw`genai-prices@\d+\.\d+\.\d+\+supplement\.[\w.-]+`;

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-diff-test-'));

beforeAll(() => {
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(ROOT, 'packages', 'cli')], {
      stdio: 'pipe',
    });
  } catch (err) {
    if (!existsSync(BIN)) throw err;
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tokenomics(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.TOKENOMICS_PRICES_FILE;
  delete env.TOKENOMICS_PRICE_OVERRIDES;
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

// Known disagreements, against the book at 2026-11-01:
// - deepseek-chat at its pre-September-2025 rates ($0.27 / $1.10 / $0.07 cached) vs the book's
//   V4 Flash rates ($0.14 / $0.28 / $0.0028): chat-1k 0.00042 vs 0.00137 (-69.3%), cached-100k
//   0.007 + 0.00014 + 0.00028 = 0.00742 vs 0.0135 + 0.0035 + 0.0011 = 0.0181 (-59.0%).
// - mistral-large-latest at Large 2 rates ($2 / $6) vs Large 3 ($0.50 / $1.50): 0.002 vs 0.008 (-75%).
// - grok-4-0709 without its above-128K tier: 250K input at $6 + 1K output at $30 = 1.53 vs
//   0.75 + 0.015 = 0.765 (+100%).
// - Titan Text Embeddings V2 priced as V1 ($0.10): 1M tokens 0.02 vs 0.10 (-80%).
// gpt-4o and Cohere Embed 3 agree; llama-9-fake-70b is not in the book.
const CSV = `# A second source, hand-written in the CSV shape: USD per million tokens.
provider,model,input_per_mtok,output_per_mtok,cached_input_per_mtok
openai,gpt-4o,2.50,10.00,1.25
deepseek,deepseek-chat,0.27,1.10,0.07
x_ai,grok-4-0709,3.00,15.00,0.75
mistral_ai,mistral-large-latest,2,6,
cohere,embed-english-v3.0,0.10,,
aws.bedrock,amazon.titan-embed-text-v2:0,0.10,,
groq,llama-9-fake-70b,1,1,
`;

const HEADER = 'provider     model                         workload        ours   theirs';

describe('tokenomics prices diff', () => {
  it('lists each disagreement with ours, theirs and the relative difference, and fails above the threshold', () => {
    const r = tokenomics(['prices', 'diff', file('table.csv', CSV), '--at', '2026-11-01', '--threshold', '70', '--missing']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 8)).toEqual([
      `${HEADER}                 difference`,
      'aws.bedrock  amazon.titan-embed-text-v2:0  embed-1m     0.02000  0.10000                     -80.0%',
      'deepseek     deepseek-chat                 chat-1k      0.00042  0.00137  -69.3% (within threshold)',
      'deepseek     deepseek-chat                 cached-100k  0.00742  0.01810  -59.0% (within threshold)',
      'mistral_ai   mistral-large-latest          chat-1k      0.00200  0.00800                     -75.0%',
      'x_ai         grok-4-0709                   long-250k    1.53000  0.76500                    +100.0%',
      'not in the price book:',
      '  groq llama-9-fake-70b',
    ]);
    expect(lines[8]).toMatch(
      new RegExp(
        `^table\\.csv \\(csv\\): compared 6 models \\(10 workload prices\\); 5 disagreements, 3 above 70%; 1 model not in the price book; price book ${VERSION}$`,
      ),
    );
    expect(lines).toHaveLength(9);
  });

  it('exits 0 when every difference is within the threshold', () => {
    const r = tokenomics(['prices', 'diff', 'table.csv', '--at', '2026-11-01', '--threshold', '150%']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('x_ai         grok-4-0709                   long-250k    1.53000  0.76500  +100.0% (within threshold)');
    expect(r.stdout).toMatch(/5 disagreements, 0 above 150%/);
  });

  it('reads the LiteLLM JSON shape: USD per token, provider-prefixed keys, above-128K tiers, embedding mode', () => {
    const table = {
      sample_spec: { max_tokens: 'LEGACY', input_cost_per_token: 0 },
      'xai/grok-4-0709': {
        litellm_provider: 'xai',
        mode: 'chat',
        max_input_tokens: 256000,
        input_cost_per_token: 3e-6,
        output_cost_per_token: 1.5e-5,
        cache_read_input_token_cost: 7.5e-7,
        input_cost_per_token_above_128k_tokens: 6e-6,
        output_cost_per_token_above_128k_tokens: 3e-5,
        cache_read_input_token_cost_above_128k_tokens: 1.5e-6,
      },
      'gpt-4o': {
        litellm_provider: 'openai',
        mode: 'chat',
        max_input_tokens: 128000,
        input_cost_per_token: 2.5e-6,
        output_cost_per_token: 1e-5,
        cache_read_input_token_cost: 1.25e-6,
      },
      // Priced as Titan V1 by this table: 1M tokens $0.10 vs the book's $0.02.
      'amazon.titan-embed-text-v2:0': {
        litellm_provider: 'bedrock',
        mode: 'embedding',
        input_cost_per_token: 1e-7,
        output_cost_per_token: 0,
      },
      'dall-e-3': { litellm_provider: 'openai', mode: 'image_generation', input_cost_per_pixel: 1e-8 },
    };
    const r = tokenomics(['prices', 'diff', file('litellm.json', JSON.stringify(table, null, 2)), '--at', '2026-11-01', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.table).toEqual({ file: 'litellm.json', format: 'litellm-json', models: 3, skipped: 1 });
    // Grok 4 agrees on chat-1k, cached-100k and long-250k (its tier is in both); gpt-4o on two.
    expect(out).toMatchObject({ compared: 3, comparisons: 6, missing: [] });
    expect(out.disagreements).toEqual([
      {
        provider: 'aws.bedrock',
        model: 'amazon.titan-embed-text-v2:0',
        matchedModel: 'amazon.titan-embed-text-v2:0',
        workload: 'embed-1m',
        ours: 0.02,
        theirs: 0.1,
        relative: -0.8,
        exceedsThreshold: true,
      },
    ]);
  });

  it('limits the comparison to one provider', () => {
    const r = tokenomics(['prices', 'diff', 'table.csv', '--at', '2026-11-01', '--provider', 'deepseek', '--threshold', '60']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(1, 3)).toEqual([
      'deepseek  deepseek-chat  chat-1k      0.00042  0.00137                     -69.3%',
      'deepseek  deepseek-chat  cached-100k  0.00742  0.01810  -59.0% (within threshold)',
    ]);
    expect(r.stdout).toMatch(/compared 1 model \(2 workload prices\); 2 disagreements, 1 above 60%; 0 models not in the price book/);
  });

  it('names the file and line of a malformed table and exits 2', () => {
    const bad = file('bad.csv', 'provider,model,input_per_mtok,output_per_mtok\nopenai,gpt-4o,lots,10\n');
    const r = tokenomics(['prices', 'diff', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'tokenomics prices diff: bad.csv:2: input_per_mtok: "lots" is not accepted; accepted: a number from 0 to 10000 (USD per million tokens), or empty',
    );
    expect(tokenomics(['prices', 'diff', file('noheader.csv', 'openai,gpt-4o,2.5,10\n')]).stderr).toContain(
      'noheader.csv:1: provider: the header has no column "provider"',
    );
  });

  it('rejects a missing table and a bad threshold as usage errors', () => {
    expect(tokenomics(['prices', 'diff']).code).toBe(2);
    const r = tokenomics(['prices', 'diff', 'table.csv', '--threshold', 'ten']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--threshold must be a percentage such as 5 or 0.5%, got "ten"');
  });
});
