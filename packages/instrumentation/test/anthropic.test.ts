import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { countTokens } from '@tokenomics/tokens';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation, withAttribution, waitForPendingEstimates } from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { TestTelemetry } from './support/telemetry';
import { collectUntil } from './support/gc';

// Anthropic's published list prices (https://www.anthropic.com/pricing#api), USD per million tokens,
// for prompts up to 200K tokens:
// claude-sonnet-4: $3 input, $3.75 5-minute cache write, $6 1-hour cache write, $0.30 cache read, $15 output;
// claude-3-5-haiku: $0.80 input, $1 5-minute cache write, $1.60 1-hour cache write, $0.08 cache read, $4 output.
// Web search: $10 per 1,000 searches.
const RATES: Record<string, { input: number; write5m: number; write1h: number; read: number; output: number }> = {
  'claude-sonnet-4-0': { input: 3, write5m: 3.75, write1h: 6, read: 0.3, output: 15 },
  'claude-3-5-haiku-latest': { input: 0.8, write5m: 1, write1h: 1.6, read: 0.08, output: 4 },
};
const WEB_SEARCH_USD = 10 / 1000;

const MODEL = 'claude-sonnet-4-0';
const API_KEY = 'sk-ant-test-secret-key-1234567890';

/** Cost of a Messages API usage block, by hand from the list prices above. */
function expectedCost(model: string, u: any): number {
  const r = RATES[model];
  const write5m = u.cache_creation?.ephemeral_5m_input_tokens ?? u.cache_creation_input_tokens ?? 0;
  const write1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const tokens =
    u.input_tokens * r.input +
    write5m * r.write5m +
    write1h * r.write1h +
    (u.cache_read_input_tokens ?? 0) * r.read +
    u.output_tokens * r.output;
  return tokens / 1e6 + (u.server_tool_use?.web_search_requests ?? 0) * WEB_SEARCH_USD;
}

/** Semconv input tokens of a Messages API usage block: the API's input excludes the cache. */
function semconvInput(u: any): number {
  return u.input_tokens + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans.map((s) => s.name)).toHaveLength(1);
  return spans[0];
}

/** Lets the call end (a short wait), then waits for any usage estimate the token worker is counting. */
async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await waitForPendingEstimates(120_000);
}

function ask(content: string, extra: Record<string, unknown> = {}) {
  return { model: MODEL, max_tokens: 256, messages: [{ role: 'user', content }], ...extra };
}

