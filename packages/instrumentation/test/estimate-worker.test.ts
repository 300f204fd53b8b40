import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { countTokens, estimateRequestTokens, stopTokenWorker } from '@tokenomics/tokens';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicInstrumentation,
  GoogleGenAIInstrumentation,
  OpenAIInstrumentation,
  pendingEstimateCount,
  waitForPendingEstimates,
} from '../src';
import { estimationRequest } from '../src/google-genai/request';
import { requireAnthropic } from './support/load-anthropic';
import { requireGoogleGenAI } from './support/load-google-genai';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// Usage estimates are counted by the token worker; the span, ended once the count arrives, carries
// exactly the counts of the synchronous API. (That the app's thread never loads tiktoken is checked
// in a child process by test/estimate-hook.test.ts: here the emulator shares the thread.)
describe('usage estimates counted off the app thread', () => {
  const telemetry = new TestTelemetry();
  const openai = new OpenAIInstrumentation({ injectStreamUsage: false });
  const anthropic = new AnthropicInstrumentation();
  const gemini = new GoogleGenAIInstrumentation();
  let emulator: Emulator;
  let openaiClient: any;
  let anthropicClient: any;
  let ai: any;

  beforeAll(async () => {
    for (const i of [openai, anthropic, gemini]) telemetry.instrument(i);
    emulator = await startEmulator({ port: 0 });
    const { OpenAI } = requireOpenAI(6);
    openaiClient = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const sdk = requireAnthropic(1);
    anthropicClient = new (sdk.Anthropic ?? sdk.default)({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const genai = requireGoogleGenAI(2);
    ai = new genai.GoogleGenAI({ apiKey: 'gemini-test', httpOptions: { baseUrl: emulator.geminiBaseURL } });
  });

  afterEach(async () => {
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    for (const i of [openai, anthropic, gemini]) i.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  async function onlySpan(): Promise<ReadableSpan> {
    await telemetry.settled();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    return spans[0];
  }

  it('estimates a stream without usage of model constructor exactly as the synchronous counters do', async () => {
    const body = {
      model: 'constructor',
      stream: true as const,
      messages: [{ role: 'user' as const, content: 'Name three rivers. [emulate output_tokens=9]' }],
    };
    let text = '';
    for await (const chunk of await openaiClient.chat.completions.create(body)) text += chunk.choices[0]?.delta?.content ?? '';
    const a = (await onlySpan()).attributes;
    expect(pendingEstimateCount()).toBe(0);
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['tokenomics.usage.estimate_unavailable']).toBeUndefined();
    const { stream: _stream, ...request } = body;
    expect(a['gen_ai.usage.input_tokens']).toBe(estimateRequestTokens(request, 'constructor').tokens);
    expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(text, 'constructor').tokens);
  });

  it('keeps the time the call ended as the span end, not the time the count arrived', async () => {
    let ended = 0;
    for await (const _ of await openaiClient.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Hi [emulate output_tokens=3]' }],
    }))
      void _;
    // The recorder's clock: the call ended before this line, the count arrives after it.
    ended = performance.timeOrigin + performance.now();
    const span = await onlySpan();
    const endMs = span.endTime[0] * 1000 + span.endTime[1] / 1e6;
    expect(endMs).toBeLessThanOrEqual(ended);
    expect(span.attributes['tokenomics.usage.estimated']).toBe(true);
  });

  it('estimates the output of an Anthropic stream of model hasOwnProperty the app broke out of, keeping the billed input', async () => {
    const stream = await anthropicClient.messages.create({
      model: 'hasOwnProperty',
      max_tokens: 100,
      stream: true,
      messages: [{ role: 'user', content: 'Tell me about tides. [emulate output_tokens=20]' }],
    });
    let text = '';
    let billedInput = 0;
    let deltas = 0;
    for await (const event of stream) {
      if (event.type === 'message_start') billedInput = event.message.usage.input_tokens;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
        text += event.delta.text;
        if (++deltas === 4) break;
      }
    }
    const a = (await onlySpan()).attributes;
    expect(a['tokenomics.stream.outcome']).toBe('abandoned');
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.input_tokens']).toBe(billedInput);
    expect(a['gen_ai.usage.output_tokens']).toBe(Math.max(1, countTokens(text, 'hasOwnProperty').tokens));
  });

  it('estimates Gemini API embeddings of model __proto__ (which report no usage) exactly from the request', async () => {
    const params = { model: '__proto__', contents: ['The quick brown fox', 'jumps over the lazy dog'] };
    const response = await ai.models.embedContent(params);
    expect(response.embeddings).toHaveLength(2);
    const a = (await onlySpan()).attributes;
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.input_tokens']).toBe(estimateRequestTokens(estimationRequest(params), '__proto__').tokens);
  });

  it('ends a call whose request is too deep to hand over with what it knew, says why, and leaves it unpriced', async () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 80; i++) schema = { type: 'object', properties: { next: schema } };
    for await (const _ of await openaiClient.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Hi [emulate output_tokens=3]' }],
      tools: [{ type: 'function', function: { name: 'deep', parameters: schema } }],
    }))
      void _;
    const a = (await onlySpan()).attributes;
    expect(a['tokenomics.usage.estimate_unavailable']).toBe('too_large');
    expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(a['tokenomics.unpriced']).toBe(true);
  });

  it('at exit, counts in place what the worker has not delivered, so a short-lived process keeps its estimates', async () => {
    // A cold worker: it has to start a thread and load tiktoken, far longer than the 0 ms bound.
    await stopTokenWorker();
    const body = {
      model: 'gpt-4o-mini',
      stream: true as const,
      messages: [{ role: 'user' as const, content: 'Count to five. [emulate output_tokens=7]' }],
    };
    let text = '';
    for await (const chunk of await openaiClient.chat.completions.create(body)) text += chunk.choices[0]?.delta?.content ?? '';
    expect(pendingEstimateCount()).toBe(1);
    await waitForPendingEstimates(0, { appDone: true });
    expect(pendingEstimateCount()).toBe(0);
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    const a = spans[0].attributes;
    expect(a['tokenomics.usage.estimate_unavailable']).toBeUndefined();
    expect(a['tokenomics.usage.estimated']).toBe(true);
    const { stream: _stream, ...request } = body;
    expect(a['gen_ai.usage.input_tokens']).toBe(estimateRequestTokens(request, 'gpt-4o-mini').tokens);
    expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(text, 'gpt-4o-mini').tokens);
  });

  it('while the app runs, gives up what the worker has not delivered by the bound instead of blocking to count it', async () => {
    await stopTokenWorker();
    for await (const _ of await openaiClient.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Hi [emulate output_tokens=3]' }],
    }))
      void _;
    expect(pendingEstimateCount()).toBe(1);
    await waitForPendingEstimates(0);
    const a = telemetry.spans()[0].attributes;
    expect(a['tokenomics.usage.estimate_unavailable']).toBe('timeout');
    expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
  });
});
