import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { getPriceBook } from '@tokenomics/pricing';
import { describe, expect, it } from 'vitest';
import { cacheSavings } from '../src/genai/cache-savings';
import { ConversationTable, conversationIdOf, MAX_CONVERSATION_ID_LENGTH, turnRange } from '../src/genai/conversation-table';
import { exhaustedLimitType, httpErrorOf, QuotaTable, readQuotaHeaders } from '../src/genai/quota-headroom';
import { estimateRatio, reconcileSample } from '../src/genai/reconciliation';

/** Collects what a gauge callback observes. */
function observed(table: QuotaTable, which: 'limit' | 'remaining', now: number): Array<[number, Attributes]> {
  const out: Array<[number, Attributes]> = [];
  const result: ObservableResult = { observe: (value: number, attributes: Attributes = {}) => out.push([value, attributes]) };
  table.observe(result, which, now);
  return out;
}

describe('rate-limit headers', () => {
  it('reads a fetch Headers object and a plain object of lower-case names alike', () => {
    const fetchHeaders = new Headers({
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-limit-tokens': '30000000',
      'x-ratelimit-remaining-tokens': '29999000',
      'x-ratelimit-reset-requests': '6ms',
    });
    const expected = { requests: { limit: 10000, remaining: 9999 }, tokens: { limit: 30000000, remaining: 29999000 } };
    expect(readQuotaHeaders(fetchHeaders)).toEqual(expected);
    expect(
      readQuotaHeaders({
        'x-ratelimit-limit-requests': '10000',
        'x-ratelimit-remaining-requests': '9999',
        'x-ratelimit-limit-tokens': '30000000',
        'x-ratelimit-remaining-tokens': '29999000',
      }),
    ).toEqual(expected);
  });

  it("reads Anthropic's four limit types", () => {
    expect(
      readQuotaHeaders(
        new Headers({
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-tokens-limit': '38000',
          'anthropic-ratelimit-tokens-remaining': '37000',
          'anthropic-ratelimit-input-tokens-limit': '30000',
          'anthropic-ratelimit-input-tokens-remaining': '29000',
          'anthropic-ratelimit-output-tokens-limit': '8000',
          'anthropic-ratelimit-output-tokens-remaining': '8000',
        }),
      ),
    ).toEqual({
      requests: { limit: 50, remaining: 49 },
      tokens: { limit: 38000, remaining: 37000 },
      input_tokens: { limit: 30000, remaining: 29000 },
      output_tokens: { limit: 8000, remaining: 8000 },
    });
  });

  it('ignores values that are not finite non-negative numbers, and inherited keys', () => {
    const hostile = Object.create({ 'x-ratelimit-limit-tokens': '5' }) as Record<string, unknown>;
    hostile['x-ratelimit-limit-requests'] = '-1';
    hostile['x-ratelimit-remaining-requests'] = 'NaN';
    hostile['x-ratelimit-remaining-tokens'] = '1e999';
    hostile['anthropic-ratelimit-requests-limit'] = '12abc';
    hostile['anthropic-ratelimit-requests-remaining'] = 7;
    hostile['anthropic-ratelimit-tokens-limit'] = '9'.repeat(30);
    expect(readQuotaHeaders(hostile)).toBeUndefined();
    expect(readQuotaHeaders({ 'x-ratelimit-remaining-requests': ['12', '13'] })).toEqual({ requests: { remaining: 12 } });
    expect(readQuotaHeaders(undefined)).toBeUndefined();
    expect(readQuotaHeaders('x-ratelimit-limit-requests: 1')).toBeUndefined();
    expect(
      readQuotaHeaders({
        get() {
          throw new Error('broken');
        },
      }),
    ).toBeUndefined();
  });

  it('names the exhausted limit of a 429: requests before tokens, unknown without headers', () => {
    expect(exhaustedLimitType({ requests: { remaining: 0 }, tokens: { remaining: 0 } })).toBe('requests');
    expect(exhaustedLimitType({ requests: { remaining: 3 }, input_tokens: { remaining: 0 } })).toBe('input_tokens');
    expect(exhaustedLimitType({ requests: { remaining: 3 } })).toBe('unknown');
    expect(exhaustedLimitType(undefined)).toBe('unknown');
  });

  it("reads an error's status and headers by own keys only", () => {
    class ApiError extends Error {
      status = 429;
      headers = { 'x-ratelimit-remaining-requests': '0' };
    }
    expect(httpErrorOf(new ApiError())).toEqual({ status: 429, headers: { 'x-ratelimit-remaining-requests': '0' } });
    expect(httpErrorOf(Object.create({ status: 429 }))).toBeUndefined();
    expect(httpErrorOf({ statusCode: 429 })).toEqual({ status: 429, headers: undefined });
    expect(httpErrorOf({ status: '429' })).toBeUndefined();
    expect(httpErrorOf(null)).toBeUndefined();
  });
});

