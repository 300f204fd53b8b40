/** "Did you mean" suggestions: edit distance with swaps, capped, and the nearest listed name. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differOnlyInNumbering, editDistance, nearest, nearestGlob } from '../src/near-names';

/** Optimal string alignment distance, computed in full. */
function fullDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

describe('editDistance', () => {
  it('equals the full computation up to the cap, and cap + 1 beyond it', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-', '4'), maxLength: 90 });
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 3 }), (a, b, cap) => {
        expect(editDistance(a, b, cap)).toBe(Math.min(fullDistance(a, b), cap + 1));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts a swap of two neighbouring characters as one edit', () => {
    expect(editDistance('gpt-4o-mnii', 'gpt-4o-mini', 2)).toBe(1);
    expect(editDistance('cluade', 'claude', 2)).toBe(1);
  });
});

describe('suggestions', () => {
  it('suggests the nearest name within two edits, and nothing for names far from all', () => {
    expect(nearest('antropic', ['openai', 'anthropic', 'azure'])).toBe('anthropic');
    expect(nearest('self-hosted', ['openai', 'anthropic', 'azure'])).toBeUndefined();
    expect(nearest('groq', ['groq'])).toBeUndefined(); // equal is not a suggestion
    expect(nearest('xai', ['x-ai', 'openai'])).toBe('x-ai');
  });

  it('suggests a glob by its literal head', () => {
    expect(nearestGlob('cluade-*', ['claude-3-5-sonnet', 'claude-opus-4'])).toBe('claude-*');
    expect(nearestGlob('gtp-5*', ['gpt-5', 'gpt-4o'])).toBe('gpt-5*');
    expect(nearestGlob('*', ['gpt-5'])).toBeUndefined();
  });

  it('tells names that differ only in their numbering from names with a letter typo', () => {
    expect(differOnlyInNumbering('gpt-4.2', 'gpt-4.1')).toBe(true);
    expect(differOnlyInNumbering('claude-sonnet-4-6', 'claude-sonnet-4-5')).toBe(true);
    expect(differOnlyInNumbering('claude-haiku-5', 'claude-haiku-4-5')).toBe(true);
    expect(differOnlyInNumbering('gpt-4o-mini-2', 'gpt-4o-mini')).toBe(true);
    expect(differOnlyInNumbering('gpt-4o-mnii', 'gpt-4o-mini')).toBe(false);
    expect(differOnlyInNumbering('o3x', 'o3')).toBe(false);
  });
});
