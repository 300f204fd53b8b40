import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRuntimeInstrumentation, withAttribution, waitForPendingEstimates } from '../src';
import { localClientConfig, requireBedrock, type BedrockRelease } from './support/load-bedrock';
import { TestTelemetry } from './support/telemetry';

// Published Amazon Bedrock on-demand prices, USD per million tokens (https://aws.amazon.com/bedrock/pricing/):
// Anthropic Claude 3.5 Haiku $0.80 input, $1.00 cache write, $0.08 cache read, $4.00 output
// (the same in-region and through the us./eu./apac. cross-region inference profiles);
// Meta Llama 3.1 8B Instruct $0.22 input, $0.22 output; Mistral 7B Instruct $0.15 input, $0.20 output.
const HAIKU = { input: 0.8, cacheWrite: 1, cacheRead: 0.08, output: 4 };
const LLAMA_8B = { input: 0.22, output: 0.22 };
const MISTRAL_7B = { input: 0.15, output: 0.2 };

const HAIKU_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const LLAMA_ID = 'meta.llama3-1-8b-instruct-v1:0';

/** Cost in USD of semconv usage (input includes cache reads and writes). */
function haikuCost(input: number, output: number, cacheRead = 0, cacheWrite = 0): number {
  return (
    ((input - cacheRead - cacheWrite) * HAIKU.input + cacheRead * HAIKU.cacheRead + cacheWrite * HAIKU.cacheWrite + output * HAIKU.output) /
    1e6
  );
}

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans).toHaveLength(1);
  return spans[0];
}

/** Lets the call end (a short wait), then waits for any usage estimate the token worker is counting. */
async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await waitForPendingEstimates(120_000);
}

function userMessage(text: string) {
  return [{ role: 'user', content: [{ text }] }];
}

function claudeBody(text: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 256,
    messages: [{ role: 'user', content: text }],
    ...extra,
  });
}

const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

