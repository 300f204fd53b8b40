import { describe, expect, it } from 'vitest';
import { countTokens, loadedEncodings } from '../src/index';
import { getEncoder } from '../src/encoder-cache';

// This file runs in its own worker, so it sees the module state from a fresh import.
describe('lazy encoder loading', () => {
  it('loads no encoding until a count is asked for, then only the one asked for', () => {
    expect(loadedEncodings()).toEqual([]);
    countTokens('Hello, world!', 'gpt-4');
    expect(loadedEncodings()).toEqual(['cl100k_base']);
    countTokens('Hello, world!', 'gpt-4o');
    expect(loadedEncodings()).toEqual(['cl100k_base', 'o200k_base']);
  });

  it('reuses the cached encoder on later calls instead of creating a new one', () => {
    const first = getEncoder('o200k_base');
    countTokens('another call', 'gpt-4o-mini');
    expect(getEncoder('o200k_base')).toBe(first);
    // The cached encoder still works after many calls: it is never freed per call.
    for (let i = 0; i < 50; i += 1) countTokens(`call ${i}`, 'gpt-4o');
    expect(first.encode_ordinary('Hello, world!').length).toBe(4);
  });
});
