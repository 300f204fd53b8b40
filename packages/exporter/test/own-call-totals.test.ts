/**
 * The fast reading of an already-priced span of the hook (`readOwnCallTotals`) must give what the
 * full dialect reading (`readGenAiCall`) gives, whenever it answers at all.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as A from '../src/attribute-names';
import * as F from '../src/foreign-dialects';
import { readGenAiCall, readOwnCallTotals, type CallTotals } from '../src/genai-call';

const OWN_SCOPE = '@tokenomics/instrumentation-openai';

/** Every count attribute of every dialect the readers know. */
const COUNT_KEYS = [
  A.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  A.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  A.ATTR_GEN_AI_USAGE_TOTAL_TOKENS,
  A.ATTR_LLM_USAGE_TOTAL_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_FLAT,
  A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT,
  A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_REASONING_TOKENS_FLAT,
  A.ATTR_OPENLIT_CACHE_READ,
  A.ATTR_OPENLIT_CACHE_WRITE,
  A.ATTR_OPENLIT_REASONING,
  ...F.FOREIGN_INPUT_KEYS,
  ...F.FOREIGN_OUTPUT_KEYS,
  ...F.FOREIGN_TOTAL_KEYS,
  ...F.FOREIGN_CACHE_READ_KEYS,
  ...F.FOREIGN_CACHE_WRITE_KEYS,
  ...F.FOREIGN_REASONING_KEYS,
];
/** The counts the hook writes, present on most generated spans. */
const HOOK_COUNT_KEYS = [
  A.ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS,
  A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
];
const OTHER_KEYS = [
  A.ATTR_GEN_AI_PROVIDER_NAME,
  A.ATTR_GEN_AI_SYSTEM,
  A.ATTR_GEN_AI_REQUEST_MODEL,
  A.ATTR_GEN_AI_RESPONSE_MODEL,
  A.ATTR_LLM_REQUEST_TYPE,
  A.ATTR_OPENLIT_USAGE_COST,
  F.ATTR_OPENINFERENCE_SPAN_KIND,
  F.ATTR_AI_OPERATION_ID,
  ...F.FOREIGN_PROVIDER_KEYS,
  ...F.FOREIGN_REQUEST_MODEL_KEYS,
  ...F.FOREIGN_RESPONSE_MODEL_KEYS,
];

/** Counts up to `max`, valid and not, around every limit the readers check. */
const countUpTo = (max: number): fc.Arbitrary<AttributeValue | null | undefined> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 49_999_999, 50_000_000, 50_000_001, Number.MAX_SAFE_INTEGER) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<AttributeValue | null | undefined>(
        -1,
        -0,
        1.5,
        Number.NaN,
        Infinity,
        -Infinity,
        '12',
        ' 7 ',
        '',
        'abc',
        '1e3',
        true,
        [1, 2],
        null,
        undefined,
      ),
    },
  );
const count = countUpTo(3000);
/** Cache and reasoning counts: mostly below the input and output, sometimes above. */
const subsetCount = countUpTo(600);

const text: fc.Arbitrary<AttributeValue | null | undefined> = fc.constantFrom<AttributeValue | null | undefined>(
  'gpt-4o',
  'gpt-4o-2024-08-06',
  'claude-sonnet-4-20250514',
  'anthropic',
  'openai',
  'LLM',
  'CHAIN',
  'ai.generateText.doGenerate',
  'ai.generateText',
  'chat',
  '',
  7,
  null,
  undefined,
);
const operation = fc.constantFrom<AttributeValue | null | undefined>(
  'chat',
  'embeddings',
  'text_completion',
  'invoke_agent',
  'execute_tool',
  '',
  3,
  null,
  undefined,
);