for (const release of ['current', '3.600'] as BedrockRelease[]) {
  describe(`@aws-sdk/client-bedrock-runtime ${release}`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: BedrockRuntimeInstrumentation;
    let emulator: Emulator;
    let sdk: any;
    let client: any;

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = new BedrockRuntimeInstrumentation();
      telemetry.instrument(instrumentation);
      emulator = await startEmulator({ port: 0 });
      sdk = requireBedrock(release);
      client = new sdk.BedrockRuntimeClient(localClientConfig(emulator.bedrockEndpoint));
    });

    afterEach(async () => {
      await telemetry.settled();
      telemetry.reset();
    });

    afterAll(async () => {
      instrumentation.disable();
      client.destroy();
      await emulator.close();
      await telemetry.shutdown();
    });

    it('records a Converse call with input including cache reads and writes, each priced once', async () => {
      const output = await client.send(
        new sdk.ConverseCommand({
          modelId: `us.${HAIKU_ID}`,
          messages: userMessage(`${'Shared policy text. '.repeat(30)} [emulate cache_read=40 cache_write=24 output_tokens=9]`),
          inferenceConfig: { maxTokens: 200, temperature: 0.3, topP: 0.8, stopSequences: ['###'] },
        }),
      );
      const u = output.usage;
      expect(u.cacheReadInputTokens).toBe(40);
      expect(u.cacheWriteInputTokens).toBe(24);
      expect(u.outputTokens).toBe(9);
      const input = u.inputTokens + 40 + 24;
      expect(u.totalTokens).toBe(input + 9);

      const span = only(telemetry.spans());
      expect(span.name).toBe(`chat us.${HAIKU_ID}`);
      expect(span.kind).toBe(2); // CLIENT
      const a = span.attributes;
      expect(a['gen_ai.operation.name']).toBe('chat');
      expect(a['gen_ai.provider.name']).toBe('aws.bedrock');
      expect(a['gen_ai.request.model']).toBe(`us.${HAIKU_ID}`);
      expect(a['gen_ai.request.max_tokens']).toBe(200);
      expect(a['gen_ai.request.temperature']).toBe(0.3);
      expect(a['gen_ai.request.top_p']).toBe(0.8);
      expect(a['gen_ai.request.stop_sequences']).toEqual(['###']);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
      expect(a['gen_ai.usage.input_tokens']).toBe(input);
      expect(a['gen_ai.usage.output_tokens']).toBe(9);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(40);
      expect(a['gen_ai.usage.cache_write.input_tokens']).toBe(24);
      expect(a['server.address']).toBe('127.0.0.1');
      expect(a['server.port']).toBe(emulator.port);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.cost.input']).toBeCloseTo((u.inputTokens * HAIKU.input) / 1e6, 12);
      expect(a['tokenomics.cost.cache_read']).toBeCloseTo((40 * HAIKU.cacheRead) / 1e6, 12);
      expect(a['tokenomics.cost.cache_write']).toBeCloseTo((24 * HAIKU.cacheWrite) / 1e6, 12);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(haikuCost(input, 9, 40, 24), 12);

      const tokens = (type: string) => telemetry.counterSum('tokenomics.tokens', { 'tokenomics.token.type': type });
      expect(await tokens('input')).toBe(u.inputTokens);
      expect(await tokens('cache_read')).toBe(40);
      expect(await tokens('cache_write')).toBe(24);
      expect(await tokens('output')).toBe(9);
      const cost = await telemetry.counterSum('tokenomics.cost', { 'gen_ai.provider.name': 'aws.bedrock' });
      expect(cost).toBeCloseTo(a['gen_ai.usage.cost.amount'] as number, 12);
    });

    it('prices inference-profile prefixes and ARNs of a model like the model itself', async () => {
      const ids = [
        HAIKU_ID,
        `us.${HAIKU_ID}`,
        `eu.${HAIKU_ID}`,
        `apac.${HAIKU_ID}`,
        `arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.${HAIKU_ID}`,
        `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU_ID}`,
      ];
      for (const modelId of ids) {
        await client.send(new sdk.ConverseCommand({ modelId, messages: userMessage('Price me [emulate output_tokens=5]') }));
      }
      const spans = telemetry.spans();
      expect(spans.map((s) => s.attributes['gen_ai.request.model'])).toEqual(ids);
      for (const span of spans) {
        const a = span.attributes;
        expect(a['tokenomics.unpriced']).toBeUndefined();
        expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(haikuCost(a['gen_ai.usage.input_tokens'] as number, 5), 12);
      }
    });

    it('gives the app the same ConverseStream events as without instrumentation and bills the metadata usage', async () => {
      const command = () =>
        new sdk.ConverseStreamCommand({
          modelId: HAIKU_ID,
          messages: userMessage('Stream a story [emulate output_tokens=12 cache_read=3]'),
        });
      const strip = (e: any) => JSON.stringify(e, (k, v) => (k === 'p' || k === 'latencyMs' ? undefined : v));
      const seen: any[] = [];
      const response = await client.send(command());
      for await (const event of response.stream) seen.push(event);
      const span = only(telemetry.spans());

      instrumentation.disable();
      const bare: any[] = [];
      try {
        for await (const event of (await client.send(command())).stream) bare.push(event);
      } finally {
        instrumentation.enable();
      }
      expect(telemetry.spans()).toHaveLength(1);
      expect(seen.map(strip)).toEqual(bare.map(strip));

      const usage = seen.find((e) => e.metadata).metadata.usage;
      expect(usage.outputTokens).toBe(12);
      const a = span.attributes;
      expect(span.name).toBe(`chat ${HAIKU_ID}`);
      expect(a['gen_ai.usage.input_tokens']).toBe(usage.inputTokens + 3);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(3);
      expect(a['gen_ai.usage.output_tokens']).toBe(12);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(haikuCost(usage.inputTokens + 3, 12, 3), 12);
      const ttfc = await telemetry.points('gen_ai.client.operation.time_to_first_chunk');
      expect(ttfc.some((p) => p.attributes['gen_ai.provider.name'] === 'aws.bedrock')).toBe(true);
    });

    it('ends the span of a ConverseStream the app aborts mid-way, with estimated usage', async () => {
      const controller = new AbortController();
      const response = await client.send(
        new sdk.ConverseStreamCommand({ modelId: HAIKU_ID, messages: userMessage('Go on forever [emulate stall_after=3]') }),
        { abortSignal: controller.signal },
      );
      let deltas = 0;
      let caught: unknown;
      try {
        for await (const event of response.stream) {
          if (event.contentBlockDelta) deltas++;
          if (deltas === 3) controller.abort();
        }
      } catch (err) {
        caught = err;
      }
      expect(deltas).toBe(3);
      await settle();
      await telemetry.settled();
      const span = only(telemetry.spans());
      const a = span.attributes;
      expect(a['tokenomics.stream.outcome']).toBe('aborted');
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.output_tokens']).toBe(3);
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(3);
      expect(span.status.code).not.toBe(2);
      void caught;
    });

    it('ends the span as abandoned when the app stops reading a stream early', async () => {
      const response = await client.send(
        new sdk.ConverseStreamCommand({ modelId: HAIKU_ID, messages: userMessage('Long answer [emulate output_tokens=40]') }),
      );
      let deltas = 0;
      for await (const event of response.stream) {
        if (event.contentBlockDelta && ++deltas === 2) break;
      }
      await settle();
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('abandoned');
      expect(a['gen_ai.usage.output_tokens']).toBe(2);
      expect(a['tokenomics.usage.estimated']).toBe(true);
    });

    it('gives the app the mid-stream exception and finalises the span once as an error', async () => {
      const response = await client.send(
        new sdk.ConverseStreamCommand({ modelId: HAIKU_ID, messages: userMessage('Fail mid-way [emulate stream_error_after=2]') }),
      );
      let appError: any;
      let deltas = 0;
      try {
        for await (const event of response.stream) if (event.contentBlockDelta) deltas++;
      } catch (err) {
        appError = err;
      }
      expect(deltas).toBe(2);
      expect(appError?.name).toBe('ModelStreamErrorException');
      await settle();
      const span = only(telemetry.spans());
      expect(span.status.code).toBe(2);
      expect(span.attributes['error.type']).toBe('ModelStreamErrorException');
      expect(span.attributes['tokenomics.stream.outcome']).toBe('error');
      expect(span.attributes['gen_ai.usage.output_tokens']).toBe(2);
    });

    it('reads InvokeModel usage from a copy of the Anthropic body, leaving the bytes to the app', async () => {
      const response = await client.send(
        new sdk.InvokeModelCommand({
          modelId: `eu.${HAIKU_ID}`,
          contentType: 'application/json',
          body: claudeBody('Summarise [emulate output_tokens=7 cache_read=5 cache_write=4]', { temperature: 0.5, top_k: 20 }),
        }),
      );
      expect(response.body).toBeInstanceOf(Uint8Array);
      const text = response.body.transformToString();
      const body = JSON.parse(text);
      expect(body.usage.output_tokens).toBe(7);
      const input = body.usage.input_tokens + 5 + 4;
      const span = only(telemetry.spans());
      const a = span.attributes;
      expect(span.name).toBe(`chat eu.${HAIKU_ID}`);
      expect(a['gen_ai.request.max_tokens']).toBe(256);
      expect(a['gen_ai.request.temperature']).toBe(0.5);
      expect(a['gen_ai.request.top_k']).toBe(20);
      expect(a['gen_ai.response.id']).toBe(body.id);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
      expect(a['gen_ai.usage.input_tokens']).toBe(input);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(5);
      expect(a['gen_ai.usage.cache_write.input_tokens']).toBe(4);
      expect(a['gen_ai.usage.output_tokens']).toBe(7);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(haikuCost(input, 7, 5, 4), 12);
      // The app can read the body again: nothing was consumed.
      expect(response.body.transformToString()).toBe(text);
    });

    it('reads InvokeModel usage of a Meta Llama body', async () => {
      const response = await client.send(
        new sdk.InvokeModelCommand({
          modelId: LLAMA_ID,
          body: JSON.stringify({ prompt: 'Tell me a fact. [emulate output_tokens=6]', max_gen_len: 64 }),
        }),
      );
      const body = decode(response.body);
      const span = only(telemetry.spans());
      const a = span.attributes;
      expect(span.name).toBe(`text_completion ${LLAMA_ID}`);
      expect(a['gen_ai.request.max_tokens']).toBe(64);
      expect(a['gen_ai.usage.input_tokens']).toBe(body.prompt_token_count);
      expect(a['gen_ai.usage.output_tokens']).toBe(6);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['stop']);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((body.prompt_token_count * LLAMA_8B.input + 6 * LLAMA_8B.output) / 1e6, 12);
    });

    it('streams InvokeModelWithResponseStream chunks unchanged and bills the Anthropic usage events', async () => {
      const response = await client.send(
        new sdk.InvokeModelWithResponseStreamCommand({
          modelId: `apac.${HAIKU_ID}`,
          body: claudeBody('Stream [emulate output_tokens=8 cache_read=6]'),
        }),
      );
      const events: any[] = [];
      for await (const event of response.body) events.push(decode(event.chunk.bytes));
      const start = events.find((e) => e.type === 'message_start').message.usage;
      const metrics = events.at(-1)['amazon-bedrock-invocationMetrics'];
      expect(metrics.outputTokenCount).toBe(8);
      const input = start.input_tokens + 6;
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(input);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(6);
      expect(a['gen_ai.usage.output_tokens']).toBe(8);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(haikuCost(input, 8, 6), 12);
    });

    it('bills a streamed Llama InvokeModel from its token counts', async () => {
      const response = await client.send(
        new sdk.InvokeModelWithResponseStreamCommand({
          modelId: `us.${LLAMA_ID}`,
          body: JSON.stringify({ prompt: 'Stream [emulate output_tokens=5]' }),
        }),
      );
      const chunks: any[] = [];
      for await (const event of response.body) chunks.push(decode(event.chunk.bytes));
      const metrics = chunks.at(-1)['amazon-bedrock-invocationMetrics'];
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(metrics.inputTokenCount);
      expect(a['gen_ai.usage.output_tokens']).toBe(5);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((metrics.inputTokenCount * LLAMA_8B.input + 5 * LLAMA_8B.output) / 1e6, 12);
    });

    for (const [status, exception] of [
      [400, 'ValidationException'],
      [429, 'ThrottlingException'],
      [500, 'InternalServerException'],
    ] as const) {
      it(`gives the app the same ${exception} and finalises the span once with error.type`, async () => {
        let appError: any;
        try {
          await client.send(new sdk.ConverseCommand({ modelId: HAIKU_ID, messages: userMessage(`[emulate error=${status}]`) }));
        } catch (err) {
          appError = err;
        }
        expect(appError).toBeInstanceOf(sdk[exception]);
        expect(appError.$metadata.httpStatusCode).toBe(status);
        await settle();
        const span = only(telemetry.spans());
        expect(span.status.code).toBe(2);
        expect(span.attributes['error.type']).toBe(exception);
        expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
        expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
        const durations = await telemetry.points('gen_ai.client.operation.duration');
        expect(durations.some((p) => p.attributes['error.type'] === exception)).toBe(true);
      });
    }

    it('records a callback-style send and calls back with the same output', async () => {
      const output: any = await new Promise((resolve, reject) =>
        client.send(
          new sdk.ConverseCommand({ modelId: HAIKU_ID, messages: userMessage('Callback [emulate output_tokens=4]') }),
          (err: unknown, data: unknown) => (err ? reject(err) : resolve(data)),
        ),
      );
      expect(output.usage.outputTokens).toBe(4);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(4);
      expect(a['gen_ai.usage.input_tokens']).toBe(output.usage.inputTokens);
    });

    it('records calls made through the aggregated BedrockRuntime client', async () => {
      const aggregated = new sdk.BedrockRuntime(localClientConfig(emulator.bedrockEndpoint));
      try {
        const output = await aggregated.converse({ modelId: HAIKU_ID, messages: userMessage('Aggregated [emulate output_tokens=3]') });
        expect(output.usage.outputTokens).toBe(3);
        expect(only(telemetry.spans()).attributes['gen_ai.usage.output_tokens']).toBe(3);
      } finally {
        aggregated.destroy();
      }
    });

    // 3.600 has no other commands.
    if (release === 'current') {
      it('passes other commands through without a span', async () => {
        await client.send(new sdk.ListAsyncInvokesCommand({})).catch(() => undefined);
        await settle();
        expect(telemetry.spans()).toHaveLength(0);
      });
    }

    it('records input and output messages when content capture is on, reading a byte body without changing it', async () => {
      const local = new BedrockRuntimeInstrumentation({ captureMessageContent: true });
      instrumentation.disable();
      telemetry.instrument(local);
      local.patchModule(sdk);
      try {
        const conversed = await client.send(
          new sdk.ConverseCommand({
            modelId: HAIKU_ID,
            system: [{ text: 'Be brief.' }],
            messages: userMessage('Capture me [emulate output_tokens=3]'),
          }),
        );
        let a = only(telemetry.spans()).attributes;
        expect(JSON.parse(a['gen_ai.input.messages'] as string)).toEqual([
          { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
          { role: 'user', parts: [{ type: 'text', content: 'Capture me [emulate output_tokens=3]' }] },
        ]);
        expect(JSON.parse(a['gen_ai.output.messages'] as string)).toEqual([
          { role: 'assistant', parts: [{ type: 'text', content: conversed.output.message.content[0].text }], finish_reason: 'end_turn' },
        ]);
        telemetry.reset();

        const bytes = new TextEncoder().encode(claudeBody('Bytes body [emulate output_tokens=2]', { max_tokens: 33 }));
        const before = Array.from(bytes);
        const invoked = await client.send(new sdk.InvokeModelCommand({ modelId: HAIKU_ID, body: bytes }));
        expect(Array.from(bytes)).toEqual(before);
        a = only(telemetry.spans()).attributes;
        expect(a['gen_ai.request.max_tokens']).toBe(33);
        expect(JSON.parse(a['gen_ai.input.messages'] as string)).toEqual([
          { role: 'user', parts: [{ type: 'text', content: 'Bytes body [emulate output_tokens=2]' }] },
        ]);
        expect(JSON.parse(a['gen_ai.output.messages'] as string)[0].parts[0].content).toBe(decode(invoked.body).content[0].text);
      } finally {
        local.disable();
        instrumentation.enable();
      }
    });

    it('attributes spend to allow-listed keys and parents the span under the active span, with no content by default', async () => {
      const parent = telemetry.tracerProvider.getTracer('app').startSpan('handler');
      await context.with(trace.setSpan(context.active(), parent), () =>
        withAttribution({ tenant: 'acme', user: 'u-7' }, () =>
          client.send(new sdk.ConverseCommand({ modelId: HAIKU_ID, messages: userMessage('secret prompt text') })),
        ),
      );
      parent.end();
      const span = telemetry.spans().find((s) => s.name.startsWith('chat'))!;
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(span.attributes['tokenomics.attribution.tenant']).toBe('acme');
      const text = JSON.stringify(telemetry.spans().map((s) => s.attributes));
      expect(text).not.toContain('secret prompt text');
      expect(text).not.toContain('bedrock-test-secret');
      const points = await telemetry.points('tokenomics.cost');
      expect(points.some((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme')).toBe(true);
      expect(points.some((p) => 'tokenomics.attribution.user' in p.attributes)).toBe(false);
    });
  });
}

describe('Bedrock InvokeModel without usage in the body', () => {
  let telemetry: TestTelemetry;
  let instrumentation: BedrockRuntimeInstrumentation;
  let server: Http2Server;
  let endpoint: string;

  // A Mistral answer as Bedrock sends it (over HTTP/2): the body carries no usage, the headers do.
  beforeAll(async () => {
    telemetry = new TestTelemetry();
    instrumentation = new BedrockRuntimeInstrumentation();
    telemetry.instrument(instrumentation);
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-amzn-requestid': '6d1f3a52-0c52-4a4e-9d5a-0d1b6f3f0c11',
          'x-amzn-bedrock-input-token-count': '23',
          'x-amzn-bedrock-output-token-count': '11',
          'x-amzn-bedrock-invocation-latency': '312',
        });
        res.end(JSON.stringify({ outputs: [{ text: ' Paris is the capital of France.', stop_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    instrumentation.disable();
    await new Promise((resolve) => server.close(resolve));
    await telemetry.shutdown();
  });

  it('bills the token counts of the x-amzn-bedrock-*-token-count response headers', async () => {
    const sdk = requireBedrock('current');
    // Loaded (and unpatched) by the suites above: patch this copy directly.
    expect(instrumentation.patchModule(sdk)).toBe(1);
    const client = new sdk.BedrockRuntimeClient(localClientConfig(endpoint));
    try {
      const response = await client.send(
        new sdk.InvokeModelCommand({
          modelId: 'mistral.mistral-7b-instruct-v0:2',
          body: JSON.stringify({ prompt: '<s>[INST] Capital of France? [/INST]', max_tokens: 50 }),
        }),
      );
      expect(decode(response.body).outputs[0].text).toContain('Paris');
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.operation.name']).toBe('text_completion');
      expect(a['gen_ai.usage.input_tokens']).toBe(23);
      expect(a['gen_ai.usage.output_tokens']).toBe(11);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((23 * MISTRAL_7B.input + 11 * MISTRAL_7B.output) / 1e6, 12);
    } finally {
      client.destroy();
    }
  });
});
