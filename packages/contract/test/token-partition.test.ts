import { describe, expect, it } from 'vitest';
import { partitionTokens, TOKEN_UNITS, tokenPartition, tokenTypeOfUnit, type TokenUnit } from '@tokenomics/contract';

function sum(parts: Partial<Record<TokenUnit, number>>, units: readonly TokenUnit[]): number {
  return units.reduce((n, u) => n + (parts[u] ?? 0), 0);
}

const INPUT_UNITS = TOKEN_UNITS.filter((u) => tokenTypeOfUnit(u) === 'input');
const OUTPUT_UNITS = TOKEN_UNITS.filter((u) => tokenTypeOfUnit(u) === 'output');

describe('token partition', () => {
  it('gives image input tokens their own unit instead of leaving them in input', () => {
    // Gemini-style usage: 1290 prompt tokens of which 1032 are one image's tiles.
    expect(tokenPartition({ inputTokens: 1290, inputImageTokens: 1032, outputTokens: 12 })).toEqual({
      input: 258,
      input_image: 1032,
      output: 12,
    });
  });

  it('gives image output tokens their own unit instead of leaving them in output', () => {
    expect(tokenPartition({ inputTokens: 20, outputTokens: 1300, outputImageTokens: 1290 })).toEqual({
      input: 20,
      output: 10,
      output_image: 1290,
    });
  });

  it('splits audio input and output tokens out of their totals', () => {
    expect(tokenPartition({ inputTokens: 700, inputAudioTokens: 640, outputTokens: 500, outputAudioTokens: 430 })).toEqual({
      input: 60,
      input_audio: 640,
      output: 70,
      output_audio: 430,
    });
  });

  it('counts cache read and both cache write lifetimes once, outside uncached input', () => {
    expect(
      tokenPartition({ inputTokens: 12_000, cacheReadTokens: 8000, cacheWriteTokens: 2500, cacheWrite1hTokens: 1000, outputTokens: 300 }),
    ).toEqual({ input: 500, cache_read: 8000, cache_write: 2500, cache_write_1h: 1000, output: 300 });
  });

  it('counts reasoning tokens once, outside visible output', () => {
    expect(tokenPartition({ inputTokens: 40, outputTokens: 1200, reasoningTokens: 1024 })).toEqual({
      input: 40,
      output: 176,
      reasoning: 1024,
    });
  });

  it('sums every unit back to the semconv totals when all subsets are present', () => {
    const usage = {
      inputTokens: 10_000,
      cacheReadTokens: 4000,
      cacheWriteTokens: 1000,
      cacheWrite1hTokens: 500,
      inputAudioTokens: 300,
      inputImageTokens: 1200,
      outputTokens: 2000,
      reasoningTokens: 800,
      outputAudioTokens: 150,
      outputImageTokens: 600,
    };
    const parts = tokenPartition(usage);
    expect(parts.input).toBe(3000);
    expect(parts.output).toBe(450);
    expect(sum(parts, INPUT_UNITS)).toBe(10_000);
    expect(sum(parts, OUTPUT_UNITS)).toBe(2000);
  });

  it('takes a missing total as the sum of its subsets', () => {
    expect(tokenPartition({ cacheReadTokens: 50, inputImageTokens: 20, reasoningTokens: 7 })).toEqual({
      cache_read: 50,
      input_image: 20,
      reasoning: 7,
    });
  });

  it('never yields a negative count and ignores counts that are not finite non-negative numbers', () => {
    expect(tokenPartition({ inputTokens: 10, cacheReadTokens: 25, outputTokens: -4, reasoningTokens: Number.NaN })).toEqual({
      cache_read: 25,
    });
    expect(tokenPartition({ inputTokens: Number.POSITIVE_INFINITY, outputTokens: 3 })).toEqual({ output: 3 });
  });

  it('overwrites every unit of a reused output array', () => {
    const scratch = partitionTokens({ inputTokens: 7, inputImageTokens: 2, outputTokens: 3, outputImageTokens: 1 });
    expect(Array.from(partitionTokens({ inputTokens: 4 }, scratch))).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('puts every unit on the input or output side of gen_ai.token.type', () => {
    expect(INPUT_UNITS).toEqual(['input', 'cache_read', 'cache_write', 'cache_write_1h', 'input_audio', 'input_image']);
    expect(OUTPUT_UNITS).toEqual(['output', 'reasoning', 'output_audio', 'output_image']);
  });
});
