/**
 * The override fields that correct listed models: `exclude` (a data rule catches another model),
 * `time_of_day` (prices at hours of the day) and `time_of_day_from` / `time_of_day_until` (the
 * dates between which those hours hold).
 */
import { describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import type { Cost } from '../src/types';

const amount = (cost: Cost): number => {
  if (!cost.priced) throw new Error(`expected a priced cost, got ${cost.reason}: ${cost.detail}`);
  return cost.amount;
};

describe('override corrections', () => {
  it('exclude takes a string away from a listed model: it is then unpriced, or priced by its own entry', () => {
    const book = PriceBook.load({
      overrides: { models: [{ provider: 'groq', model: 'openai/gpt-oss-20b', exclude: ['openai/gpt-oss-20b'] }] },
    });
    expect(book.price({ inputTokens: 1000 }, { provider: 'groq', model: 'openai/gpt-oss-20b' })).toMatchObject({
      priced: false,
      reason: 'unknown_model',
    });
  });

  it('time_of_day adds prices at hours of the day, bounded by the entry dates', () => {
    const book = PriceBook.load({
      overrides: {
        models: [
          {
            provider: 'acme',
            model: 'acme-chat',
            prices: { input: 1, output: 2 },
            time_of_day: [{ start: '22:00:00Z', end: '02:00:00Z', prices: { input: 0.5 } }],
            time_of_day_until: '2026-06-01',
          },
        ],
      },
    });
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    // Night discount on input (the window wraps past midnight), output unchanged; ended 2026-06-01.
    expect(amount(book.price(usage, { provider: 'acme', model: 'acme-chat', at: '2026-05-01T23:30:00Z' }))).toBe(2.5);
    expect(amount(book.price(usage, { provider: 'acme', model: 'acme-chat', at: '2026-05-01T01:59:00Z' }))).toBe(2.5);
    expect(amount(book.price(usage, { provider: 'acme', model: 'acme-chat', at: '2026-05-01T12:00:00Z' }))).toBe(3);
    expect(amount(book.price(usage, { provider: 'acme', model: 'acme-chat', at: '2026-07-01T23:30:00Z' }))).toBe(3);
  });

  it('time_of_day_until ends the time-of-day prices of a listed model', () => {
    // DeepSeek's night discount of the data, ended by the bundled supplement at 16:00 UTC 2025-09-05.
    const book = PriceBook.bundled();
    const at = (t: string) => amount(book.price({ inputTokens: 1_000_000 }, { provider: 'deepseek', model: 'deepseek-chat', at: t }));
    expect(at('2025-09-04T20:00:00Z')).toBe(0.135);
    expect(at('2025-09-05T20:00:00Z')).toBe(0.56);
  });

  it('names a malformed time_of_day entry', () => {
    expect(() =>
      PriceBook.load({
        overrides: {
          models: [
            {
              provider: 'acme',
              model: 'm',
              prices: { input: 1 },
              time_of_day: [{ start: '25:00', end: '02:00:00Z', prices: { input: 1 } }],
            },
          ],
        },
      }),
    ).toThrow(/models\[0\]\.time_of_day\[0\]\.start: "25:00" is not accepted; accepted: a time of day HH:MM:SS with Z or ±HH:MM/);
  });
});
