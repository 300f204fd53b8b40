import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { OpenAIInstrumentation, withAttribution, waitForPendingEstimates } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';
import { collectUntil } from './support/gc';

// Published OpenAI list prices, USD per million tokens (https://openai.com/api/pricing/):
// gpt-4o-mini $0.15 input, $0.075 cached input, $0.60 output; gpt-4o $2.50 / $1.25 / $10.00;
// o3-mini $1.10 / $0.55 / $4.40; text-embedding-3-small $0.02; gpt-3.5-turbo-instruct $1.50 / $2.00.
const RATES: Record<string, { input: number; cached?: number; output?: number }> = {
  'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cached: 1.25, output: 10 },
  'o3-mini': { input: 1.1, cached: 0.55, output: 4.4 },
  'text-embedding-3-small': { input: 0.02 },
  'gpt-3.5-turbo-instruct': { input: 1.5, output: 2 },
};

function expectedCost(model: string, input: number, output: number, cached = 0): number {
  const r = RATES[model];
  return ((input - cached) * r.input + cached * (r.cached ?? r.input) + output * (r.output ?? 0)) / 1e6;
}

const API_KEY = 'sk-test-secret-key-1234567890';

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans).toHaveLength(1);
  return spans[0];
}

/** Lets the call end (a short wait), then waits for any usage estimate the token worker is counting. */
async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await waitForPendingEstimates(120_000);
}

