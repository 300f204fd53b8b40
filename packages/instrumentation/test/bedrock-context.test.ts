import { context, createContextKey, trace, type Context } from '@opentelemetry/api';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRuntimeInstrumentation } from '../src';
import { callsAttachedByInput, MAX_CALLS_BY_INPUT } from '../src/bedrock/response-headers';
import { localClientConfig, requireBedrock, type BedrockRelease } from './support/load-bedrock';
import { TestTelemetry } from './support/telemetry';

// The context a Bedrock call's requests are sent in. With no tracer provider (the hook's default
// set-up) they are sent in the app's own context: no context is entered, so the context manager
// does not start tracking every promise of the process, and the instrumentation's middleware finds
// the call by its command's input instead, for the token counts InvokeModel carries only in its
// response headers. With a tracer provider, they are sent under the call's span.

const APP_KEY = createContextKey('app.request');
const MISTRAL_ID = 'mistral.mistral-7b-instruct-v0:2';
const HAIKU_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';

interface Exchange {
  context: Context;
  inputTokens: number;
  outputTokens: number;
}

for (const release of ['current', '3.600'] as BedrockRelease[]) {
  describe(`@aws-sdk/client-bedrock-runtime ${release}: the context a call runs in`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: BedrockRuntimeInstrumentation;
    let emulator: Emulator;
    let sdk: any;
    let client: any;
    const exchanges: Exchange[] = [];

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = new BedrockRuntimeInstrumentation();
      // No tracer provider anywhere at first: the span API hands out non-recording spans.
      instrumentation.setMeterProvider(telemetry.meterProvider);
      instrumentation.enable();
      emulator = await startEmulator({ port: 0 });
      sdk = requireBedrock(release);
      // Loaded (and unpatched) by another suite in the same process: patch this copy directly.
      instrumentation.patchModule(sdk);
      client = new sdk.BedrockRuntimeClient(localClientConfig(emulator.bedrockEndpoint));
      // The app's own middleware, next to the request: the context it is sent in, and the token
      // counts of the response headers.
      client.middlewareStack.add(
        (next: (args: unknown) => Promise<any>) => async (args: unknown) => {
          const active = context.active();
          const result = await next(args);
          const headers = result.response.headers as Record<string, string>;
          exchanges.push({
            context: active,
            inputTokens: Number(headers['x-amzn-bedrock-input-token-count']),
            outputTokens: Number(headers['x-amzn-bedrock-output-token-count']),
          });
          return result;
        },
        { step: 'deserialize', name: 'appProbe', priority: 'low' },
      );
    });

    afterAll(async () => {
      instrumentation?.disable();
      client?.destroy();
      await emulator?.close();
      await telemetry?.shutdown();
    });

    const invokeMistral = (prompt: string) =>
      new sdk.InvokeModelCommand({ modelId: MISTRAL_ID, body: JSON.stringify({ prompt: `<s>[INST] ${prompt} [/INST]`, max_tokens: 40 }) });

    /** Sum of the input or output token histogram of the Mistral model's calls. */
    async function mistralTokens(type: 'input' | 'output'): Promise<{ count: number; sum: number }> {
      const points = await telemetry.points('gen_ai.client.token.usage');
      const match = points.filter((p) => p.attributes['gen_ai.request.model'] === MISTRAL_ID && p.attributes['gen_ai.token.type'] === type);
      return match.reduce((acc, p) => ({ count: acc.count + (p.value as any).count, sum: acc.sum + (p.value as any).sum }), {
        count: 0,
        sum: 0,
      });
    }

    it('metrics only: each command is sent in the app context, with no span, and InvokeModel is billed from its headers', async () => {
      exchanges.length = 0;
      const appContext = context.active().setValue(APP_KEY, 'metrics only');
      const again = invokeMistral('Capital of France?');
      await context.with(appContext, async () => {
        await client.send(new sdk.ConverseCommand({ modelId: HAIKU_ID, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }));
        await client.send(again);
        // The same command again, once the first send has settled: still found by its input.
        await client.send(again);
        // Callback style.
        await new Promise((resolve, reject) =>
          client.send(invokeMistral('Capital of Italy?'), (err: unknown, out: unknown) => (err ? reject(err) : resolve(out))),
        );
        const stream = await client.send(
          new sdk.ConverseStreamCommand({ modelId: HAIKU_ID, messages: [{ role: 'user', content: [{ text: 'Hello' }] }] }),
        );
        for await (const event of stream.stream) void event;
      });
      expect(exchanges).toHaveLength(5);
      for (const exchange of exchanges) expect(exchange.context).toBe(appContext);
      expect(trace.getSpan(exchanges[0].context)).toBeUndefined();
      expect(telemetry.spans()).toHaveLength(0);

      const mistral = [exchanges[1], exchanges[2], exchanges[3]];
      for (const exchange of mistral) expect(exchange.inputTokens).toBeGreaterThan(0);
      expect(await mistralTokens('input')).toEqual({ count: 3, sum: mistral.reduce((n, e) => n + e.inputTokens, 0) });
      expect(await mistralTokens('output')).toEqual({ count: 3, sum: mistral.reduce((n, e) => n + e.outputTokens, 0) });
      expect(await telemetry.counterSum('tokenomics.calls.estimated')).toBe(0);
    });

    it('metrics only: two sends of one command in flight at once are each billed from their own headers', async () => {
      exchanges.length = 0;
      const before = await mistralTokens('input');
      const command = invokeMistral('Capital of Spain?');
      await Promise.all([client.send(command), client.send(command)]);
      expect(exchanges).toHaveLength(2);
      const after = await mistralTokens('input');
      expect(after.count - before.count).toBe(2);
      expect(after.sum - before.sum).toBe(exchanges[0].inputTokens + exchanges[1].inputTokens);
      expect(await telemetry.counterSum('tokenomics.calls.estimated')).toBe(0);
    });

    it('metrics only: more calls in flight than are found by their input are each billed from their own headers', async () => {
      exchanges.length = 0;
      const before = await mistralTokens('input');
      const n = MAX_CALLS_BY_INPUT + 8;
      const commands = Array.from({ length: n }, (_, i) => invokeMistral(`Question ${i}?`));
      await Promise.all(commands.map((c) => client.send(c)));
      expect(exchanges).toHaveLength(n);
      const after = await mistralTokens('input');
      expect(after.count - before.count).toBe(n);
      expect(after.sum - before.sum).toBe(exchanges.reduce((sum, e) => sum + e.inputTokens, 0));
      expect(await telemetry.counterSum('tokenomics.calls.estimated')).toBe(0);
      // Every settled send let go of its entry: the next call is found by its input again, in the app context.
      expect(callsAttachedByInput()).toBe(0);
      exchanges.length = 0;
      const appContext = context.active().setValue(APP_KEY, 'after the crowd');
      await context.with(appContext, () => client.send(invokeMistral('One more?')));
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0].context).toBe(appContext);
    });

    it("with a tracer provider: the request runs under the call's span, keeping the app's values", async () => {
      instrumentation.setTracerProvider(telemetry.tracerProvider);
      exchanges.length = 0;
      telemetry.reset();
      const appContext = context.active().setValue(APP_KEY, 'traced');
      await context.with(appContext, () => client.send(invokeMistral('Capital of Portugal?')));
      const spans = telemetry.spans();
      expect(spans).toHaveLength(1);
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0].context.getValue(APP_KEY)).toBe('traced');
      expect(trace.getSpan(exchanges[0].context)?.spanContext().spanId).toBe(spans[0].spanContext().spanId);
      expect(spans[0].attributes['gen_ai.usage.input_tokens']).toBe(exchanges[0].inputTokens);
      expect(spans[0].attributes['tokenomics.usage.estimated']).toBe(false);
    });
  });
}
