import { describe, expect, it } from 'vitest';
import { choiceIndex, MAX_CHOICES } from '../src/genai/choice-index';
import { GenAIRecorder } from '../src/genai/recorder';
import { ObservedIterator } from '../src/genai/observed-iterator';
import { CompletionStreamSink } from '../src/openai/stream-sinks';
import { candidateTexts, finishReasons } from '../src/google-genai/response';
import { TestTelemetry } from './support/telemetry';

// Choice and candidate indexes come from the response: an index the call cannot believe (negative,
// fractional, past the most choices a request can ask for, not a number) takes the choice's
// position instead. Taken as it is, 4294967294 made an array of that length, which the end of the
// call then walked for minutes with the event loop blocked.
const HOSTILE = [4294967294, -1, 1.5, MAX_CHOICES, Number.NaN, '0', null];

describe('choiceIndex', () => {
  it('believes whole indexes under the most choices a request can ask for', () => {
    expect(choiceIndex(0, 5)).toBe(0);
    expect(choiceIndex(MAX_CHOICES - 1, 5)).toBe(MAX_CHOICES - 1);
  });

  it.each(HOSTILE.map((index) => [index]))('takes the position for index %s', (index) => {
    expect(choiceIndex(index, 3)).toBe(3);
  });
});

describe('finish reasons and texts by choice', () => {
  it('files an OpenAI stream finish reason under its position when its index cannot be believed', async () => {
    const telemetry = new TestTelemetry();
    const recorder = new GenAIRecorder(() => telemetry.tracerProvider.getTracer('t'), {
      priceBook: {
        version: 'test',
        price: () => ({ priced: false, reason: 'unknown_model', detail: '', priceBookVersion: 'test', estimated: false }),
      },
    });
    recorder.updateInstruments(telemetry.meterProvider.getMeter('t'));
    const chunk = {
      id: 'chatcmpl-C3',
      object: 'chat.completion.chunk',
      created: 1732000000,
      model: 'gpt-4o-mini',
      choices: [
        { index: 4294967294, delta: {}, finish_reason: 'length' },
        { index: -1, delta: {}, finish_reason: 'stop' },
        { index: 2, delta: {}, finish_reason: 'tool_calls' },
        { index: 1.5, delta: {}, finish_reason: 'content_filter' },
      ],
    };
    const usageChunk = { ...chunk, choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } };
    async function* source() {
      yield chunk;
      yield usageChunk;
    }
    const call = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o-mini' });
    const sink = new CompletionStreamSink({ op: 'chat', call, body: {}, injected: false, keepText: false, isAborted: () => false });
    const it = new ObservedIterator(source(), sink, () => undefined);
    const seen: unknown[] = [];
    for await (const c of { [Symbol.asyncIterator]: () => it }) seen.push(c);
    expect(seen).toEqual([chunk, usageChunk]);
    expect(telemetry.spans()[0].attributes['gen_ai.response.finish_reasons']).toEqual(['length', 'stop', 'tool_calls', 'content_filter']);
    await telemetry.shutdown();
  });

  it("files a Gemini candidate's finish reason and text under its position when its index cannot be believed", () => {
    const response = {
      candidates: [
        { index: 4294967294, finishReason: 'MAX_TOKENS', content: { parts: [{ text: 'a' }] } },
        { index: 1, finishReason: 'STOP', content: { parts: [{ text: 'b' }] } },
        { index: -7, finishReason: 'SAFETY', content: { parts: [{ text: 'c' }] } },
      ],
    };
    const reasons = finishReasons(response);
    expect(reasons).toEqual(['max_tokens', 'stop', 'safety']);
    expect(reasons.length).toBe(3);
    expect(candidateTexts(response)).toEqual(['a', 'b', 'c']);
  });
});