describe('quota table', () => {
  it('keeps the latest limit and remaining count per provider, model and limit type', () => {
    const table = new QuotaTable();
    table.update('openai', 'gpt-4o', { requests: { limit: 10000, remaining: 9999 } }, 0);
    table.update('openai', 'gpt-4o', { requests: { remaining: 9998 } }, 1);
    expect(observed(table, 'remaining', 2)).toEqual([
      [9998, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'tokenomics.quota.limit_type': 'requests' }],
    ]);
    expect(observed(table, 'limit', 2).map(([v]) => v)).toEqual([10000]);
  });

  it('reads the headers offered last for each provider and model when a collection observes them', () => {
    const table = new QuotaTable();
    table.offer('openai', 'gpt-4o', new Headers({ 'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9999' }));
    table.offer('openai', 'gpt-4o', { 'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '0' });
    table.offer('openai', 'gpt-4o', undefined);
    expect(table.size).toBe(0);
    expect(observed(table, 'remaining', 0).map(([v]) => v)).toEqual([0]);
    expect(observed(table, 'limit', 0).map(([v]) => v)).toEqual([10000]);
    expect(table.size).toBe(1);
  });

  it('holds at most its cap of entries, dropping the least recently updated', () => {
    const table = new QuotaTable(2);
    table.update('openai', 'a', { requests: { remaining: 1 } }, 0);
    table.update('openai', 'b', { requests: { remaining: 2 } }, 1);
    table.update('openai', 'a', { requests: { remaining: 3 } }, 2);
    table.update('openai', 'c', { requests: { remaining: 4 } }, 3);
    expect(table.size).toBe(2);
    expect(observed(table, 'remaining', 4).map(([v, a]) => [a['gen_ai.request.model'], v])).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });

  it('stops reporting an entry not refreshed within its time to live', () => {
    const table = new QuotaTable(10, 1000);
    table.update('openai', 'a', { requests: { remaining: 1 } }, 0);
    table.update('openai', 'b', { requests: { remaining: 2 } }, 500);
    expect(observed(table, 'remaining', 1200).map(([v]) => v)).toEqual([2]);
    expect(table.size).toBe(1);
  });
});

describe('conversation table', () => {
  it('counts turns and sums input tokens and priced cost, skipping unpriced turns in the cost', () => {
    const table = new ConversationTable();
    expect(table.add('c1', 100, 0.001, 0)).toEqual({ turn: 1, inputTokens: 100, cost: 0.001 });
    expect(table.add('c1', 250, undefined, 1)).toEqual({ turn: 2, inputTokens: 350, cost: 0.001 });
    expect(table.add('c1', 400, 0.004, 2)).toEqual({ turn: 3, inputTokens: 750, cost: 0.005 });
    expect(table.add('c2', 10, undefined, 3)).toEqual({ turn: 1, inputTokens: 10, cost: undefined });
  });

  it('starts a conversation idle for longer than its time to live again at turn 1', () => {
    const table = new ConversationTable(10, 1000);
    table.add('c1', 100, 0.1, 0);
    expect(table.add('c1', 100, 0.1, 900).turn).toBe(2);
    expect(table.add('c1', 100, 0.1, 1901)).toEqual({ turn: 1, inputTokens: 100, cost: 0.1 });
  });

  it('holds at most its cap of conversations, forgetting the least recently used', () => {
    const table = new ConversationTable(2);
    table.add('a', 1, undefined, 0);
    table.add('b', 1, undefined, 1);
    table.add('a', 1, undefined, 2);
    table.add('c', 1, undefined, 3);
    expect(table.size).toBe(2);
    expect(table.add('a', 1, undefined, 4).turn).toBe(3);
    expect(table.add('b', 1, undefined, 5).turn).toBe(1);
  });

  it('finds the conversation of a response it was told about, within its cap', () => {
    const table = new ConversationTable(2);
    table.linkResponse('resp_1', 'c1');
    table.linkResponse('resp_2', 'c1');
    table.linkResponse('resp_3', 'c2');
    expect(table.conversationOfResponse('resp_1')).toBeUndefined();
    expect(table.conversationOfResponse('resp_2')).toBe('c1');
    expect(table.conversationOfResponse('resp_3')).toBe('c2');
  });

  it('puts turns into nine bounded ranges and cuts long ids', () => {
    expect([1, 2, 3, 4, 5, 6, 10, 11, 20, 21, 50, 51, 10_000].map(turnRange)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6-10',
      '6-10',
      '11-20',
      '11-20',
      '21-50',
      '21-50',
      '51+',
      '51+',
    ]);
    expect(conversationIdOf('x'.repeat(1000))).toHaveLength(MAX_CONVERSATION_ID_LENGTH);
    expect(conversationIdOf('')).toBeUndefined();
    expect(conversationIdOf(42)).toBeUndefined();
  });
});

