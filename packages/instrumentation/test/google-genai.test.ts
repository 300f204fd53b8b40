import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GoogleGenAIInstrumentation, withAttribution, waitForPendingEstimates } from '../src';
import { fakeAuthClient, requireGoogleGenAI } from './support/load-google-genai';
import { TestTelemetry } from './support/telemetry';

// Published Gemini API prices, USD per million tokens (https://ai.google.dev/gemini-api/docs/pricing):
// gemini-2.5-flash $0.30 input, $0.03 cached input, $2.50 output ("including thinking tokens");
// gemini-2.5-pro prompts <= 200k tokens $1.25 input, $0.125 cached, $10.00 output, prompts > 200k
// $2.50 input, $0.25 cached, $15.00 output; gemini-embedding-001 $0.15 input. Vertex AI lists the
// same rates for these models (https://cloud.google.com/vertex-ai/generative-ai/pricing).
const FLASH = { input: 0.3, cached: 0.03, output: 2.5 };
const PRO = { input: 1.25, cached: 0.125, output: 10 };
const PRO_LONG = { input: 2.5, cached: 0.25, output: 15 };
const EMBEDDING = 0.15;

interface Rates {
  input: number;
  cached: number;
  output: number;
}

/** Cost in USD of semconv usage (input incl. cache, output incl. thoughts) at `r`. */
function cost(r: Rates, input: number, output: number, cached = 0): number {
  return ((input - cached) * r.input + cached * r.cached + output * r.output) / 1e6;
}

const API_KEY = 'gemini-test-secret-key-123';

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans).toHaveLength(1);
  return spans[0];
}

/** Lets the call end (a short wait), then waits for any usage estimate the token worker is counting. */
async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await waitForPendingEstimates(120_000);
}

