import { context, createContextKey, trace, type Context } from '@opentelemetry/api';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AISdkInstrumentation } from '../../src';
import { TestTelemetry } from '../support/telemetry';
import { GENERATIONS, NODE_MAJOR, loadGeneration } from './load-ai-sdk';

// The context an AI SDK model call runs in. With no tracer provider (the hook's default set-up) the
// provider's request is sent in the app's own context: no context is entered, so the context
// manager does not start tracking every promise of the process. With a tracer provider, it is sent
// under the call's span, in a context that keeps the app's values.

const APP_KEY = createContextKey('app.request');

for (const generation of GENERATIONS) {
  describe.skipIf(NODE_MAJOR < generation.node)(`ai ${generation.ai}: the context a model call runs in`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: AISdkInstrumentation;
    let emulator: Emulator;
    let sdk: ReturnType<typeof loadGeneration>;
    let calls: { name: string; run: () => Promise<unknown> }[];
    const seen: Context[] = [];

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = new AISdkInstrumentation();
      // No tracer provider anywhere at first: the span API hands out non-recording spans.
      instrumentation.setMeterProvider(telemetry.meterProvider);
      instrumentation.enable();
      emulator = await startEmulator({ port: 0 });
      sdk = loadGeneration(generation);
      // The provider's fetch, noting the context each request is sent in.
      const fetch = (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) => {
        seen.push(context.active());
        return globalThis.fetch(input, init);
      };
      const openai = sdk.openai.createOpenAI({ baseURL: emulator.openaiBaseURL, apiKey: 'sk-test', fetch });
      const anthropic = sdk.anthropic.createAnthropic({ baseURL: `${emulator.anthropicBaseURL}/v1`, apiKey: 'sk-ant-test', fetch });
      calls = [
        { name: 'generateText', run: () => sdk.ai.generateText({ model: openai.chat('gpt-4o-mini'), prompt: 'Hello', maxRetries: 0 }) },
        {
          name: 'streamText',
          run: async () => {
            const stream = sdk.ai.streamText({ model: anthropic('claude-sonnet-4-5'), prompt: 'Hello', maxRetries: 0 });
            for await (const piece of stream.textStream) void piece;
            return stream.usage;
          },
        },
        {
          name: 'embed',
          run: () => sdk.ai.embed({ model: openai.embedding('text-embedding-3-small'), value: 'tubeless tyres', maxRetries: 0 }),
        },
      ];
    });

    afterAll(async () => {
      instrumentation?.disable();
      await emulator?.close();
      await telemetry?.shutdown();
    });

    it('metrics only: each model call sends its request in the app context, with no span, and is recorded', async () => {
      for (const call of calls) {
        seen.length = 0;
        const appContext = context.active().setValue(APP_KEY, call.name);
        await context.with(appContext, call.run);
        expect(seen.length, call.name).toBeGreaterThan(0);
        for (const ctx of seen) expect(ctx, call.name).toBe(appContext);
        expect(trace.getSpan(seen[0]), call.name).toBeUndefined();
      }
      await telemetry.settled();
      expect(telemetry.spans()).toHaveLength(0);
      const points = await telemetry.points('gen_ai.client.operation.duration');
      const recorded = points.map((p) => `${p.attributes['gen_ai.operation.name']} ${p.attributes['gen_ai.request.model']}`);
      expect(new Set(recorded)).toEqual(new Set(['chat gpt-4o-mini', 'chat claude-sonnet-4-5', 'embeddings text-embedding-3-small']));
    });

    it("with a tracer provider: each model call's request runs under the call's span, keeping the app's values", async () => {
      instrumentation.setTracerProvider(telemetry.tracerProvider);
      for (const call of calls) {
        seen.length = 0;
        telemetry.reset();
        const appContext = context.active().setValue(APP_KEY, call.name);
        await context.with(appContext, call.run);
        await telemetry.settled();
        const spans = telemetry.spans();
        expect(spans, call.name).toHaveLength(1);
        expect(seen.length, call.name).toBeGreaterThan(0);
        expect(seen[0].getValue(APP_KEY), call.name).toBe(call.name);
        expect(trace.getSpan(seen[0])?.spanContext().spanId, call.name).toBe(spans[0].spanContext().spanId);
      }
    });
  });
}