describe('cache savings', () => {
  const book = getPriceBook();
  const options = { provider: 'anthropic', operation: 'chat', model: 'claude-sonnet-4-0', at: Date.UTC(2026, 0, 1) };

  it('prices cache reads at the input rate minus the cache-read rate, and cache writes above the input rate', () => {
    // claude-sonnet-4: $3 input, $3.75 5-minute write, $6 1-hour write, $0.30 read per million.
    const usage = { inputTokens: 4000, outputTokens: 100, cacheReadTokens: 2000, cacheWriteTokens: 1000, cacheWrite1hTokens: 500 };
    const actual = book.price(usage, options);
    const saved = cacheSavings(book, usage, options, actual);
    expect(saved?.savings).toBeCloseTo((2000 * (3 - 0.3)) / 1e6, 12); // $0.0054
    expect(saved?.writePremium).toBeCloseTo((1000 * (3.75 - 3) + 500 * (6 - 3)) / 1e6, 12); // $0.00225
  });

  it('records nothing for a call without cache tokens or without a price', () => {
    const plain = { inputTokens: 4000, outputTokens: 100 };
    expect(cacheSavings(book, plain, options, book.price(plain, options))).toBeUndefined();
    const unknown = { ...options, model: 'claude-from-the-future' };
    const cached = { inputTokens: 4000, cacheReadTokens: 2000 };
    expect(cacheSavings(book, cached, unknown, book.price(cached, unknown))).toBeUndefined();
  });
});

describe('reconciliation settings', () => {
  it('takes the configured share, else TOKENOMICS_RECONCILE_SAMPLE, else 0; out-of-range values are off', () => {
    expect(reconcileSample(0.25, { TOKENOMICS_RECONCILE_SAMPLE: '0.05' })).toBe(0.25);
    expect(reconcileSample(undefined, { TOKENOMICS_RECONCILE_SAMPLE: '0.05' })).toBe(0.05);
    expect(reconcileSample(undefined, {})).toBe(0);
    expect(reconcileSample(undefined, { TOKENOMICS_RECONCILE_SAMPLE: '5%' })).toBe(0);
    expect(reconcileSample(undefined, { TOKENOMICS_RECONCILE_SAMPLE: '2' })).toBe(0);
    expect(reconcileSample(-1, { TOKENOMICS_RECONCILE_SAMPLE: '1' })).toBe(1);
  });

  it('gives estimated over billed, and nothing against a bill of 0', () => {
    expect(estimateRatio(110, 100)).toBe(1.1);
    expect(estimateRatio(90, 0)).toBeUndefined();
    expect(estimateRatio(Number.NaN, 10)).toBeUndefined();
  });
});