for (const major of [1, 0] as const) {
  describe(`@anthropic-ai/sdk ${major}.x`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: AnthropicInstrumentation;
    let emulator: Emulator;
    let sdk: any;
    let client: any;

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = new AnthropicInstrumentation();
      telemetry.instrument(instrumentation);
      emulator = await startEmulator({ port: 0 });
      sdk = requireAnthropic(major);
      const Anthropic = sdk.Anthropic ?? sdk.default;
      client = new Anthropic({ apiKey: API_KEY, baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
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

    it('records one client span with billed usage and exact cost for a message', async () => {
      const message = await client.messages.create(
        ask('Say hello in three words.', { temperature: 0.2, top_k: 40, stop_sequences: ['END'] }),
      );
      const span = only(telemetry.spans());
      expect(span.name).toBe('chat claude-sonnet-4-0');
      expect(span.kind).toBe(2); // CLIENT
      const a = span.attributes;
      expect(a['gen_ai.operation.name']).toBe('chat');
      expect(a['gen_ai.provider.name']).toBe('anthropic');
      expect(a['gen_ai.request.model']).toBe(MODEL);
      expect(a['gen_ai.response.model']).toBe('claude-sonnet-4-20250514');
      expect(a['gen_ai.response.id']).toBe(message.id);
      expect(a['gen_ai.request.max_tokens']).toBe(256);
      expect(a['gen_ai.request.temperature']).toBe(0.2);
      expect(a['gen_ai.request.top_k']).toBe(40);
      expect(a['gen_ai.request.stop_sequences']).toEqual(['END']);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
      expect(a['gen_ai.usage.input_tokens']).toBe(message.usage.input_tokens);
      expect(a['gen_ai.usage.output_tokens']).toBe(message.usage.output_tokens);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(0);
      expect(a['gen_ai.usage.cache_write.input_tokens']).toBe(0);
      expect(a['server.address']).toBe('127.0.0.1');
      expect(a['server.port']).toBe(emulator.port);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.pricing.model']).toBe('claude-sonnet-4-0');
      expect(a['gen_ai.usage.cost.currency']).toBe('USD');
      expect(a['gen_ai.usage.cost.source']).toBe('local');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(expectedCost(MODEL, message.usage), 12);
      expect(a['tokenomics.cost.input']).toBeCloseTo((message.usage.input_tokens * 3) / 1e6, 12);
      expect(a['tokenomics.cost.output']).toBeCloseTo((message.usage.output_tokens * 15) / 1e6, 12);
      expect(message.usage.input_tokens).toBeGreaterThan(5);
    });

    it('counts cache reads and both cache-write lifetimes inside input tokens and prices each at its own rate', async () => {
      const prompt = `${'Shared reference text. '.repeat(500)} [emulate cache_read=1024 cache_write=512 cache_write_1h=256 output_tokens=20]`;
      const message = await client.messages.create(ask(prompt));
      const u = message.usage;
      expect(u.cache_read_input_tokens).toBe(1024);
      expect(u.cache_creation_input_tokens).toBe(768);
      expect(u.output_tokens).toBe(20);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(u.input_tokens + 1024 + 768);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(1024);
      expect(a['gen_ai.usage.cache_write.input_tokens']).toBe(768);
      // The pre-2026 name only with OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai/dup (semconv-opt-in.test.ts).
      expect(a['gen_ai.usage.cache_creation.input_tokens']).toBeUndefined();
      expect(a['tokenomics.cost.input']).toBeCloseTo((u.input_tokens * 3) / 1e6, 12);
      expect(a['tokenomics.cost.cache_read']).toBeCloseTo((1024 * 0.3) / 1e6, 12);
      expect(a['tokenomics.cost.cache_write']).toBeCloseTo((512 * 3.75) / 1e6, 12);
      expect(a['tokenomics.cost.cache_write_1h']).toBeCloseTo((256 * 6) / 1e6, 12);
      expect(a['tokenomics.cost.output']).toBeCloseTo((20 * 15) / 1e6, 12);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((u.input_tokens * 3 + 1024 * 0.3 + 512 * 3.75 + 256 * 6 + 20 * 15) / 1e6, 12);
    });

    it('prices web searches per request on top of tokens', async () => {
      const message = await client.messages.create(ask('Search the web twice. [emulate web_search=2 output_tokens=10]'));
      expect(message.usage.server_tool_use.web_search_requests).toBe(2);
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.cost.request']).toBeCloseTo(0.02, 12);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((message.usage.input_tokens * 3 + 10 * 15) / 1e6 + 0.02, 12);
    });

    it('adds token and cost counters that partition the call exactly as the span prices it', async () => {
      const match = { 'gen_ai.request.model': 'claude-3-5-haiku-latest' };
      const before = {
        cost: await telemetry.counterSum('tokenomics.cost', match),
        input: await telemetry.counterSum('tokenomics.tokens', { ...match, 'tokenomics.token.type': 'input' }),
      };
      const message = await client.messages.create({
        ...ask('Metrics please. [emulate cache_read=8 cache_write=4 cache_write_1h=2 output_tokens=6 web_search=1]'),
        model: 'claude-3-5-haiku-latest',
      });
      const u = message.usage;
      const a = only(telemetry.spans()).attributes;
      const cost = (u.input_tokens * 0.8 + 8 * 0.08 + 4 * 1 + 2 * 1.6 + 6 * 4) / 1e6 + 0.01;
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(cost, 12);
      expect((await telemetry.counterSum('tokenomics.cost', match)) - before.cost).toBeCloseTo(cost, 12);
      expect((await telemetry.counterSum('tokenomics.tokens', { ...match, 'tokenomics.token.type': 'input' })) - before.input).toBe(
        u.input_tokens,
      );
      expect(await telemetry.counterSum('tokenomics.tokens', { ...match, 'tokenomics.token.type': 'cache_read' })).toBe(8);
      expect(await telemetry.counterSum('tokenomics.tokens', { ...match, 'tokenomics.token.type': 'cache_write' })).toBe(4);
      expect(await telemetry.counterSum('tokenomics.tokens', { ...match, 'tokenomics.token.type': 'cache_write_1h' })).toBe(2);
      expect(await telemetry.counterSum('tokenomics.tokens', { ...match, 'tokenomics.token.type': 'output' })).toBe(6);
      expect(await telemetry.counterSum('tokenomics.cost', { ...match, 'tokenomics.token.type': 'request' })).toBeCloseTo(0.01, 12);
      const usage = await telemetry.points('gen_ai.client.token.usage');
      const input = usage.find(
        (p) => p.attributes['gen_ai.token.type'] === 'input' && p.attributes['gen_ai.request.model'] === 'claude-3-5-haiku-latest',
      );
      expect((input?.value as { sum: number } | undefined)?.sum).toBe(semconvInput(u));
      expect(input?.attributes['gen_ai.provider.name']).toBe('anthropic');
    });

    it('gives the app exactly the stream events it gets without instrumentation while billing streamed usage exactly', async () => {
      const request = ask('Stream a short story. [emulate output_tokens=12 cache_read=4 cache_write_1h=3]', { stream: true });
      const strip = (e: any) => JSON.stringify(e, (k, v) => (k === 'id' ? undefined : v));
      const seen: any[] = [];
      for await (const event of await client.messages.create(request)) seen.push(event);
      const span = only(telemetry.spans());

      instrumentation.disable();
      const bare: any[] = [];
      try {
        const Anthropic = sdk.Anthropic ?? sdk.default;
        const plain = new Anthropic({ apiKey: API_KEY, baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
        for await (const event of await plain.messages.create(request)) bare.push(event);
      } finally {
        instrumentation.enable();
      }
      expect(seen.map(strip)).toEqual(bare.map(strip));
      expect(seen.map((e) => e.type)).toEqual(bare.map((e) => e.type));

      const start = seen.find((e) => e.type === 'message_start').message;
      const delta = seen.find((e) => e.type === 'message_delta');
      expect(delta.usage.output_tokens).toBe(12);
      const a = span.attributes;
      expect(a['gen_ai.response.id']).toBe(start.id);
      expect(a['gen_ai.response.model']).toBe('claude-sonnet-4-20250514');
      expect(a['gen_ai.usage.input_tokens']).toBe(semconvInput(delta.usage));
      expect(a['gen_ai.usage.input_tokens']).toBe(start.usage.input_tokens + 4 + 3);
      expect(a['gen_ai.usage.output_tokens']).toBe(12);
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(4);
      expect(a['tokenomics.cost.cache_write_1h']).toBeCloseTo((3 * 6) / 1e6, 12);
      expect(a['gen_ai.response.finish_reasons']).toEqual(['end_turn']);
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(
        expectedCost(MODEL, start.usage) + ((12 - start.usage.output_tokens) * 15) / 1e6,
        12,
      );
      const ttfc = await telemetry.points('gen_ai.client.operation.time_to_first_chunk');
      expect(ttfc.some((p) => p.attributes['gen_ai.provider.name'] === 'anthropic')).toBe(true);
    });

    it('records one span for the stream() helper and prices the usage of finalMessage()', async () => {
      const runner = client.messages.stream(ask('Helper stream [emulate output_tokens=9 cache_write=16]'));
      const texts: string[] = [];
      runner.on('text', (t: string) => texts.push(t));
      const final = await runner.finalMessage();
      expect(final.usage.output_tokens).toBe(9);
      expect(texts.join('')).toBe(final.content[0].text);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(9);
      expect(a['gen_ai.usage.input_tokens']).toBe(semconvInput(final.usage));
      expect(a['gen_ai.usage.cache_write.input_tokens']).toBe(16);
      expect(a['gen_ai.response.id']).toBe(final.id);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
      expect(a['tokenomics.usage.estimated']).toBe(false);
      expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(expectedCost(MODEL, final.usage), 12);
    });

    it('observes each event once when the app tees the stream', async () => {
      const stream = await client.messages.create(ask('Tee me [emulate output_tokens=7]', { stream: true }));
      const [left, right] = stream.tee();
      const l: any[] = [];
      const r: any[] = [];
      for await (const e of left) l.push(e);
      for await (const e of right) r.push(e);
      expect(l).toEqual(r);
      expect(l.filter((e) => e.type === 'content_block_delta')).toHaveLength(7);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(7);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('ends the span of a stream aborted mid-way with the billed input and the output seen, flagged estimated', async () => {
      const controller = new AbortController();
      const stream = await client.messages.create(ask('Go on forever [emulate stall_after=3 cache_read=5]', { stream: true }), {
        signal: controller.signal,
      });
      let text = '';
      let deltas = 0;
      let startUsage: any;
      let caught: unknown;
      try {
        for await (const event of stream) {
          if (event.type === 'message_start') startUsage = event.message.usage;
          if (event.type === 'content_block_delta') {
            text += event.delta.text;
            if (++deltas === 3) controller.abort();
          }
        }
      } catch (err) {
        caught = err;
      }
      await settle();
      await telemetry.settled();
      const a = only(telemetry.spans()).attributes;
      // The SDK ends the iteration quietly when the app aborts its own request.
      expect(caught).toBeUndefined();
      expect(a['tokenomics.stream.outcome']).toBe('aborted');
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.input_tokens']).toBe(semconvInput(startUsage));
      expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(5);
      expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(text, MODEL).tokens);
      expect(a['gen_ai.usage.output_tokens']).toBeGreaterThanOrEqual(2);
      expect(await telemetry.counterSum('tokenomics.calls.estimated', { 'gen_ai.provider.name': 'anthropic' })).toBeGreaterThanOrEqual(1);
    });

    it('ends the span as abandoned when the app breaks out of the loop early', async () => {
      const stream = await client.messages.create(ask('Long answer [emulate output_tokens=40]', { stream: true }));
      let text = '';
      let n = 0;
      for await (const event of stream) {
        if (event.type === 'content_block_delta') {
          text += event.delta.text;
          if (++n === 2) break;
        }
      }
      await telemetry.settled();
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('abandoned');
      expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(text, MODEL).tokens);
      expect(a['tokenomics.usage.estimated']).toBe(true);
    });

    it('aborting the stream() helper ends its one span as aborted', async () => {
      const runner = client.messages.stream(ask('Helper forever [emulate stall_after=2]'));
      let deltas = 0;
      runner.on('streamEvent', (e: any) => {
        if (e.type === 'content_block_delta' && ++deltas === 2) runner.abort();
      });
      await expect(runner.finalMessage()).rejects.toThrow();
      await settle();
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('aborted');
      expect(a['gen_ai.usage.output_tokens']).toBeGreaterThanOrEqual(2);
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(5);
    });

    it('ends the span of a stream the app never iterates once the stream is collected', async () => {
      await (async () => {
        await client.messages.create({ ...ask('Never read [emulate output_tokens=3]'), stream: true });
      })();
      await collectUntil(() => telemetry.spans().length > 0);
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.stream.outcome']).toBe('abandoned');
      expect(a['tokenomics.usage.estimated']).toBe(true);
    });

    it('passes through the library error on a second iteration and records the call once', async () => {
      const stream = await client.messages.create(ask('Twice [emulate output_tokens=3]', { stream: true }));
      for await (const _ of stream) void _;
      await expect(async () => {
        for await (const _ of stream) void _;
      }).rejects.toThrow(/consumed stream/);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(3);
      expect(a['tokenomics.stream.outcome']).toBe('completed');
    });

    it('gives the app the stream error event as the SDK error and finalises the span once', async () => {
      let appError: any;
      let deltas = 0;
      try {
        for await (const event of await client.messages.create(ask('Fail mid-way [emulate stream_error_after=2]', { stream: true }))) {
          if (event.type === 'content_block_delta') deltas++;
        }
      } catch (err) {
        appError = err;
      }
      expect(deltas).toBe(2);
      expect(appError).toBeInstanceOf(sdk.APIError);
      expect(appError.message).toMatch(/overloaded/i);
      await settle();
      const span = only(telemetry.spans());
      expect(span.status.code).toBe(2); // ERROR
      expect(span.attributes['tokenomics.stream.outcome']).toBe('error');
      // 1.x raises an APIError for the event; 0.x raises it as an APIConnectionError (no HTTP status).
      expect(appError.constructor.name).toBe(major === 1 ? 'APIError' : 'APIConnectionError');
      expect(span.attributes['error.type']).toBe(appError.constructor.name);
      expect(span.attributes['tokenomics.usage.estimated']).toBe(true);
    });

    for (const status of [400, 401, 429, 500, 529]) {
      it(`gives the app the same ${status} error and finalises the span once with error.type`, async () => {
        let appError: any;
        try {
          await client.messages.create(ask(`[emulate error=${status}]`));
        } catch (err) {
          appError = err;
        }
        expect(appError).toBeInstanceOf(sdk.APIError);
        expect(appError.status).toBe(status);
        await settle();
        const span = only(telemetry.spans());
        expect(span.status.code).toBe(2); // ERROR
        expect(span.attributes['error.type']).toBe(String(status));
        // Not billed, so neither priced nor unpriced.
        expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
        expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
        const durations = await telemetry.points('gen_ai.client.operation.duration');
        expect(
          durations.some((p) => p.attributes['error.type'] === String(status) && p.attributes['gen_ai.provider.name'] === 'anthropic'),
        ).toBe(true);
      });
    }

    it('gives the app the same error for a failed stream request and records it once', async () => {
      await expect(client.messages.create(ask('[emulate error=429]', { stream: true }))).rejects.toMatchObject({ status: 429 });
      await settle();
      expect(only(telemetry.spans()).attributes['error.type']).toBe('429');
    });

    it('records beta.messages, streamed and not', async () => {
      const message = await client.beta.messages.create(ask('Beta hello [emulate output_tokens=5]'));
      let a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(5);
      expect(a['gen_ai.usage.input_tokens']).toBe(semconvInput(message.usage));
      telemetry.reset();
      const final = await client.beta.messages.stream(ask('Beta stream [emulate output_tokens=4]')).finalMessage();
      a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(4);
      expect(a['gen_ai.usage.input_tokens']).toBe(semconvInput(final.usage));
      expect(a['tokenomics.stream.outcome']).toBe('completed');
    });

    it('records no span for messages.countTokens, which bills nothing', async () => {
      const counted = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'How many tokens?' }] });
      expect(counted.input_tokens).toBeGreaterThan(3);
      await settle();
      expect(telemetry.spans()).toHaveLength(0);
    });

    it('records usage when the app uses withResponse()', async () => {
      const { data, response } = await client.messages.create(ask('With response')).withResponse();
      expect(response.status).toBe(200);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(semconvInput(data.usage));
      expect(a['gen_ai.usage.output_tokens']).toBe(data.usage.output_tokens);
    });

    it('leaves the raw body to the app with asResponse() and still records billed usage', async () => {
      const response = await client.messages.create(ask('Raw please [emulate cache_read=2]')).asResponse();
      const body = await response.json();
      await settle();
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.input_tokens']).toBe(semconvInput(body.usage));
      expect(a['gen_ai.usage.output_tokens']).toBe(body.usage.output_tokens);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('records a fire-and-forget call the app never awaits', async () => {
      client.messages.create(ask('Fire and forget [emulate output_tokens=3]'));
      for (let i = 0; i < 50 && telemetry.spans().length === 0; i++) await settle(10);
      const a = only(telemetry.spans()).attributes;
      expect(a['gen_ai.usage.output_tokens']).toBe(3);
      expect(a['tokenomics.usage.estimated']).toBe(false);
    });

    it('flags an unknown model as unpriced, never $0', async () => {
      await client.messages.create({ ...ask('hi'), model: 'claude-private-finetune' });
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.unpriced']).toBe(true);
      expect(a['tokenomics.unpriced_reason']).toBe('unknown_model');
      expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(await telemetry.counterSum('tokenomics.calls.unpriced', { 'gen_ai.request.model': 'claude-private-finetune' })).toBe(1);
    });

    it('attributes spend to allow-listed keys on metrics and every key on spans', async () => {
      await withAttribution({ tenant: 'globex', feature: 'summary', user: 'u-9' }, () => client.messages.create(ask('attributed')));
      const a = only(telemetry.spans()).attributes;
      expect(a['tokenomics.attribution.tenant']).toBe('globex');
      expect(a['tokenomics.attribution.user']).toBe('u-9');
      const cost = await telemetry.points('tokenomics.cost');
      const globex = cost.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'globex');
      expect(globex.length).toBeGreaterThan(0);
      expect(globex.every((p) => p.attributes['tokenomics.attribution.feature'] === 'summary')).toBe(true);
      expect(cost.some((p) => 'tokenomics.attribution.user' in p.attributes)).toBe(false);
    });

    it('parents the span under the active span and records no content or key by default', async () => {
      const parent = telemetry.tracerProvider.getTracer('app').startSpan('handler');
      await context.with(trace.setSpan(context.active(), parent), () =>
        client.messages.create({ ...ask('secret prompt text'), system: 'secret system prompt' }),
      );
      parent.end();
      const span = telemetry.spans().find((s) => s.name.startsWith('chat'))!;
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      const text = JSON.stringify(telemetry.spans().map((s) => s.attributes));
      expect(text).not.toContain('secret');
      expect(text).not.toContain(API_KEY);
    });

    it('records system prompt, messages and the reply when content capture is on', async () => {
      instrumentation.setConfig({ captureMessageContent: true });
      try {
        const message = await client.messages.create({ ...ask('Capture this [emulate output_tokens=4]'), system: 'Be brief.' });
        const a = only(telemetry.spans()).attributes;
        expect(JSON.parse(a['gen_ai.input.messages'] as string)).toEqual([
          { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
          { role: 'user', parts: [{ type: 'text', content: 'Capture this [emulate output_tokens=4]' }] },
        ]);
        expect(JSON.parse(a['gen_ai.output.messages'] as string)).toEqual([
          { role: 'assistant', parts: [{ type: 'text', content: message.content[0].text }], finish_reason: 'end_turn' },
        ]);
      } finally {
        instrumentation.setConfig({});
      }
    });
  });
}
