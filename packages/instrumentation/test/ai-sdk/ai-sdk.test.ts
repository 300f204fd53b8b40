import { SpanKind, context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AISdkInstrumentation } from '../../src';
import { TestTelemetry } from '../support/telemetry';
import { GENERATIONS, NODE_MAJOR, loadGeneration, loadOtelIntegration } from './load-ai-sdk';

// List prices, USD per million tokens. OpenAI (https://openai.com/api/pricing/): gpt-4o-mini $0.15
// in / $0.075 cached / $0.60 out; o3-mini $1.10 / $0.55 / $4.40; text-embedding-3-small $0.02.
// Anthropic (https://www.anthropic.com/pricing): claude-sonnet-4-5 $3 in, $0.30 cache read, $3.75
// 5-minute and $6 1-hour cache write, $15 out. Gemini API (https://ai.google.dev/gemini-api/docs/pricing):
// gemini-2.5-flash $0.30 in, $0.03 cached, $2.50 out including thinking. Bedrock
// (https://aws.amazon.com/bedrock/pricing/): Claude 3.5 Haiku $0.80 in, $0.08 cache read, $4 out.
// Groq (https://groq.com/pricing): llama-3.1-8b-instant $0.05 in / $0.08 out.
const perMillion = (n: number, rate: number) => (n * rate) / 1e6;

const BEDROCK_HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans.map((s) => s.name)).toHaveLength(1);
  return spans[0];
}

const costOf = (s: ReadableSpan) => s.attributes['gen_ai.usage.cost.amount'] as number;

