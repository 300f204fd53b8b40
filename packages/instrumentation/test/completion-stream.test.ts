import { describe, expect, it } from 'vitest';
import { GenAIRecorder } from '../src/genai/recorder';
import { ObservedIterator } from '../src/genai/observed-iterator';
import { CompletionStreamSink } from '../src/openai/stream-sinks';
import { TestTelemetry } from './support/telemetry';

// Wire payloads as Azure OpenAI streams them: a first chunk without choices carrying
// `prompt_filter_results`, content chunks with `usage: null`, and the usage chunk with `choices: []`.
const AZURE_CHUNKS = [
  {
    id: '',
    object: '',
    created: 0,
    model: '',
    choices: [],
    prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
    usage: null,
  },
  {
    id: 'chatcmpl-A1',
    object: 'chat.completion.chunk',
    created: 1732000000,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    usage: null,
  },
  {
    id: 'chatcmpl-A1',
    object: 'chat.completion.chunk',
    created: 1732000000,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }],
    usage: null,
  },
  {
    id: 'chatcmpl-A1',
    object: 'chat.completion.chunk',
    created: 1732000000,
    model: 'gpt-4o-2024-08-06',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    usage: null,
  },
  {
    id: 'chatcmpl-A1',
    object: 'chat.completion.chunk',
    created: 1732000000,
    model: 'gpt-4o-2024-08-06',
    choices: [],
    usage: { prompt_tokens: 19, completion_tokens: 1, total_tokens: 20, prompt_tokens_details: { cached_tokens: 0 } },
  },
];

async function* source<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield structuredClone(item);
}

function setup(captureMessageContent = false) {
  const telemetry = new TestTelemetry();
  const recorder = new GenAIRecorder(() => telemetry.tracerProvider.getTracer('t'), {
    captureMessageContent,
    priceBook: {
      version: 'test',
      price: () => ({ priced: false, reason: 'unknown_model', detail: '', priceBookVersion: 'test', estimated: false }),
    },
  });
  recorder.updateInstruments(telemetry.meterProvider.getMeter('t'));
  return { telemetry, recorder };
}

describe('streamed chat chunks', () => {
  it('tolerates chunks without choices and usage: null, and hides only the usage chunk it caused', async () => {
    const { telemetry, recorder } = setup();
    const body = { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] };
    const call = recorder.start({ provider: 'azure.ai.openai', operation: 'chat', requestModel: 'gpt-4o' });
    const sink = new CompletionStreamSink({ op: 'chat', call, body, injected: true, keepText: false, isAborted: () => false });
    const seen: any[] = [];
    const it = new ObservedIterator(source(AZURE_CHUNKS), sink, () => undefined);
    for await (const chunk of { [Symbol.asyncIterator]: () => it }) seen.push(chunk);
    expect(seen).toHaveLength(4);
    expect(seen.every((c) => !('usage' in c))).toBe(true);
    expect(seen[0].prompt_filter_results).toHaveLength(1);
    const span = telemetry.spans()[0];
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(19);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(1);
    expect(span.attributes['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    await telemetry.shutdown();
  });

  it('shows an equal copy without usage in place of an OpenAI chunk, also when the iterator result is frozen', async () => {
    const { telemetry, recorder } = setup();
    const padded = (content: string) => ({
      id: 'chatcmpl-B2',
      object: 'chat.completion.chunk',
      created: 1732000000,
      model: 'gpt-4o-2024-08-06',
      service_tier: 'default',
      system_fingerprint: 'fp_2',
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
      usage: null,
      obfuscation: 'xyz',
    });
    const usageChunk = { ...padded(''), choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } };
    const chunks = [padded('Hel'), padded('lo'), usageChunk];
    const served: object[] = [];
    // An iterator whose results cannot be written: the copy comes in a result of its own.
    const frozen: AsyncIterator<unknown> = {
      next: async () => {
        const value = chunks.shift();
        if (value) served.push(value);
        return Object.freeze(value ? { done: false, value } : { done: true, value: undefined });
      },
    };
    const call = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o' });
    const sink = new CompletionStreamSink({ op: 'chat', call, body: {}, injected: true, keepText: false, isAborted: () => false });
    const it = new ObservedIterator(frozen, sink, () => undefined);
    const seen: any[] = [];
    for await (const chunk of { [Symbol.asyncIterator]: () => it }) seen.push(chunk);
    const { usage: _, ...withoutUsage } = padded('Hel');
    expect(seen.map((c) => Object.keys(c))).toEqual([Object.keys(withoutUsage), Object.keys(withoutUsage)]);
    expect(seen[0]).toEqual(withoutUsage);
    expect(seen[1].choices[0].delta.content).toBe('lo');
    // The same nested values the server's chunk holds, not copies of them.
    expect(seen[0].choices).toBe((served[0] as { choices: unknown }).choices);
    const span = telemetry.spans()[0];
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(7);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(2);
    await telemetry.shutdown();
  });

  it('passes chunks through untouched when the app asked for usage itself', async () => {
    const { telemetry, recorder } = setup();
    const call = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o' });
    const sink = new CompletionStreamSink({ op: 'chat', call, body: {}, injected: false, keepText: false, isAborted: () => false });
    const seen: any[] = [];
    const it = new ObservedIterator(source(AZURE_CHUNKS), sink, () => undefined);
    for await (const chunk of { [Symbol.asyncIterator]: () => it }) seen.push(chunk);
    expect(seen).toEqual(AZURE_CHUNKS);
    await telemetry.shutdown();
  });

  it('records a stream error as the span error, after the chunks seen, and rethrows the same error', async () => {
    const { telemetry, recorder } = setup();
    const failure = Object.assign(new Error('server had an error'), { status: 500 });
    async function* failing() {
      yield structuredClone(AZURE_CHUNKS[2]);
      throw failure;
    }
    const call = recorder.start({ provider: 'openai', operation: 'chat', requestModel: 'gpt-4o' });
    const sink = new CompletionStreamSink({
      op: 'chat',
      call,
      body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
      injected: false,
      keepText: true,
      isAborted: () => false,
    });
    const it = new ObservedIterator(failing(), sink, () => undefined);
    await expect(async () => {
      for await (const _ of { [Symbol.asyncIterator]: () => it }) void _;
    }).rejects.toBe(failure);
    await telemetry.settled();
    const span = telemetry.spans()[0];
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('500');
    expect(span.attributes['tokenomics.stream.outcome']).toBe('error');
    expect(span.attributes['tokenomics.usage.estimated']).toBe(true);
    expect(span.attributes['gen_ai.usage.output_tokens']).toBe(1); // "Hello" is one token
    await telemetry.shutdown();
  });

  it('records streamed content only when capture is on', async () => {
    const { telemetry, recorder } = setup(true);
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };
    const call = recorder.start({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o',
      inputMessages: () => body.messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })),
    });
    const sink = new CompletionStreamSink({ op: 'chat', call, body, injected: false, keepText: true, isAborted: () => false });
    const it = new ObservedIterator(source(AZURE_CHUNKS), sink, () => undefined);
    for await (const _ of { [Symbol.asyncIterator]: () => it }) void _;
    const a = telemetry.spans()[0].attributes;
    expect(JSON.parse(a['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
    expect(JSON.parse(a['gen_ai.output.messages'] as string)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'Hello' }] }]);
    await telemetry.shutdown();
  });
});