for (const major of [2, 1] as const) {
  describe(`@google/genai ${major}.x`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: GoogleGenAIInstrumentation;
    let emulator: Emulator;
    let genai: any;
    let ai: any;

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = new GoogleGenAIInstrumentation();
      telemetry.instrument(instrumentation);
      emulator = await startEmulator({ port: 0 });
      genai = requireGoogleGenAI(major);
      ai = new genai.GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: emulator.geminiBaseURL } });
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

    function vertexClient(): any {
      return new genai.GoogleGenAI({
        vertexai: true,
        project: 'demo-project',
        location: 'us-central1',
        httpOptions: { baseUrl: emulator.geminiBaseURL },
        googleAuthOptions: { authClient: fakeAuthClient() },
      });
    }

    it('records one generate_content span with billed usage and exact cost', async () => {
      const response = await ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'Say hello in three words.',
        config: { temperature: 0.2, maxOutputTokens: 64, topP: 0.9, topK: 40, stopSequences: ['END'] },
      });
      expect(response).toBeInstanceOf(genai.GenerateContentResponse);
      expect(response.text.length).toBeGreaterThan(0);
      const span = only(telemetry.spans());
      expect(span.name).toBe('generate_content gemini-2.5-flash');
      expect(span.kind).toBe(2); // CLIENT
      const a = span.attributes;
      const u = response.usageMetadata;
      expect(a['gen_ai.operation.name']).toBe('generate_content');
      expect(a['gen_ai.provider.name']).toBe('gcp.gemini');
      expect(a['gen_ai.request.model']).toBe('gemini-2.5-flash');
      expect(a['gen_ai.response.model']).toBe(response.modelVersion);
      if (response.responseId) expect(a['gen_ai.response.id']).toBe(response.responseId);
      expect(a['gen_ai.request.temperature']).toBe(0.2);
      expect(a['gen_ai.request.max_tokens']).toBe(64);
      expect(a['gen_ai.request.top_p']).toBe(0.9);
      expect(a['gen_ai.request.top_k']).toBe(40);
      expect(a['gen_ai.request.stop_sequences']).toEqual(['END']);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(u.promptTokenCount).toBeGreaterThan(5);
      expect(a['gen_ai.usage.input_tokens']).toBe(u.promptTokenCount);
      expect(a['gen_ai.usage.output_tokens']).toBe(u.candidatesTokenCount);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBeUndefined();
      expect(a['server.address']).toBe('127.0.0.1');
      expect(a['server.port']).toBe(emulator.port);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['gen_ai.usage.cost.currency']).toBe('USD');
      expect(a['tokenomics.pricing.model']).toBe('gemini-2.5-flash');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(cost(FLASH, u.promptTokenCount, u.candidatesTokenCount), 12);
    });

    it('counts tool-use prompt tokens as input and thoughts as output, cached content once at the cached rate', async () => {
      const response = await ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: `${'Shared context for every call. '.repeat(40)} [emulate cached=64 reasoning=32 tool_use_prompt=20 output_tokens=10]`,
      });
      const u = response.usageMetadata;
      expect(u.cachedContentTokenCount).toBe(64);
      expect(u.thoughtsTokenCount).toBe(32);
      expect(u.toolUsePromptTokenCount).toBe(20);
      expect(u.candidatesTokenCount).toBe(10);
      const input = u.promptTokenCount + 20;
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(input);
      expect(a['gen_ai.usage.output_tokens']).toBe(42);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(64);
      expect(a['gen_ai.usage.reasoning.output_tokens']).toBe(32);
      expect(a['tokenomics.cost.input']).toBeCloseTo(((input - 64) * FLASH.input) / 1e6, 12);
      expect(a['tokenomics.cost.cache_read']).toBeCloseTo((64 * FLASH.cached) / 1e6, 12);
      expect(a['tokenomics.cost.output']).toBeCloseTo((10 * FLASH.output) / 1e6, 12);
      expect(a['tokenomics.cost.reasoning']).toBeCloseTo((32 * FLASH.output) / 1e6, 12);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(cost(FLASH, input, 42, 64), 12);
      const tokens = (type: string) =>
        telemetry.counterSum('tokenomics.tokens', { 'tokenomics.token.type': type, 'gen_ai.request.model': 'gemini-2.5-flash' });
      // Earlier calls in this file added uncached input and output; cache and reasoning are only this call's.
      expect(await tokens('cache_read')).toBe(64);
      expect(await tokens('reasoning')).toBe(32);
    });

    it('prices Gemini 2.5 Pro at the long-context rates above 200k input tokens and the base rates below', async () => {
      const short = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Summarise this. [emulate output_tokens=20]' });
      let a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(cost(PRO, short.usageMetadata.promptTokenCount, 20), 12);
      telemetry.reset();

      // Each corpus word is one token: about 205k prompt tokens.
      const long = await ai.models.generateContent({
        model: 'gemini-2.5-pro',
        contents: `${'budget '.repeat(205_000)} [emulate output_tokens=20 cached=1000]`,
      });
      const u = long.usageMetadata;
      expect(u.promptTokenCount).toBeGreaterThan(200_000);
      a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(u.promptTokenCount);
      expect(a['tokenomics.cost.input']).toBeCloseTo(((u.promptTokenCount - 1000) * PRO_LONG.input) / 1e6, 12);
      expect(a['tokenomics.cost.cache_read']).toBeCloseTo((1000 * PRO_LONG.cached) / 1e6, 12);
      expect(a['tokenomics.cost.output']).toBeCloseTo((20 * PRO_LONG.output) / 1e6, 12);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(cost(PRO_LONG, u.promptTokenCount, 20, 1000), 12);
    });

    it('gives the app the same stream chunks as without instrumentation while billing the final usage exactly', async () => {
      const request = () => ({ model: 'gemini-2.5-flash', contents: 'Stream a short story. [emulate output_tokens=12 reasoning=4]' });
      const strip = (c: any) => JSON.stringify({ ...c, responseId: undefined, sdkHttpResponse: undefined });
      const seen: any[] = [];
      const stream = await ai.models.generateContentStream(request());
      for await (const chunk of stream) seen.push(chunk);
      const span = only(telemetry.spans());

      instrumentation.disable();
      const bare: any[] = [];
      try {
        for await (const chunk of await ai.models.generateContentStream(request())) bare.push(chunk);
      } finally {
        instrumentation.enable();
      }
      expect(telemetry.spans()).toHaveLength(1);
      expect(seen.map(strip)).toEqual(bare.map(strip));
      expect(seen.every((c) => c instanceof genai.GenerateContentResponse)).toBe(true);

      const last = seen.at(-1).usageMetadata;
      const a = span.attributes;
      expect(span.name).toBe('generate_content gemini-2.5-flash');
      expect(a['gen_ai.usage.input_tokens']).toBe(last.promptTokenCount);
      expect(a['gen_ai.usage.output_tokens']).toBe(16);
      expect(a['gen_ai.usage.reasoning.output_tokens']).toBe(4);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(cost(FLASH, last.promptTokenCount, 16), 12);
      const ttfc = await telemetry.points('gen_ai.client.operation.time_to_first_chunk');
      expect(ttfc.some((p) => p.attributes['gen_ai.provider.name'] === 'gcp.gemini')).toBe(true);
    });

    it('ends the span of a stream the app aborts mid-way with the usage reported so far, flagged estimated', async () => {
      const controller = new AbortController();
      const stream = await ai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: 'Go on forever [emulate stall_after=3]',
        config: { abortSignal: controller.signal },
      });
      let n = 0;
      let caught: unknown;
      try {
        for await (const chunk of stream) {
          if (chunk.text) n++;
          if (n === 3) controller.abort();
        }
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeDefined();
      await settle();
      const span = only(telemetry.spans());
      const a = span.attributes;
      expect(a['tokenomics.stream.outcome']).toBe('aborted');
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.output_tokens']).toBe(3);
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(3);
      expect(span.status.code).not.toBe(2);
    });

    it('ends the span as abandoned when the app breaks out of the loop early', async () => {
      let n = 0;
      for await (const chunk of await ai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: 'Long answer [emulate output_tokens=40]',
      })) {
        if (chunk.text && ++n === 2) break;
      }
      await settle();
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('abandoned');
      expect(a['gen_ai.usage.output_tokens']).toBe(2);
      expect(a['tokenomics.usage.estimated']).toBe(true);
    });

    it('passes a mid-stream error event through as the client does and finalises the span once', async () => {
      let appError: any;
      let chunks = 0;
      try {
        for await (const chunk of await ai.models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: 'Fail mid-way [emulate stream_error_after=2]',
        })) {
          if (chunk.text) chunks++;
        }
      } catch (err) {
        appError = err;
      }
      expect(chunks).toBe(2);
      await settle();
      const span = only(telemetry.spans());
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(2);
      if (major === 2) {
        // 2.x raises the error event as an ApiError.
        expect(appError).toBeInstanceOf(genai.ApiError);
        expect(span.status.code).toBe(2);
        expect(span.attributes['tokenomics.stream.outcome']).toBe('error');
        expect(span.attributes['error.type']).toBe('500');
        expect(span.attributes['tokenomics.usage.estimated']).toBe(true);
      } else {
        // 1.x yields the error event as an empty chunk and ends the stream normally.
        expect(appError).toBeUndefined();
        expect(span.attributes['tokenomics.stream.outcome']).toBe('completed');
        expect(span.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
      }
    });

    for (const status of [400, 429, 500]) {
      it(`gives the app the same ${status} error and finalises the span once with error.type`, async () => {
        let appError: any;
        try {
          await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: `[emulate error=${status}]` });
        } catch (err) {
          appError = err;
        }
        expect(appError).toBeInstanceOf(genai.ApiError);
        expect(appError.status).toBe(status);
        await settle();
        const span = only(telemetry.spans());
        expect(span.status.code).toBe(2);
        expect(span.attributes['error.type']).toBe(String(status));
        // Not billed, so neither priced nor unpriced.
        expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
        expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
        expect(await telemetry.counterSum('tokenomics.calls.unpriced', { 'gen_ai.provider.name': 'gcp.gemini' })).toBe(0);
        const durations = await telemetry.points('gen_ai.client.operation.duration');
        expect(durations.some((p) => p.attributes['error.type'] === String(status))).toBe(true);
      });
    }

    it('records one span per request a chat makes', async () => {
      const chat = ai.chats.create({ model: 'gemini-2.5-flash' });
      const first = await chat.sendMessage({ message: 'Hello [emulate output_tokens=5]' });
      const second = await chat.sendMessage({ message: 'And again [emulate output_tokens=6]' });
      let streamed = 0;
      for await (const chunk of await chat.sendMessageStream({ message: 'Stream it [emulate output_tokens=4]' })) {
        if (chunk.text) streamed++;
      }
      expect(streamed).toBe(4);
      const spans = telemetry.spans();
      expect(spans).toHaveLength(3);
      expect(spans.map((s) => s.attributes['gen_ai.usage.output_tokens'])).toEqual([5, 6, 4]);
      expect(spans[0].attributes['gen_ai.usage.input_tokens']).toBe(first.usageMetadata.promptTokenCount);
      // The second turn sends the history again.
      expect(spans[1].attributes['gen_ai.usage.input_tokens']).toBe(second.usageMetadata.promptTokenCount);
      expect(second.usageMetadata.promptTokenCount).toBeGreaterThan(first.usageMetadata.promptTokenCount);
      expect(spans.every((s) => s.name === 'generate_content gemini-2.5-flash')).toBe(true);
    });

    it('records Gemini API embeddings with estimated input tokens, since the API reports none', async () => {
      const response = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['alpha beta gamma', 'delta'] });
      expect(response.embeddings).toHaveLength(2);
      await telemetry.settled();
      const span = only(telemetry.spans());
      expect(span.name).toBe('embeddings gemini-embedding-001');
      const a = span.attributes;
      expect(a['gen_ai.operation.name']).toBe('embeddings');
      expect(a['tokenomics.usage.estimated']).toBe(true);
      // o200k_base: "alpha beta gamma" is 3 tokens, "delta" 1.
      expect(a['gen_ai.usage.input_tokens']).toBe(4);
      expect(a['gen_ai.usage.output_tokens']).toBeUndefined();
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((4 * EMBEDDING) / 1e6, 12);
      expect(await telemetry.counterSum('tokenomics.calls.estimated', { 'gen_ai.operation.name': 'embeddings' })).toBeGreaterThanOrEqual(1);
    });

    it('records Vertex AI calls as gcp.vertex_ai, embeddings with the token counts Vertex reports', async () => {
      const vertex = vertexClient();
      const response = await vertex.models.generateContent({ model: 'gemini-2.5-pro', contents: 'Hello Vertex [emulate output_tokens=8]' });
      let span = only(telemetry.spans());
      expect(span.attributes['gen_ai.provider.name']).toBe('gcp.vertex_ai');
      expect(span.attributes['gen_ai.response.model']).toBe(response.modelVersion);
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(cost(PRO, response.usageMetadata.promptTokenCount, 8), 12);
      telemetry.reset();

      const embedded = await vertex.models.embedContent({ model: 'gemini-embedding-001', contents: ['alpha beta gamma', 'delta'] });
      const reported = embedded.embeddings.reduce((n: number, e: any) => n + e.statistics.tokenCount, 0);
      expect(reported).toBeGreaterThan(0);
      span = only(telemetry.spans());
      expect(span.attributes['gen_ai.provider.name']).toBe('gcp.vertex_ai');
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(reported);
      expect(span.attributes['tokenomics.usage.estimated']).toBe(false);
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo((reported * EMBEDDING) / 1e6, 12);
    });

    it('names the model without its resource path', async () => {
      await ai.models.generateContent({ model: 'models/gemini-2.5-flash', contents: 'hi' });
      const span = only(telemetry.spans());
      expect(span.name).toBe('generate_content gemini-2.5-flash');
      expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
    });

    it('flags an unknown model as unpriced, never $0', async () => {
      await ai.models.generateContent({ model: 'my-private-gemini-tune', contents: 'hi' });
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.unpriced']).toBe(true);
      expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(await telemetry.counterSum('tokenomics.calls.unpriced', { 'gen_ai.request.model': 'my-private-gemini-tune' })).toBe(1);
    });

    it('adds cost counters that equal the span figures, attributed to allow-listed keys', async () => {
      const model = { 'gen_ai.request.model': 'gemini-2.5-flash', 'tokenomics.attribution.tenant': 'acme' };
      const before = await telemetry.counterSum('tokenomics.cost', model);
      await withAttribution({ tenant: 'acme', user: 'u-1' }, () =>
        ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'metrics check' }),
      );
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.attribution.user']).toBe('u-1');
      const after = await telemetry.counterSum('tokenomics.cost', model);
      expect(after - before).toBeCloseTo(a['gen_ai.usage.cost.amount'] as number, 12);
      const points = await telemetry.points('tokenomics.cost');
      expect(points.some((p) => 'tokenomics.attribution.user' in p.attributes)).toBe(false);
    });

    it('parents the span under the active span and records no content or key by default', async () => {
      const parent = telemetry.tracerProvider.getTracer('app').startSpan('handler');
      await context.with(trace.setSpan(context.active(), parent), () =>
        ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'secret prompt text' }),
      );
      parent.end();
      const span = telemetry.spans().find((s) => s.name.startsWith('generate_content'))!;
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      const text = JSON.stringify(telemetry.spans().map((s) => s.attributes));
      expect(text).not.toContain('secret prompt text');
      expect(text).not.toContain(API_KEY);
    });

    it('records input and output messages when content capture is on', async () => {
      const local = new GoogleGenAIInstrumentation({ captureMessageContent: true });
      instrumentation.disable();
      telemetry.instrument(local);
      local.patchModule(genai);
      try {
        const response = await ai.models.generateContent({
          model: 'gemini-2.5-flash',
          contents: 'Capture me [emulate output_tokens=3]',
          config: { systemInstruction: 'Be brief.' },
        });
        const a = only(telemetry.spans()).attributes;
        expect(JSON.parse(a['gen_ai.input.messages'] as string)).toEqual([
          { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
          { role: 'user', parts: [{ type: 'text', content: 'Capture me [emulate output_tokens=3]' }] },
        ]);
        expect(JSON.parse(a['gen_ai.output.messages'] as string)).toEqual([
          { role: 'assistant', parts: [{ type: 'text', content: response.text }], finish_reason: 'stop' },
        ]);
      } finally {
        local.disable();
        instrumentation.enable();
      }
    });
  });
}
