import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import { PriceFileError } from '../src/price-file-error';
import type { Cost, PricedCost } from '../src/types';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-gpu-hour-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function priced(cost: Cost): PricedCost {
  if (!cost.priced) throw new Error(`expected a priced cost, got ${cost.reason}: ${cost.detail}`);
  return cost;
}

function loadError(overrides: object): PriceFileError {
  try {
    PriceBook.load({ overrides });
  } catch (err) {
    if (err instanceof PriceFileError) return err;
    throw err;
  }
  throw new Error('expected the overrides to be rejected');
}

// A GPU hour at $3.60 that processes 1,000 prompt tokens or generates 50 tokens per second:
// input 3.60 / (3600 * 1000) per token = $1 per million, output 3.60 / (3600 * 50) = $20 per million.
const LLAMA_ON_A_GPU = {
  models: [
    {
      provider: 'ollama',
      model: 'llama3.1:70b',
      prices: { gpu_hour: { usd_per_hour: 3.6, input_tokens_per_second: 1000, output_tokens_per_second: 50 } },
    },
  ],
};

describe('prices per GPU hour for self-hosted models', () => {
  it('converts a GPU-hour price and its stated throughput into exact token rates', () => {
    const book = PriceBook.load({ overrides: LLAMA_ON_A_GPU });
    const cost = priced(book.price({ inputTokens: 2_000, outputTokens: 500 }, { provider: 'ollama', model: 'llama3.1:70b' }));
    // 2,000 prompt tokens take 2 s, 500 generated tokens take 10 s: 12 s of a $3.60 hour = $0.012.
    expect(cost.breakdown.input).toBeCloseTo(0.002, 15);
    expect(cost.breakdown.output).toBeCloseTo(0.01, 15);
    expect(cost.amount).toBeCloseTo(0.012, 15);
    expect(book.list('ollama')[0].rates).toMatchObject({ input: 1, output: 20 });
  });

  it('reads the GPU-hour form from a YAML override file', () => {
    const path = join(dir, 'gpu.yaml');
    writeFileSync(
      path,
      [
        'models:',
        '  - provider: ollama',
        '    model: qwen2.5-coder:7b',
        '    prices:',
        '      gpu_hour: { usd_per_hour: 0.72, input_tokens_per_second: 4000, output_tokens_per_second: 100 }',
        '',
      ].join('\n'),
    );
    const book = PriceBook.load({ overridesFile: path });
    // 0.72 / (3600 * 4000) * 1e6 = $0.05 per million input; 0.72 / (3600 * 100) * 1e6 = $2 per million output.
    const cost = priced(book.price({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, { provider: 'ollama', model: 'qwen2.5-coder:7b' }));
    expect(cost.amount).toBeCloseTo(2.05, 12);
  });

  it('leaves a local model without a rate unpriced, never at $0', () => {
    const book = PriceBook.load({ overrides: LLAMA_ON_A_GPU });
    const cost = book.price({ inputTokens: 100, outputTokens: 10 }, { provider: 'ollama', model: 'llama3.2' });
    expect(cost.priced).toBe(false);
    expect(cost.amount).toBeUndefined();
    expect(cost.priced ? undefined : cost.reason).toBe('unknown_model');
  });

  it('rejects a GPU-hour price without a throughput, naming the field and what is accepted', () => {
    const err = loadError({
      models: [{ provider: 'ollama', model: 'm1', prices: { gpu_hour: { usd_per_hour: 2, output_tokens_per_second: 40 } } }],
    });
    expect(err.field).toBe('models[0].prices.gpu_hour.input_tokens_per_second');
    expect(err.accepted).toContain('tokens per second');
  });

  it('rejects a zero throughput, which would make tokens free of GPU time', () => {
    const err = loadError({
      models: [
        {
          provider: 'ollama',
          model: 'm1',
          prices: { gpu_hour: { usd_per_hour: 2, input_tokens_per_second: 1000, output_tokens_per_second: 0 } },
        },
      ],
    });
    expect(err.field).toBe('models[0].prices.gpu_hour.output_tokens_per_second');
  });

  it('rejects an output rate given both per token and by GPU hour', () => {
    const err = loadError({
      models: [
        {
          provider: 'ollama',
          model: 'm1',
          prices: { output: 5, gpu_hour: { usd_per_hour: 2, input_tokens_per_second: 1000, output_tokens_per_second: 40 } },
        },
      ],
    });
    expect(err.field).toBe('models[0].prices.output');
    expect(err.message).toContain('also given by gpu_hour');
  });

  it('rejects unknown fields in a GPU-hour price', () => {
    const err = loadError({
      models: [
        { provider: 'ollama', model: 'm1', prices: { gpu_hour: { usd: 2, input_tokens_per_second: 1000, output_tokens_per_second: 40 } } },
      ],
    });
    expect(err.field).toBe('models[0].prices.gpu_hour.usd');
  });
});
