import { describe, expect, it } from 'vitest';
import { countTokens, tokenPieces } from '../src/index';

// Expected counts were derived once with tiktoken directly:
//   require('tiktoken').get_encoding(name).encode(text).length
describe('countTokens', () => {
  it('counts "Hello, world!" as 4 tokens in o200k_base', () => {
    expect(countTokens('Hello, world!', 'gpt-4o')).toEqual({ tokens: 4, exact: true, encoding: 'o200k_base' });
  });

  it('counts in the model encoding, which differs for non-ASCII text', () => {
    // 'Grüße aus München — 東京へようこそ!': o200k_base 12, cl100k_base 16, p50k_base 24.
    const text = 'Grüße aus München — 東京へようこそ!';
    expect(countTokens(text, 'gpt-4o-mini').tokens).toBe(12);
    expect(countTokens(text, 'gpt-4-turbo')).toEqual({ tokens: 16, exact: true, encoding: 'cl100k_base' });
    expect(countTokens(text, 'text-davinci-003')).toEqual({ tokens: 24, exact: true, encoding: 'p50k_base' });
  });

  it('counts whitespace and code the way the encoding splits it', () => {
    // '    indented code\n\tfoo(bar)': o200k_base 9, p50k_base 10.
    expect(countTokens('    indented code\n\tfoo(bar)', 'gpt-5').tokens).toBe(9);
    expect(countTokens('    indented code\n\tfoo(bar)', 'code-davinci-002').tokens).toBe(10);
  });

  it('uses o200k_base without a model and reports the count exact', () => {
    expect(countTokens('antidisestablishmentarianism')).toEqual({ tokens: 6, exact: true, encoding: 'o200k_base' });
  });

  it('flags counts for non-OpenAI models as inexact', () => {
    expect(countTokens('Hello, world!', 'claude-3-5-haiku-20241022')).toEqual({ tokens: 4, exact: false, encoding: 'o200k_base' });
    expect(countTokens('Hello, world!', 'gemini-2.5-flash').exact).toBe(false);
  });

  it('counts special-token text as ordinary text instead of throwing', () => {
    // '<|endoftext|>' as ordinary text: '<', '|', 'endo', 'ft', 'ext', '|', '>' = 7 tokens.
    expect(countTokens('<|endoftext|>', 'gpt-4o').tokens).toBe(7);
  });

  it('counts the empty string as 0 tokens', () => {
    expect(countTokens('', 'gpt-4o').tokens).toBe(0);
  });

  it('rejects a non-string text with a message naming the argument', () => {
    expect(() => countTokens(42 as unknown as string)).toThrow(/text must be a string, got number 42/);
  });
});

describe('tokenPieces', () => {
  it('splits ASCII text into one string per token that join back to the text', () => {
    expect(tokenPieces('Hello, world!', 'gpt-4o')).toEqual(['Hello', ',', ' world', '!']);
  });

  it('keeps multi-byte characters whole when a token ends inside one', () => {
    const text = 'Grüße 東京 🎉';
    const pieces = tokenPieces(text, 'gpt-4');
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece).not.toContain('\uFFFD');
  });
});