/** Attribute sets as the hook writes them, with any other dialect's names mixed in at random. */
const attributes: fc.Arbitrary<Attributes> = fc
  .record({
    operation: fc.oneof(
      { weight: 5, arbitrary: fc.constant<AttributeValue | null | undefined>('chat') },
      { weight: 2, arbitrary: operation },
    ),
    hook: fc.tuple(count, count, ...HOOK_COUNT_KEYS.slice(2).map(() => fc.option(subsetCount, { freq: 2, nil: undefined }))),
    foreign: fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...COUNT_KEYS), count), { maxLength: 3 }) },
    ),
    other: fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...OTHER_KEYS), text), { maxLength: 3 }) },
    ),
    cost: fc.option(fc.constantFrom(0.0035, 0), { nil: undefined }),
    unpriced: fc.boolean(),
  })
  .map(({ operation, hook, foreign, other, cost, unpriced }) => {
    const attrs: Record<string, unknown> = {
      [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      'server.address': 'api.openai.com',
    };
    if (operation !== undefined) attrs[A.ATTR_GEN_AI_OPERATION_NAME] = operation;
    HOOK_COUNT_KEYS.forEach((key, i) => {
      if (hook[i] !== undefined) attrs[key] = hook[i];
    });
    for (const [key, value] of [...foreign, ...other]) attrs[key] = value;
    if (cost !== undefined) attrs[A.ATTR_GEN_AI_USAGE_COST_AMOUNT] = cost;
    if (unpriced) attrs[A.ATTR_TOKENOMICS_UNPRICED] = true;
    return attrs as Attributes;
  });

/** The full reading's call totals and models, or `undefined` when it reads no call or reports a bad value. */
function fullReading(attrs: Attributes, scope: string): CallTotals | undefined {
  let reports = 0;
  const reading = readGenAiCall(attrs, scope, () => reports++);
  if (reading.kind !== 'call' || reports > 0) return undefined;
  const { usage, requestModel, responseModel } = reading.call;
  return { inputTokens: usage.inputTokens!, outputTokens: usage.outputTokens!, requestModel, responseModel };
}

function fastReading(attrs: Attributes, scope: string): CallTotals | undefined {
  const out: CallTotals = { inputTokens: -1, outputTokens: -1, requestModel: 'unset', responseModel: 'unset' };
  return readOwnCallTotals(attrs, scope, out) ? out : undefined;
}

describe('readOwnCallTotals', () => {
  it('reads the same totals and models as readGenAiCall whenever it answers, on random attribute sets', () => {
    let answered = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        attributes,
        fc.constantFrom(OWN_SCOPE, OWN_SCOPE, OWN_SCOPE, 'openlit', '@traceloop/instrumentation-openai'),
        (attrs, scope) => {
          runs++;
          const fast = fastReading(attrs, scope);
          if (fast === undefined) return;
          answered++;
          expect(fullReading(attrs, scope)).toEqual(fast);
        },
      ),
      { numRuns: 5000 },
    );
    // Not vacuous: a good share of the generated spans take the fast reading.
    expect(answered).toBeGreaterThan(runs / 10);
  });

  it('answers for the spans the hook writes, cache and reasoning counts included', () => {
    const attrs: Attributes = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [A.ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [A.ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1200,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 300,
      [A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 1000,
      [A.ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS]: 200,
      [A.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: 200,
      [A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 300,
      [A.ATTR_GEN_AI_USAGE_PROMPT_TOKENS]: 1200,
      [A.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS]: 300,
      [A.ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.0035,
      [A.ATTR_TOKENOMICS_USAGE_ESTIMATED]: false,
    };
    const expected = { inputTokens: 1200, outputTokens: 300, requestModel: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06' };
    expect(fastReading(attrs, OWN_SCOPE)).toEqual(expected);
    expect(fullReading(attrs, OWN_SCOPE)).toEqual(expected);
  });

  it('leaves to the full reading a span of another scope, a span it would adjust and a span with a bad value', () => {
    const base: Attributes = {
      [A.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [A.ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 100,
      [A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 10,
    };
    expect(fastReading(base, '@traceloop/instrumentation-openai')).toBeUndefined();
    expect(fastReading({ ...base, [A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 101 }, OWN_SCOPE)).toBeUndefined();
    expect(fastReading({ ...base, [A.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: 11 }, OWN_SCOPE)).toBeUndefined();
    expect(fastReading({ ...base, [A.ATTR_LLM_USAGE_TOTAL_TOKENS]: '110' }, OWN_SCOPE)).toBeUndefined();
    expect(fastReading({ ...base, [A.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1.5 }, OWN_SCOPE)).toBeUndefined();
    expect(fastReading({ ...base, [A.ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent' }, OWN_SCOPE)).toBeUndefined();
    expect(
      fastReading({ ...base, [A.ATTR_OPENLIT_USAGE_COST]: 0.1, [A.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 5 }, OWN_SCOPE),
    ).toBeUndefined();
    expect(fastReading(base, OWN_SCOPE)).toEqual({ inputTokens: 100, outputTokens: 10, requestModel: 'gpt-4o', responseModel: undefined });
  });
});