describe('semconv stability opt-in', () => {
  it('emits the deprecated gen_ai.system and prompt/completion token names only with gen_ai/dup', async () => {
    const previous = process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    try {
      for (const [optIn, expected] of [
        [undefined, undefined],
        ['http,gen_ai/dup', 'az.ai.openai'],
      ] as const) {
        if (optIn === undefined) delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
        else process.env.OTEL_SEMCONV_STABILITY_OPT_IN = optIn;
        const { telemetry, recorder } = setup();
        const call = recorder.start({ provider: 'azure.ai.openai', operation: 'chat', requestModel: 'gpt-4o' });
        call.result.usage = { inputTokens: 7, outputTokens: 2 };
        call.succeed();
        const a = telemetry.spans()[0].attributes;
        expect(a['gen_ai.provider.name']).toBe('azure.ai.openai');
        expect(a['gen_ai.system']).toBe(expected);
        expect(a['gen_ai.usage.prompt_tokens']).toBe(expected ? 7 : undefined);
        expect(a['gen_ai.usage.input_tokens']).toBe(7);
        await telemetry.shutdown();
      }
    } finally {
      if (previous === undefined) delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
      else process.env.OTEL_SEMCONV_STABILITY_OPT_IN = previous;
    }
  });
});

describe('service tier attributes', () => {
  it('uses the openai.* names for OpenAI and Azure OpenAI and tokenomics.* names for other providers', async () => {
    const { telemetry, recorder } = setup();
    for (const provider of ['openai', 'azure.ai.openai', 'anthropic', 'gcp.gemini']) {
      const call = recorder.start({ provider, operation: 'chat', requestModel: 'm', requestedServiceTier: 'flex' });
      call.result.serviceTier = 'priority';
      call.succeed();
    }
    const tiers = telemetry
      .spans()
      .map((s) => [
        s.attributes['gen_ai.provider.name'],
        s.attributes['openai.request.service_tier'] ?? s.attributes['tokenomics.request.service_tier'],
        s.attributes['openai.response.service_tier'] ?? `tokenomics:${s.attributes['tokenomics.response.service_tier']}`,
      ]);
    expect(tiers).toEqual([
      ['openai', 'flex', 'priority'],
      ['azure.ai.openai', 'flex', 'priority'],
      ['anthropic', 'flex', 'tokenomics:priority'],
      ['gcp.gemini', 'flex', 'tokenomics:priority'],
    ]);
    expect(telemetry.spans()[2].attributes['openai.request.service_tier']).toBeUndefined();
    await telemetry.shutdown();
  });
});
