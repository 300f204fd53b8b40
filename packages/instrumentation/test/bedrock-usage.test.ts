import { describe, expect, it } from 'vitest';
import { invokeBodyFacts } from '../src/bedrock/responses';
import fc from 'fast-check';
import { converseUsage, decimalCount, headerUsage, invocationMetricsUsage } from '../src/bedrock/usage';

// Response shapes the emulator does not produce, as Amazon Bedrock sends them.
describe('Bedrock usage shapes', () => {
  it('splits Converse cache writes by the TTL in cacheDetails, input including every cache token', () => {
    const usage = converseUsage({
      inputTokens: 12,
      outputTokens: 40,
      totalTokens: 2192,
      cacheReadInputTokens: 1024,
      cacheWriteInputTokens: 1116,
      cacheDetails: [
        { ttl: '1h', inputTokens: 1000 },
        { ttl: '5m', inputTokens: 116 },
      ],
    });
    expect(usage).toEqual({ inputTokens: 2152, outputTokens: 40, cacheReadTokens: 1024, cacheWriteTokens: 116, cacheWrite1hTokens: 1000 });
  });

  it('reads an Amazon Nova InvokeModel body', () => {
    const facts = invokeBodyFacts({
      output: { message: { content: [{ text: 'Three carriers: A, B and C.' }], role: 'assistant' } },
      stopReason: 'end_turn',
      usage: { inputTokens: 18, outputTokens: 9, totalTokens: 91, cacheReadInputTokenCount: 64, cacheWriteInputTokenCount: 0 },
    });
    expect(facts.usage).toEqual({ inputTokens: 82, outputTokens: 9, cacheReadTokens: 64, cacheWriteTokens: 0 });
    expect(facts.finishReasons).toEqual(['end_turn']);
    expect(facts.texts).toEqual(['Three carriers: A, B and C.']);
  });

  it('reads Amazon Titan text and embedding bodies', () => {
    const text = invokeBodyFacts({
      inputTextTokenCount: 6,
      results: [{ tokenCount: 14, outputText: 'Parcels ship daily.', completionReason: 'FINISH' }],
    });
    expect(text.usage).toEqual({ inputTokens: 6, outputTokens: 14 });
    expect(text.finishReasons).toEqual(['FINISH']);
    const embedding = invokeBodyFacts({ embedding: [0.1, -0.2], inputTextTokenCount: 7 });
    expect(embedding.usage).toEqual({ inputTokens: 7 });
  });

  it('leaves bodies without usage to the token-count headers', () => {
    expect(invokeBodyFacts({ outputs: [{ text: 'Paris.', stop_reason: 'stop' }] }).usage).toBeUndefined();
    expect(
      headerUsage({
        'x-amzn-bedrock-input-token-count': '40',
        'x-amzn-bedrock-output-token-count': '8',
        'x-amzn-bedrock-cache-read-input-token-count': '30',
        'x-amzn-bedrock-cache-write-input-token-count': '5',
      }),
    ).toEqual({ inputTokens: 75, outputTokens: 8, cacheReadTokens: 30, cacheWriteTokens: 5 });
    expect(headerUsage({ 'x-amzn-requestid': 'r-1' })).toBeUndefined();
  });

  it('counts cached tokens of streamed invocation metrics into input', () => {
    expect(
      invocationMetricsUsage({
        inputTokenCount: 10,
        outputTokenCount: 25,
        invocationLatency: 900,
        firstByteLatency: 300,
        cacheReadInputTokenCount: 2048,
        cacheWriteInputTokenCount: 0,
      }),
    ).toEqual({ inputTokens: 2058, outputTokens: 25, cacheReadTokens: 2048, cacheWriteTokens: 0 });
  });

  it('marks hostile or wrong-typed Bedrock counts invalid, naming the field, instead of dropping them', () => {
    expect(converseUsage({ inputTokens: 1e308, outputTokens: 5 })).toEqual({ outputTokens: 5, invalid: 'inputTokens:too_large' });
    expect(converseUsage({ inputTokens: 10, outputTokens: '5' })).toEqual({ inputTokens: 10, invalid: 'outputTokens:wrong_type' });
    expect(converseUsage({ inputTokens: 10, outputTokens: 5, cacheDetails: 'none', cacheWriteInputTokens: 4 })).toMatchObject({
      invalid: 'cacheDetails:wrong_type',
    });
    expect(invocationMetricsUsage({ inputTokenCount: -2, outputTokenCount: 5 })).toMatchObject({ invalid: 'inputTokenCount:negative' });
    expect(headerUsage({ 'x-amzn-bedrock-input-token-count': '12abc', 'x-amzn-bedrock-output-token-count': '3' })).toEqual({
      outputTokens: 3,
      invalid: 'x-amzn-bedrock-input-token-count:wrong_type',
    });
    expect(headerUsage({ 'x-amzn-bedrock-input-token-count': '9007199254740993', 'x-amzn-bedrock-output-token-count': '3' })).toMatchObject(
      {
        invalid: 'x-amzn-bedrock-input-token-count:too_large',
      },
    );
  });

  it('reads a header count as the digits-only pattern after trim() does, for any string', () => {
    const reference = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined);
    const chars = fc.constantFrom('0', '1', '7', '9', ' ', '\t', '\n', '\u00a0', '\u2028', '+', '-', '.', 'e', 'x', '٣', '１');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }), (parts) => {
        const v = parts.join('');
        expect(decimalCount(v)).toBe(reference(v));
      }),
      { numRuns: 5000 },
    );
    for (const v of ['', ' ', '0', ' 42 ', '4 2', '+1', '-1', '1.0', '1e3', '0x10', '٣', '１', '9007199254740993'])
      expect(decimalCount(v)).toBe(reference(v));
  });

  it('reads the header counts whatever the case of their names, and only as own names', () => {
    const lower = {
      'x-amzn-bedrock-input-token-count': '40',
      'x-amzn-bedrock-output-token-count': '8',
      'x-amzn-bedrock-cache-read-input-token-count': '30',
    };
    const expected = { inputTokens: 70, outputTokens: 8, cacheReadTokens: 30 };
    expect(headerUsage(lower)).toEqual(expected);
    expect(
      headerUsage({
        'X-Amzn-Bedrock-Input-Token-Count': '40',
        'X-AMZN-BEDROCK-OUTPUT-TOKEN-COUNT': '8',
        'x-Amzn-Bedrock-Cache-Read-Input-Token-Count': '30',
        'X-Amzn-RequestId': 'r-1',
      }),
    ).toEqual(expected);
    // A list (a repeated header) is not a count; a value that is not text is no value.
    expect(headerUsage({ 'x-amzn-bedrock-input-token-count': ['40', '40'], 'x-amzn-bedrock-output-token-count': 8 })).toEqual({
      invalid: 'x-amzn-bedrock-input-token-count:wrong_type',
    });
    // Names inherited, or under `__proto__`, are never read.
    const inherited = Object.create({ 'x-amzn-bedrock-input-token-count': '5', 'x-amzn-bedrock-output-token-count': '5' });
    expect(headerUsage(inherited)).toBeUndefined();
    const hostile = JSON.parse('{"__proto__": {"x-amzn-bedrock-input-token-count": "5"}, "X-Amzn-Bedrock-Output-Token-Count": "3"}');
    expect(headerUsage(hostile)).toEqual({ outputTokens: 3 });
  });
});