for (const generation of GENERATIONS) {
  describe.skipIf(NODE_MAJOR < generation.node)(`ai ${generation.ai} with its provider packages`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: AISdkInstrumentation;
    let emulator: Emulator;
    let sdk: ReturnType<typeof loadGeneration>;
    let providers: { openai: any; anthropic: any; google: any; bedrock: any; groq: any };

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = telemetry.instrument(new AISdkInstrumentation());
      emulator = await startEmulator({ port: 0 });
      sdk = loadGeneration(generation);
      providers = {
        openai: sdk.openai.createOpenAI({ baseURL: emulator.openaiBaseURL, apiKey: 'sk-test' }),
        anthropic: sdk.anthropic.createAnthropic({ baseURL: `${emulator.anthropicBaseURL}/v1`, apiKey: 'sk-ant-test' }),
        google: sdk.google.createGoogleGenerativeAI({ baseURL: `${emulator.geminiBaseURL}/v1beta`, apiKey: 'gemini-test' }),
        bedrock: sdk.bedrock.createAmazonBedrock({
          region: 'us-east-1',
          accessKeyId: 'AKIAEXAMPLETEST',
          secretAccessKey: 'bedrock-test-secret',
          baseURL: emulator.bedrockEndpoint,
        }),
        groq: sdk.compatible.createOpenAICompatible({ name: 'groq', baseURL: emulator.openaiBaseURL, apiKey: 'gsk-test' }),
      };
    });

    afterEach(async () => {
      await telemetry.settled();
      telemetry.reset();
      emulator.requests.length = 0;
    });

    afterAll(async () => {
      instrumentation?.disable();
      await emulator?.close();
      await telemetry?.shutdown();
    });

    it('records generateText as one chat span with the billed counts, response model, finish reason and exact cost', async () => {
      const result = await sdk.ai.generateText({
        model: providers.openai.chat('gpt-4o-mini'),
        prompt: 'Which bike for a commute?',
        maxRetries: 0,
      });
      await telemetry.settled();
      const span = only(telemetry.spans());
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.instrumentationScope.name).toBe('@tokenomics/instrumentation-ai-sdk');
      expect(span.attributes['gen_ai.provider.name']).toBe('openai');
      expect(span.attributes['gen_ai.operation.name']).toBe('chat');
      expect(span.attributes['gen_ai.response.model']).toBe(result.response.modelId);
      expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(span.attributes['server.address']).toBe('127.0.0.1');
      expect(span.attributes['server.port']).toBe(emulator.port);
      const input = result.usage.inputTokens as number;
      const output = result.usage.outputTokens as number;
      expect(input).toBeGreaterThan(0);
      expect([span.attributes['gen_ai.usage.input_tokens'], span.attributes['gen_ai.usage.output_tokens']]).toEqual([input, output]);
      expect(span.attributes['tokenomics.usage.estimated']).toBe(false);
      expect(costOf(span)).toBeCloseTo(perMillion(input, 0.15) + perMillion(output, 0.6), 15);
      expect(emulator.requests).toHaveLength(1);
    });

    it('keeps reasoning and cached tokens as subsets of output and input, each priced at its rate', async () => {
      const result = await sdk.ai.generateText({
        model: providers.openai.chat('o3-mini'),
        prompt: 'Plan the maintenance schedule of a fleet of forty city bikes over one year. [emulate reasoning=40 cached=8]',
        maxRetries: 0,
      });
      await telemetry.settled();
      const span = only(telemetry.spans());
      const input = result.usage.inputTokens as number;
      const output = result.usage.outputTokens as number;
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(input);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(8);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(output);
      expect(span.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(40);
      expect(costOf(span)).toBeCloseTo(perMillion(input - 8, 1.1) + perMillion(8, 0.55) + perMillion(output, 4.4), 15);
    });

    it('prices an Anthropic stream with cache reads, 5-minute and 1-hour cache writes once, from the final usage', async () => {
      const stream = sdk.ai.streamText({
        model: providers.anthropic('claude-sonnet-4-5'),
        system: 'You are the support assistant of a bike shop, answering in two sentences.',
        prompt: 'Summarise the return policy. [emulate cache_read=20 cache_write=6 cache_write_1h=4]',
        maxRetries: 0,
      });
      let text = '';
      for await (const piece of stream.textStream) text += piece;
      expect(text.length).toBeGreaterThan(0);
      const usage = await stream.usage;
      await telemetry.settled();
      const span = only(telemetry.spans());
      expect(span.name).toBe('chat claude-sonnet-4-5');
      expect(span.attributes['gen_ai.provider.name']).toBe('anthropic');
      // ai 5 reports Anthropic's input without the cache, as the Messages API does; later majors with it.
      const input = (usage.inputTokens as number) + (generation.ai === 5 ? 20 + 10 : 0);
      const output = usage.outputTokens as number;
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(input);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(20);
      expect(span.attributes['gen_ai.usage.cache_write.input_tokens']).toBe(10);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(output);
      expect(span.attributes['tokenomics.stream.outcome']).toBe('completed');
      expect(span.attributes['tokenomics.usage.estimated']).toBe(false);
      const uncached = input - 20 - 10;
      expect(uncached).toBeGreaterThan(0);
      expect(costOf(span)).toBeCloseTo(
        perMillion(uncached, 3) + perMillion(20, 0.3) + perMillion(6, 3.75) + perMillion(4, 6) + perMillion(output, 15),
        15,
      );
      expect(span.attributes['tokenomics.cost.cache_write_1h']).toBeCloseTo(perMillion(4, 6), 15);
    });

    it('counts Gemini thinking tokens as output and cached content as cache read', async () => {
      const result = await sdk.ai.generateText({
        model: providers.google('gemini-2.5-flash'),
        prompt: 'How often should brake pads be replaced? [emulate reasoning=7 cached=2]',
        maxRetries: 0,
      });
      await telemetry.settled();
      const span = only(telemetry.spans());
      expect(span.name).toBe('generate_content gemini-2.5-flash');
      expect(span.attributes['gen_ai.provider.name']).toBe('gcp.gemini');
      const input = result.usage.inputTokens as number;
      // ai 5 reports Gemini's candidates without the thinking tokens, as the API does; later majors with them.
      const output = (result.usage.outputTokens as number) + (generation.ai === 5 ? 7 : 0);
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(input);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(2);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(output);
      expect(span.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(7);
      expect(costOf(span)).toBeCloseTo(perMillion(input - 2, 0.3) + perMillion(2, 0.03) + perMillion(output, 2.5), 15);
    });

    it('includes Bedrock cache reads in the input of a Converse stream', async () => {
      const stream = sdk.ai.streamText({
        model: providers.bedrock(BEDROCK_HAIKU),
        prompt: 'List three checks before a long ride. [emulate cache_read=3]',
        maxRetries: 0,
      });
      for await (const _ of stream.textStream) void _;
      const usage = await stream.usage;
      await telemetry.settled();
      const span = only(telemetry.spans());
      expect(span.name).toBe(`chat ${BEDROCK_HAIKU}`);
      expect(span.attributes['gen_ai.provider.name']).toBe('aws.bedrock');
      // ai 5 reports Bedrock's input without the cache, as Converse does; later majors with it.
      const input = (usage.inputTokens as number) + (generation.ai === 5 ? 3 : 0);
      const output = usage.outputTokens as number;
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(input);
      expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(3);
      expect(costOf(span)).toBeCloseTo(perMillion(input - 3, 0.8) + perMillion(3, 0.08) + perMillion(output, 4), 15);
    });

    it('names an OpenAI-compatible provider as the app did and estimates a stream that carried no usage', async () => {
      const answer = await sdk.ai.generateText({ model: providers.groq('llama-3.1-8b-instant'), prompt: 'Hello', maxRetries: 0 });
      const stream = sdk.ai.streamText({ model: providers.groq('llama-3.1-8b-instant'), prompt: 'Hello', maxRetries: 0 });
      for await (const _ of stream.textStream) void _;
      await telemetry.settled();
      const [billed, streamed] = telemetry.spans();
      for (const s of [billed, streamed]) expect(s.attributes['gen_ai.provider.name']).toBe('groq');
      const input = answer.usage.inputTokens as number;
      const output = answer.usage.outputTokens as number;
      expect(billed.attributes['tokenomics.usage.estimated']).toBe(false);
      expect(costOf(billed)).toBeCloseTo(perMillion(input, 0.05) + perMillion(output, 0.08), 15);
      // The compatible provider asks for no usage in streams: counted locally and flagged.
      expect(streamed.attributes['tokenomics.usage.estimated']).toBe(true);
      expect(streamed.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(costOf(streamed)).toBeGreaterThan(0);
    });

    it('records each step of a tool loop as its own span, a child of the span active when the app called', async () => {
      const tracer = telemetry.tracerProvider.getTracer('app');
      const result = await tracer.startActiveSpan('handle request', async (parent) => {
        try {
          return await sdk.ai.generateText({
            model: providers.openai.chat('gpt-4o-mini'),
            prompt: 'Is the Trekking 500 in stock in Lyon?',
            tools: {
              stock: sdk.ai.tool({
                description: 'Units in stock',
                inputSchema: sdk.z.object({ product: sdk.z.string() }),
                execute: async () => ({ units: 3 }),
              }),
            },
            prepareStep: ({ stepNumber }: { stepNumber: number }) => ({ toolChoice: stepNumber === 0 ? 'required' : 'none' }),
            stopWhen: sdk.ai.stepCountIs(2),
            maxRetries: 0,
          });
        } finally {
          parent.end();
        }
      });
      await telemetry.settled();
      const all = telemetry.spans();
      const parent = all.find((s) => s.name === 'handle request')!;
      const steps = all.filter((s) => s.name === 'chat gpt-4o-mini');
      expect(result.steps).toHaveLength(2);
      expect(steps).toHaveLength(2);
      expect(emulator.requests).toHaveLength(2);
      for (const [i, s] of steps.entries()) {
        expect(s.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
        expect(s.attributes['gen_ai.usage.input_tokens']).toBe(result.steps[i].usage.inputTokens);
        expect(s.attributes['gen_ai.usage.output_tokens']).toBe(result.steps[i].usage.outputTokens);
      }
      // The provider's own finish reason where the spec carries it (v3), else the SDK's (v2).
      expect(steps[0].attributes['gen_ai.response.finish_reasons']).toEqual([generation.ai === 5 ? 'tool-calls' : 'tool_calls']);
      expect(steps[1].attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    });

    it('records each model call of an agent run (ToolLoopAgent, Experimental_Agent in ai 5)', async () => {
      const Agent = generation.ai >= 6 ? sdk.ai.ToolLoopAgent : sdk.ai.Experimental_Agent;
      const agent = new Agent({
        model: providers.anthropic('claude-sonnet-4-5'),
        instructions: 'You answer stock questions.',
        tools: {
          stock: sdk.ai.tool({
            description: 'Units in stock',
            inputSchema: sdk.z.object({ product: sdk.z.string() }),
            execute: async () => ({ units: 3 }),
          }),
        },
        prepareStep: ({ stepNumber }: { stepNumber: number }) => ({ toolChoice: stepNumber === 0 ? 'required' : 'none' }),
        stopWhen: sdk.ai.stepCountIs(2),
        maxRetries: 0,
      });
      const result = await agent.generate({ prompt: 'Is the Trekking 500 in stock?' });
      await telemetry.settled();
      const spans = telemetry.spans();
      expect(result.steps).toHaveLength(2);
      expect(spans.map((s) => s.name)).toEqual(['chat claude-sonnet-4-5', 'chat claude-sonnet-4-5']);
      expect(spans.map((s) => s.attributes['gen_ai.usage.output_tokens'])).toEqual(result.steps.map((s: any) => s.usage.outputTokens));
      expect(emulator.requests).toHaveLength(2);
    });

    it('records generateObject and streamObject as one span each', async () => {
      const schema = sdk.z.object({ summary: sdk.z.string() });
      const providerOptions = { anthropic: { structuredOutputMode: 'jsonTool' } };
      const model = providers.anthropic('claude-sonnet-4-5');
      const object = await sdk.ai.generateObject({ model, schema, prompt: 'Summarise: the strap broke.', providerOptions, maxRetries: 0 });
      const streamed = sdk.ai.streamObject({ model, schema, prompt: 'Summarise: the bell rattles.', providerOptions, maxRetries: 0 });
      for await (const _ of streamed.partialObjectStream) void _;
      const streamedUsage = await streamed.usage;
      await telemetry.settled();
      const spans = telemetry.spans();
      expect(spans.map((s) => s.name)).toEqual(['chat claude-sonnet-4-5', 'chat claude-sonnet-4-5']);
      expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(object.usage.outputTokens);
      expect(spans[1].attributes['gen_ai.usage.output_tokens']).toBe(streamedUsage.outputTokens);
      expect(spans[1].attributes['tokenomics.stream.outcome']).toBe('completed');
      expect(emulator.requests).toHaveLength(2);
    });

    it('records embed and embedMany as one embeddings span per provider request', async () => {
      const model = providers.openai.embedding('text-embedding-3-small');
      const one = await sdk.ai.embed({ model, value: 'tubeless tyres', maxRetries: 0 });
      const many = await sdk.ai.embedMany({ model, values: ['chain oil', 'brake pads', 'saddle bag'], maxRetries: 0 });
      await telemetry.settled();
      const spans = telemetry.spans();
      expect(spans.map((s) => s.name)).toEqual(['embeddings text-embedding-3-small', 'embeddings text-embedding-3-small']);
      expect(spans.map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([one.usage.tokens, many.usage.tokens]);
      expect(costOf(spans[1])).toBeCloseTo(perMillion(many.usage.tokens, 0.02), 16);
      expect(emulator.requests).toHaveLength(2);
    });

    it('marks a stream the app aborts as aborted and prices it from an estimate', async () => {
      const controller = new AbortController();
      const stream = sdk.ai.streamText({
        model: providers.openai.chat('gpt-4o-mini'),
        prompt: 'Describe every bike in the catalogue. [emulate stall_after=2]',
        abortSignal: controller.signal,
        maxRetries: 0,
        onError: () => {},
      });
      const seen: string[] = [];
      try {
        for await (const piece of stream.textStream) {
          seen.push(piece);
          controller.abort();
        }
      } catch {
        // The SDK may reject the iteration with the abort error.
      }
      await telemetry.settled();
      const span = only(telemetry.spans());
      expect(seen.length).toBeGreaterThan(0);
      expect(span.attributes['tokenomics.stream.outcome']).toBe('aborted');
      expect(span.attributes['tokenomics.usage.estimated']).toBe(true);
      expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(costOf(span)).toBeGreaterThan(0);
    });

    it('ends a call the provider refused as an error span without cost', async () => {
      await expect(
        sdk.ai.generateText({ model: providers.openai.chat('gpt-4o-mini'), prompt: 'Busy? [emulate error=429]', maxRetries: 0 }),
      ).rejects.toThrow();
      await telemetry.settled();
      const span = only(telemetry.spans());
      expect(span.attributes['error.type']).toBe('429');
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
    });

    it("leaves the app's model object as it was", async () => {
      const model = providers.openai.chat('gpt-4o-mini');
      const keys = Reflect.ownKeys(model);
      const proto = Object.getPrototypeOf(model);
      const doGenerate = model.doGenerate;
      await sdk.ai.generateText({ model, prompt: 'Hi', maxRetries: 0 });
      expect(Reflect.ownKeys(model)).toEqual(keys);
      expect(Object.getPrototypeOf(model)).toBe(proto);
      expect(model.doGenerate).toBe(doGenerate);
      expect(Object.hasOwn(model, 'doGenerate')).toBe(false);
    });

    it('passes a frozen model literal on as it is (a proxy may not change its methods), and the call still works', async () => {
      const inner = providers.openai.chat('gpt-4o-mini');
      const frozen = Object.freeze({
        specificationVersion: inner.specificationVersion,
        provider: inner.provider,
        modelId: inner.modelId,
        supportedUrls: {},
        doGenerate: (options: unknown) => inner.doGenerate(options),
        doStream: (options: unknown) => inner.doStream(options),
      });
      const result = await sdk.ai.generateText({ model: frozen, prompt: 'Hi', maxRetries: 0 });
      expect(result.text.length).toBeGreaterThan(0);
      await telemetry.settled();
      expect(telemetry.spans()).toEqual([]);
    });

    it('records the requests under a middleware, not the answers it gives itself (a cache)', async () => {
      const cache = new Map<string, unknown>();
      const model = sdk.ai.wrapLanguageModel({
        model: providers.openai.chat('gpt-4o-mini'),
        middleware: {
          ...(generation.ai >= 6 ? { specificationVersion: 'v3' } : {}),
          wrapGenerate: async ({ doGenerate, params }: { doGenerate: () => Promise<unknown>; params: unknown }) => {
            const key = JSON.stringify(params);
            if (!cache.has(key)) cache.set(key, await doGenerate());
            return cache.get(key);
          },
        },
      });
      const first = await sdk.ai.generateText({ model, prompt: 'Opening hours?', maxRetries: 0 });
      const second = await sdk.ai.generateText({ model, prompt: 'Opening hours?', maxRetries: 0 });
      expect(second.text).toBe(first.text);
      await telemetry.settled();
      expect(emulator.requests).toHaveLength(1);
      const span = only(telemetry.spans());
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(first.usage.inputTokens);
    });

    it("counts on the cost counter exactly the spans' cost", async () => {
      const before = await telemetry.counterSum('tokenomics.cost');
      await sdk.ai.generateText({ model: providers.openai.chat('gpt-4o-mini'), prompt: 'One', maxRetries: 0 });
      await sdk.ai.generateText({ model: providers.anthropic('claude-sonnet-4-5'), prompt: 'Two [emulate cache_read=2]', maxRetries: 0 });
      await telemetry.settled();
      const spans = telemetry.spans();
      const after = await telemetry.counterSum('tokenomics.cost');
      expect(after - before).toBeCloseTo(costOf(spans[0]) + costOf(spans[1]), 15);
    });

    it('with the SDK telemetry on, marks its model-call span as a duplicate of ours, our span its child', async () => {
      const tracer = telemetry.tracerProvider.getTracer('ai');
      await sdk.ai.generateText({
        model: providers.openai.chat('gpt-4o-mini'),
        prompt: 'Hi',
        maxRetries: 0,
        experimental_telemetry: { isEnabled: true, tracer },
      });
      await telemetry.settled();
      const spans = telemetry.spans();
      const ours = only(spans.filter((s) => s.instrumentationScope.name === '@tokenomics/instrumentation-ai-sdk'));
      if (generation.ai >= 7) {
        // ai 7 emits spans only through a registered telemetry integration.
        return;
      }
      const sdkCall = spans.find((s) => s.name === 'ai.generateText.doGenerate')!;
      expect(ours.parentSpanContext?.spanId).toBe(sdkCall.spanContext().spanId);
      expect(sdkCall.attributes['tokenomics.duplicate_of']).toBe(ours.spanContext().spanId);
      expect(sdkCall.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    });

    it('marks an active GenAI client span of the same model as the second span of the call, never an app span of another model', async () => {
      const tracer = telemetry.tracerProvider.getTracer('bike-shop');
      const around = (name: string, kind: SpanKind, model: string) =>
        tracer.startActiveSpan(
          name,
          { kind, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model } },
          async (span) => {
            try {
              await sdk.ai.generateText({ model: providers.openai.chat('gpt-4o-mini'), prompt: 'Hi', maxRetries: 0 });
            } finally {
              span.end();
            }
            return span.spanContext().spanId;
          },
        );
      const sameModel = await around('chat gpt-4o-mini', SpanKind.CLIENT, 'gpt-4o-mini');
      const otherModel = await around('chat gpt-4o', SpanKind.CLIENT, 'gpt-4o');
      const internal = await around('chat gpt-4o-mini', SpanKind.INTERNAL, 'gpt-4o-mini');
      await telemetry.settled();
      const spans = telemetry.spans();
      const ours = spans.filter((s) => s.instrumentationScope.name === '@tokenomics/instrumentation-ai-sdk');
      const app = (id: string) => spans.find((s) => s.spanContext().spanId === id)!;
      const child = (id: string) => only(ours.filter((s) => s.parentSpanContext?.spanId === id));
      expect(ours).toHaveLength(3);
      expect(app(sameModel).attributes['tokenomics.duplicate_of']).toBe(child(sameModel).spanContext().spanId);
      expect(app(otherModel).attributes['tokenomics.duplicate_of']).toBeUndefined();
      expect(app(internal).attributes['tokenomics.duplicate_of']).toBeUndefined();
      for (const s of ours) expect(s.attributes['tokenomics.duplicate_of']).toBeUndefined();
    });

    it.skipIf(generation.ai < 7)(
      "with @ai-sdk/otel's integration given to the call, marks its client span of each model call, also for generateObject and embed, which call the model outside it",
      async () => {
        const { OpenTelemetry } = loadOtelIntegration();
        const integration = new OpenTelemetry({ tracer: telemetry.tracerProvider.getTracer('ai-sdk-app') });
        const sdkTelemetry = { isEnabled: true, integrations: [integration] };
        await sdk.ai.generateText({ model: providers.openai.chat('gpt-4o-mini'), prompt: 'Hi', maxRetries: 0, telemetry: sdkTelemetry });
        const schema = sdk.z.object({ summary: sdk.z.string() });
        await sdk.ai.generateObject({
          model: providers.anthropic('claude-sonnet-4-5'),
          schema,
          prompt: 'Summarise: the strap broke.',
          providerOptions: { anthropic: { structuredOutputMode: 'jsonTool' } },
          maxRetries: 0,
          telemetry: sdkTelemetry,
        });
        await sdk.ai.embed({
          model: providers.openai.embedding('text-embedding-3-small'),
          value: 'tyres',
          maxRetries: 0,
          telemetry: sdkTelemetry,
        });
        await telemetry.settled();
        const spans = telemetry.spans();
        const ours = spans.filter((s) => s.instrumentationScope.name === '@tokenomics/instrumentation-ai-sdk');
        const sdkCalls = spans.filter(
          (s) => s.instrumentationScope.name === 'ai-sdk-app' && s.kind === SpanKind.CLIENT && s.parentSpanContext,
        );
        expect(ours.map((s) => s.name)).toEqual(['chat gpt-4o-mini', 'chat claude-sonnet-4-5', 'embeddings text-embedding-3-small']);
        expect(sdkCalls.map((s) => s.name).sort()).toEqual([
          'chat claude-sonnet-4-5',
          'chat gpt-4o-mini',
          'embeddings text-embedding-3-small',
        ]);
        for (const s of sdkCalls) {
          const hook = only(ours.filter((o) => o.spanContext().spanId === s.attributes['tokenomics.duplicate_of']));
          expect(hook.name, s.name).toBe(s.name);
          expect(s.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
          expect(costOf(hook)).toBeGreaterThan(0);
        }
        // Only generateText runs the model inside the SDK's span.
        expect(ours.map((s) => sdkCalls.some((c) => c.spanContext().spanId === s.parentSpanContext?.spanId))).toEqual([true, false, false]);
      },
    );

    it.skipIf(generation.ai < 7)(
      "with @ai-sdk/otel's integration registered for every call, marks its client span of a generateObject call, which calls the model outside it",
      async () => {
        const { OpenTelemetry } = loadOtelIntegration();
        const integration = new OpenTelemetry({ tracer: telemetry.tracerProvider.getTracer('ai-sdk-app') });
        sdk.ai.registerTelemetry(integration);
        try {
          await sdk.ai.generateObject({
            model: providers.anthropic('claude-sonnet-4-5'),
            schema: sdk.z.object({ summary: sdk.z.string() }),
            prompt: 'Summarise: the chain slipped.',
            providerOptions: { anthropic: { structuredOutputMode: 'jsonTool' } },
            maxRetries: 0,
            telemetry: { isEnabled: true },
          });
        } finally {
          const registered = (globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] }).AI_SDK_TELEMETRY_INTEGRATIONS ?? [];
          registered.splice(registered.indexOf(integration), 1);
        }
        await telemetry.settled();
        const spans = telemetry.spans();
        const ours = only(spans.filter((s) => s.instrumentationScope.name === '@tokenomics/instrumentation-ai-sdk'));
        const sdkCall = only(
          spans.filter((s) => s.instrumentationScope.name === 'ai-sdk-app' && s.kind === SpanKind.CLIENT && s.parentSpanContext),
        );
        expect(sdkCall.name).toBe('chat claude-sonnet-4-5');
        expect(sdkCall.attributes['tokenomics.duplicate_of']).toBe(ours.spanContext().spanId);
        expect(costOf(ours)).toBeGreaterThan(0);
      },
    );

    it('records nothing while disabled, and the app gets the same result', async () => {
      instrumentation.disable();
      try {
        const result = await sdk.ai.generateText({ model: providers.openai.chat('gpt-4o-mini'), prompt: 'Hi', maxRetries: 0 });
        expect(result.text.length).toBeGreaterThan(0);
        expect(telemetry.spans()).toEqual([]);
      } finally {
        instrumentation.enable();
      }
    });
  });
}

describe('the active context', () => {
  it('is the one restored after a call', () => {
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});