for (const major of [6, 5, 4] as const) {
  describe(`openai ${major}.x`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: OpenAIInstrumentation;
    let emulator: Emulator;
    let OpenAI: any;
    let client: any;

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = new OpenAIInstrumentation();
      telemetry.instrument(instrumentation);
      emulator = await startEmulator({ port: 0 });
      OpenAI = requireOpenAI(major).OpenAI;
      client = new OpenAI({ apiKey: API_KEY, baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    });

    afterEach(async () => {
      await telemetry.settled();
      telemetry.reset();
    });

    afterAll(async () => {
      instrumentation.disable();
      await emulator.close();
      await telemetry.shutdown();
    });

    it('records one client span with billed usage and exact cost for a chat completion', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Say hello in three words.' }],
        temperature: 0.2,
        max_tokens: 64,
      });
      const span = only(telemetry.spans());
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.kind).toBe(2); // CLIENT
      const a = span.attributes;
      expect(a['gen_ai.operation.name']).toBe('chat');
      expect(a['gen_ai.provider.name']).toBe('openai');
      expect(a['gen_ai.request.model']).toBe('gpt-4o-mini');
      expect(a['gen_ai.response.model']).toBe(completion.model);
      expect(a['gen_ai.response.id']).toBe(completion.id);
      expect(a['gen_ai.request.temperature']).toBe(0.2);
      expect(a['gen_ai.request.max_tokens']).toBe(64);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(a['gen_ai.usage.input_tokens']).toBe(completion.usage.prompt_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(completion.usage.completion_tokens);
      expect(a['server.address']).toBe('127.0.0.1');
      expect(a['server.port']).toBe(emulator.port);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['gen_ai.usage.cost.currency']).toBe('USD');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(
        expectedCost('gpt-4o-mini', completion.usage.prompt_tokens, completion.usage.completion_tokens),
        12,
      );
      expect(completion.usage.prompt_tokens).toBeGreaterThan(5);
    });

    it('prices cached input once at the cached rate and reports it as a subset of input', async () => {
      const completion = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: `${'Long shared context. '.repeat(300)} [emulate cached=1024]` }],
      });
      const a = only(telemetry.spans()).attributes;
      const u = completion.usage;
      expect(u.prompt_tokens_details.cached_tokens).toBe(1024);
      expect(a['gen_ai.usage.input_tokens']).toBe(u.prompt_tokens);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(1024);
      expect(a['tokenomics.cost.cache_read']).toBeCloseTo((1024 * 1.25) / 1e6, 12);
      expect(a['tokenomics.cost.input']).toBeCloseTo(((u.prompt_tokens - 1024) * 2.5) / 1e6, 12);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(expectedCost('gpt-4o', u.prompt_tokens, u.completion_tokens, 1024), 12);
      expect(await telemetry.counterSum('tokenomics.tokens', { 'tokenomics.token.type': 'cache_read' })).toBe(1024);
      expect(await telemetry.counterSum('tokenomics.tokens', { 'tokenomics.token.type': 'input', 'gen_ai.request.model': 'gpt-4o' })).toBe(
        u.prompt_tokens - 1024,
      );
    });

    it('reports reasoning tokens as a subset of output, priced at the output rate', async () => {
      const completion = await client.chat.completions.create({
        model: 'o3-mini',
        messages: [{ role: 'user', content: 'Think first. [emulate reasoning=64]' }],
      });
      const a = only(telemetry.spans()).attributes;
      expect(completion.usage.completion_tokens_details.reasoning_tokens).toBe(64);
      expect(a['gen_ai.usage.reasoning.output_tokens']).toBe(64);
      expect(a['gen_ai.usage.output_tokens']).toBe(completion.usage.completion_tokens);
      expect(a['tokenomics.cost.reasoning']).toBeCloseTo((64 * 4.4) / 1e6, 12);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(
        expectedCost('o3-mini', completion.usage.prompt_tokens, completion.usage.completion_tokens),
        12,
      );
    });

    it('gives the app exactly the chunks it gets without instrumentation while billing streamed usage exactly', async () => {
      const request = {
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Stream a short story. [emulate output_tokens=12]' }],
      };
      const strip = (c: any) => JSON.stringify({ ...c, id: undefined, created: undefined, obfuscation: undefined });
      const seen: any[] = [];
      for await (const chunk of await client.chat.completions.create(request)) seen.push(chunk);
      const span = only(telemetry.spans());

      instrumentation.disable();
      const bare: any[] = [];
      try {
        const plain = new OpenAI({ apiKey: API_KEY, baseURL: emulator.openaiBaseURL, maxRetries: 0 });
        for await (const chunk of await plain.chat.completions.create(request)) bare.push(chunk);
      } finally {
        instrumentation.enable();
      }
      expect(seen.map(strip)).toEqual(bare.map(strip));
      expect(seen.every((c) => !('usage' in c))).toBe(true);
      expect(request).not.toHaveProperty('stream_options');

      const a = span.attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(12);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
      const sent = emulator.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-2);
      expect((sent?.body as { stream_options?: unknown } | undefined)?.stream_options).toEqual({ include_usage: true });
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(10);
      const ttfc = await telemetry.points('gen_ai.client.operation.time_to_first_chunk');
      expect(ttfc.length).toBeGreaterThan(0);
    });

    it('keeps the usage chunk visible when the app asked for it', async () => {
      const chunks: any[] = [];
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Hi [emulate output_tokens=5]' }],
      });
      for await (const chunk of stream) chunks.push(chunk);
      const last = chunks.at(-1);
      expect(last.choices).toEqual([]);
      expect(last.usage.completion_tokens).toBe(5);
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(last.usage.prompt_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(5);
    });

    it("asks for usage in a copy of the request: the app's fields in their order, its other stream options kept", async () => {
      const request = {
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_obfuscation: false },
        messages: [{ role: 'user', content: 'Hi [emulate output_tokens=4]' }],
        temperature: 0.5,
      };
      const before = JSON.stringify(request);
      const chunks: any[] = [];
      for await (const chunk of await client.chat.completions.create(request)) chunks.push(chunk);
      expect(JSON.stringify(request)).toBe(before);
      // The app's own option reached the server: no padding on its chunks; no usage the hook caused.
      expect(chunks.every((c) => !('obfuscation' in c) && !('usage' in c))).toBe(true);
      const sent = emulator.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)?.body as Record<string, unknown>;
      expect(Object.keys(sent)).toEqual(['model', 'stream', 'stream_options', 'messages', 'temperature']);
      expect(sent.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
      expect(Object.keys(sent.stream_options as object)).toEqual(['include_obfuscation', 'include_usage']);
      expect(only(telemetry.spans()).attributes['gen_ai.usage.output_tokens']).toBe(4);
    });

    it('sends a request parsed from JSON with a "__proto__" field as it is, with the usage asked for', async () => {
      const request = JSON.parse(
        '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hi [emulate output_tokens=3]"}],"__proto__":{"x":1}}',
      );
      const chunks: any[] = [];
      for await (const chunk of await client.chat.completions.create(request)) chunks.push(chunk);
      expect(chunks.every((c) => !('usage' in c))).toBe(true);
      const sent = emulator.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)?.body as Record<string, unknown>;
      expect(Object.keys(sent)).toEqual(['model', 'stream', 'messages', '__proto__', 'stream_options']);
      expect(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value).toEqual({ x: 1 });
      expect(sent.stream_options).toEqual({ include_usage: true });
      expect(Object.keys(request)).toEqual(['model', 'stream', 'messages', '__proto__']);
      expect(only(telemetry.spans()).attributes['gen_ai.usage.output_tokens']).toBe(3);
    });

    it('estimates and flags streamed usage when usage cannot be requested', async () => {
      const local = new OpenAIInstrumentation({ injectStreamUsage: false });
      instrumentation.disable();
      telemetry.instrument(local);
      const Fresh = requireOpenAI(major).OpenAI;
      local.patchModule({ OpenAI: Fresh });
      try {
        const c = new Fresh({ apiKey: API_KEY, baseURL: emulator.openaiBaseURL, maxRetries: 0 });
        let text = '';
        for await (const chunk of await c.chat.completions.create({
          model: 'gpt-4o-mini',
          stream: true,
          messages: [{ role: 'user', content: 'Count to ten. [emulate output_tokens=9]' }],
        })) {
          text += chunk.choices[0]?.delta?.content ?? '';
        }
        expect(text.length).toBeGreaterThan(0);
        await telemetry.settled();
        const a = only(telemetry.spans()).attributes;
        expect(a['tokenomics.usage.estimated']).toBe(true);
        expect(a['gen_ai.usage.output_tokens']).toBe(9);
        const billed = emulator.requests.at(-1);
        expect(billed?.path).toMatch(/chat\/completions$/);
        expect(await local.getConfig().injectStreamUsage).toBe(false);
        expect(await telemetry.counterSum('tokenomics.calls.estimated')).toBeGreaterThanOrEqual(1);
      } finally {
        local.disable();
        instrumentation.enable();
      }
    });

    it('observes each chunk once when the app tees the stream', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Tee me [emulate output_tokens=7]' }],
      });
      const [left, right] = stream.tee();
      const l: any[] = [];
      const r: any[] = [];
      for await (const c of left) l.push(c);
      for await (const c of right) r.push(c);
      expect(l).toEqual(r);
      expect(l.length).toBeGreaterThan(7);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(7);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('observes a stream the app turns into a ReadableStream, once, with billed usage', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Readable [emulate output_tokens=5]' }],
      });
      const reader = stream.toReadableStream().getReader();
      const decoder = new TextDecoder();
      let lines = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read())
        lines += decoder.decode(r.value).split('\n').filter(Boolean).length;
      expect(lines).toBeGreaterThan(5);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(5);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('ends the span of a stream aborted mid-way with what was seen, flagged estimated', async () => {
      const controller = new AbortController();
      const stream = await client.chat.completions.create(
        { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Go on forever [emulate stall_after=3]' }] },
        { signal: controller.signal },
      );
      let n = 0;
      let caught: unknown;
      try {
        for await (const chunk of stream) {
          if (chunk.choices[0]?.delta?.content) n++;
          if (n === 3) controller.abort();
        }
      } catch (err) {
        caught = err;
      }
      await settle();
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe(caught ? 'error' : 'aborted');
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.output_tokens']).toBe(3);
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(5);
    });

    it('ends the span when the app breaks out of the loop early', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Long answer [emulate output_tokens=40]' }],
      });
      let n = 0;
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content && ++n === 2) break;
      }
      await telemetry.settled();
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('abandoned');
      expect(a['gen_ai.usage.output_tokens']).toBe(2);
      expect(a['tokenomics.usage.estimated']).toBe(true);
    });

    it('ends the span of a stream the app never iterates once the stream is collected', async () => {
      await (async () => {
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          stream: true,
          messages: [{ role: 'user', content: 'Never read [emulate output_tokens=3]' }],
        });
      })();
      await collectUntil(() => telemetry.spans().length > 0);
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('abandoned');
      expect(a['tokenomics.usage.estimated']).toBe(true);
    });

    it('passes through the library error on a second iteration and records the call once', async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Twice [emulate output_tokens=3]' }],
      });
      for await (const _ of stream) void _;
      await expect(async () => {
        for await (const _ of stream) void _;
      }).rejects.toThrow(/consumed stream/);
      expect(only(telemetry.spans()).attributes['gen_ai.usage.output_tokens']).toBe(3);
    });

    it('records usage when the app uses withResponse()', async () => {
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'With response' }] })
        .withResponse();
      expect(response.status).toBe(200);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(data.usage.prompt_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(data.usage.completion_tokens);
    });

    it('leaves the raw body to the app with asResponse() and still records billed usage', async () => {
      const response = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Raw please' }] })
        .asResponse();
      const body = await response.json();
      await settle();
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(body.usage.prompt_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(body.usage.completion_tokens);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('records a fire-and-forget call the app never awaits', async () => {
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Fire and forget' }] });
      for (let i = 0; i < 50 && telemetry.spans().length === 0; i++) await settle(10);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    for (const status of [400, 401, 429, 500]) {
      it(`gives the app the same ${status} error and finalises the span once with error.type`, async () => {
        let appError: any;
        try {
          await client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: `[emulate error=${status}]` }],
          });
        } catch (err) {
          appError = err;
        }
        expect(appError).toBeInstanceOf(requireOpenAI(major).APIError);
        expect(appError.status).toBe(status);
        await settle();
        const span = only(telemetry.spans());
        expect(span.status.code).toBe(2); // ERROR
        expect(span.attributes['error.type']).toBe(String(status));
        // Not billed, so neither priced nor unpriced.
        expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
        expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
        expect(await telemetry.counterSum('tokenomics.calls.unpriced', { 'gen_ai.request.model': 'gpt-4o-mini' })).toBe(0);
        const durations = await telemetry.points('gen_ai.client.operation.duration');
        expect(durations.some((p) => p.attributes['error.type'] === String(status))).toBe(true);
      });
    }

    it('records the Responses API, non-streamed and streamed', async () => {
      const res = await client.responses.create({ model: 'gpt-4o-mini', input: 'Write a haiku.' });
      let a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.operation.name']).toBe('chat');
      expect(a['gen_ai.usage.input_tokens']).toBe(res.usage.input_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(res.usage.output_tokens);
      telemetry.reset();
      let completed: any;
      for await (const event of await client.responses.create({ model: 'gpt-4o-mini', input: 'Stream a haiku.', stream: true })) {
        if (event.type === 'response.completed') completed = event.response;
      }
      a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(completed.usage.input_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(completed.usage.output_tokens);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('records embeddings with input tokens only', async () => {
      const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha beta', 'gamma'] });
      const span = only(telemetry.spans());
      expect(span.name).toBe('embeddings text-embedding-3-small');
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(res.usage.prompt_tokens);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBeUndefined();
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(
        expectedCost('text-embedding-3-small', res.usage.prompt_tokens, 0),
        12,
      );
    });

    it('records legacy completions, non-streamed and streamed', async () => {
      const res = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time' });
      let a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.operation.name']).toBe('text_completion');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(
        expectedCost('gpt-3.5-turbo-instruct', res.usage.prompt_tokens, res.usage.completion_tokens),
        12,
      );
      telemetry.reset();
      const chunks: any[] = [];
      for await (const c of await client.completions.create({
        model: 'gpt-3.5-turbo-instruct',
        prompt: 'Hi [emulate output_tokens=4]',
        stream: true,
      })) {
        chunks.push(c);
      }
      expect(chunks.every((c) => !('usage' in c))).toBe(true);
      a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(4);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('flags an unknown model as unpriced, never $0', async () => {
      await client.chat.completions.create({ model: 'my-private-model-7b', messages: [{ role: 'user', content: 'hi' }] });
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.unpriced']).toBe(true);
      expect(a['tokenomics.unpriced_reason']).toBe('unknown_model');
      expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(await telemetry.counterSum('tokenomics.calls.unpriced', { 'gen_ai.request.model': 'my-private-model-7b' })).toBe(1);
    });

    it('adds cost and token counters that equal the span figures', async () => {
      const before = await telemetry.counterSum('tokenomics.cost', { 'gen_ai.request.model': 'gpt-4o-mini' });
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'metrics check' }] });
      const a = only(telemetry.spans()).attributes;
      const after = await telemetry.counterSum('tokenomics.cost', { 'gen_ai.request.model': 'gpt-4o-mini' });
      expect(after - before).toBeCloseTo(a['gen_ai.usage.cost.amount'] as number, 12);
      const usage = await telemetry.points('gen_ai.client.token.usage');
      expect(usage.some((p) => p.attributes['gen_ai.token.type'] === 'input' && p.attributes['gen_ai.provider.name'] === 'openai')).toBe(
        true,
      );
    });

    it('puts every call in the semconv histograms, exactly, however many calls share a series', async () => {
      const model = 'gpt-4.1-nano';
      const histogram = async (name: string, type?: string) => {
        const point = (await telemetry.points(name)).find(
          (p) => p.attributes['gen_ai.request.model'] === model && (type === undefined || p.attributes['gen_ai.token.type'] === type),
        );
        const value = point?.value as Histogram | undefined;
        return { count: value?.count ?? 0, sum: value?.sum ?? 0 };
      };
      const input0 = await histogram('gen_ai.client.token.usage', 'input');
      const output0 = await histogram('gen_ai.client.token.usage', 'output');
      const duration0 = await histogram('gen_ai.client.operation.duration');
      for (let i = 0; i < 7; i++) {
        await client.chat.completions.create({ model, messages: [{ role: 'user', content: `histogram check ${'word '.repeat(i)}` }] });
      }
      const spans = telemetry.spans();
      expect(spans).toHaveLength(7);
      const total = (key: string) => spans.reduce((n, s) => n + (s.attributes[key] as number), 0);
      const input = await histogram('gen_ai.client.token.usage', 'input');
      const output = await histogram('gen_ai.client.token.usage', 'output');
      const duration = await histogram('gen_ai.client.operation.duration');
      expect(input.count - input0.count).toBe(7);
      expect(input.sum - input0.sum).toBe(total('gen_ai.usage.input_tokens'));
      expect(output.count - output0.count).toBe(7);
      expect(output.sum - output0.sum).toBe(total('gen_ai.usage.output_tokens'));
      expect(duration.count - duration0.count).toBe(7);
      const spanSeconds = spans.reduce((n, s) => n + s.duration[0] + s.duration[1] / 1e9, 0);
      expect(duration.sum - duration0.sum).toBeGreaterThan(0);
      expect(duration.sum - duration0.sum).toBeLessThanOrEqual(spanSeconds + 1e-3);
    });

    it('attributes spend to allow-listed keys on metrics and every key on spans', async () => {
      await withAttribution({ tenant: 'acme', feature: 'search', user: 'u-123' }, () =>
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'attributed' }] }),
      );
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.attribution.tenant']).toBe('acme');
      expect(a['tokenomics.attribution.user']).toBe('u-123');
      const cost = await telemetry.points('tokenomics.cost');
      const acme = cost.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme');
      expect(acme.length).toBeGreaterThan(0);
      expect(acme.every((p) => p.attributes['tokenomics.attribution.feature'] === 'search')).toBe(true);
      expect(cost.some((p) => 'tokenomics.attribution.user' in p.attributes)).toBe(false);
    });

    it('records back-to-back calls that differ only in attribution or request model in series of their own', async () => {
      const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'series check' }] });
      const calls = async (model: string, tenant: string | undefined) => {
        const points = (await telemetry.points('gen_ai.client.operation.duration')).filter(
          (p) => p.attributes['gen_ai.request.model'] === model && p.attributes['tokenomics.attribution.tenant'] === tenant,
        );
        return points.reduce((n, p) => n + (p.value as Histogram).count, 0);
      };
      const cases: Array<[string, string | undefined]> = [
        ['gpt-4.1-mini', 'series-a'],
        ['gpt-4.1-mini', 'series-b'],
        ['gpt-4.1-mini', undefined],
        ['gpt-4.1', 'series-a'],
      ];
      const before = await Promise.all(cases.map(([model, tenant]) => calls(model, tenant)));
      await withAttribution({ tenant: 'series-a' }, () => ask('gpt-4.1-mini'));
      await withAttribution({ tenant: 'series-a' }, () => ask('gpt-4.1-mini'));
      await withAttribution({ tenant: 'series-b' }, () => ask('gpt-4.1-mini'));
      await ask('gpt-4.1-mini');
      await withAttribution({ tenant: 'series-a' }, () => ask('gpt-4.1'));
      await withAttribution({ tenant: 'series-a' }, () => ask('gpt-4.1-mini'));
      const after = await Promise.all(cases.map(([model, tenant]) => calls(model, tenant)));
      expect(after.map((n, i) => n - before[i])).toEqual([3, 1, 1, 1]);
    });

    it('parents the span under the active span and records no content or key by default', async () => {
      const parent = telemetry.tracerProvider.getTracer('app').startSpan('handler');
      await context.with(trace.setSpan(context.active(), parent), () =>
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'secret prompt text' }] }),
      );
      parent.end();
      const span = telemetry.spans().find((s) => s.name.startsWith('chat'))!;
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      const text = JSON.stringify(telemetry.spans().map((s) => s.attributes));
      expect(text).not.toContain('secret prompt text');
      expect(text).not.toContain(API_KEY);
    });

    it('records the request runTools() makes and the one responses.stream() makes, with billed usage', async () => {
      const completions = major === 4 ? client.beta.chat.completions : client.chat.completions;
      const runner = completions.runTools({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Use a tool if you must [emulate output_tokens=4]' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'lookup',
              description: 'Looks up a fact',
              parameters: { type: 'object', properties: {} },
              function: () => 'fact',
              parse: JSON.parse,
            },
          },
        ],
      });
      const final = await runner.finalChatCompletion();
      let a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(final.usage.completion_tokens);
      expect(a['gen_ai.usage.input_tokens']).toBe(final.usage.prompt_tokens);
      if (typeof client.responses?.stream !== 'function') return;
      telemetry.reset();
      const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Stream through the helper.' });
      const response = await stream.finalResponse();
      a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(response.usage.input_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(response.usage.output_tokens);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('records one span per request made by the parse() and stream() helpers', async () => {
      const completions = major === 4 ? client.beta.chat.completions : client.chat.completions;
      await completions.parse({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'parse me' }] });
      expect(telemetry.spans()).toHaveLength(1);
      telemetry.reset();
      const runner = completions.stream({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'stream helper [emulate output_tokens=6]' }],
      });
      const final = await runner.finalChatCompletion();
      expect(final.choices[0].message.content.length).toBeGreaterThan(0);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(6);
    });
  });
}
