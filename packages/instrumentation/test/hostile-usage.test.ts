import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation, OpenAIInstrumentation, withAttribution } from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// Hostile and garbage usage objects, answered through the real client SDKs by a `fetch` that
// returns the wire payload given (JSON cannot carry NaN, so that case is covered by the pricing
// package's validation tests). Every test runs under its own tenant, so its metric points are its own.
//
// gpt-4o-mini lists at $0.15 input and $0.60 output per million tokens; claude-3-5-haiku at $0.80 / $4.

const telemetry = new TestTelemetry();
const openaiInstrumentation = new OpenAIInstrumentation();
const anthropicInstrumentation = new AnthropicInstrumentation();
let OpenAI: any;
let Anthropic: any;

beforeAll(() => {
  telemetry.instrument(openaiInstrumentation);
  telemetry.instrument(anthropicInstrumentation);
  OpenAI = requireOpenAI(6).OpenAI;
  Anthropic = requireAnthropic(1).Anthropic;
});

afterAll(async () => {
  openaiInstrumentation.disable();
  anthropicInstrumentation.disable();
  await telemetry.shutdown();
});

function chatCompletion(usage: unknown): Record<string, unknown> {
  return {
    id: 'chatcmpl-hostile',
    object: 'chat.completion',
    created: 1_767_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there friend.' }, finish_reason: 'stop' }],
    usage,
  };
}

function jsonFetch(body: unknown): typeof fetch {
  return (async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
}

function sseFetch(events: unknown[]): typeof fetch {
  const text = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
  return (async () => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } })) as typeof fetch;
}

function openai(body: unknown): any {
  return new OpenAI({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: jsonFetch(body) });
}

async function chat(tenant: string, usage: unknown): Promise<any> {
  return withAttribution({ tenant }, () =>
    openai(chatCompletion(usage)).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
  );
}

function spanOf(tenant: string): ReadableSpan[] {
  return telemetry.spans().filter((s) => s.attributes['tokenomics.attribution.tenant'] === tenant);
}

async function histogram(name: string, tenant: string): Promise<{ count: number; sum: number }> {
  const points = await telemetry.points(name);
  let count = 0;
  let sum = 0;
  for (const p of points) {
    if (p.attributes['tokenomics.attribution.tenant'] !== tenant) continue;
    const h = p.value as Histogram;
    count += h.count;
    sum += h.sum ?? 0;
  }
  return { count, sum };
}

/** Span attributes of a call whose usage was rejected, and of no counts at all. */
function expectInvalidSpan(span: ReadableSpan, reason: string): void {
  const a = span.attributes;
  expect(a['tokenomics.usage.invalid']).toBe(true);
  expect(a['tokenomics.usage.invalid_reason']).toBe(reason);
  expect(a['tokenomics.unpriced']).toBe(true);
  expect(a['tokenomics.unpriced_reason']).toBe('invalid_usage');
  expect(a['tokenomics.usage.estimated']).toBe(false);
  expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
  expect(a['gen_ai.usage.input_tokens']).toBeUndefined();
  expect(a['gen_ai.usage.output_tokens']).toBeUndefined();
}

describe('untrusted usage never poisons the metrics', () => {
  it("a usage of 1e308 prompt tokens is recorded invalid and unpriced; the cost counter stays finite and equal to the other calls' costs", async () => {
    const tenant = 'huge';
    const good = await chat(tenant, { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 });
    const hostile = await chat(tenant, { prompt_tokens: 1e308, completion_tokens: 100, total_tokens: 1e308 });
    // the app sees the response exactly as sent
    expect(good.usage.prompt_tokens).toBe(1000);
    expect(hostile.usage.prompt_tokens).toBe(1e308);

    const [goodSpan, hostileSpan] = spanOf(tenant);
    const goodCost = 0.00015 + 0.00006; // 1000 input and 100 output tokens, as the breakdown adds them
    expect(goodSpan.attributes['gen_ai.usage.cost.amount']).toBe(goodCost);
    expectInvalidSpan(hostileSpan, 'prompt_tokens:too_large');

    const match = { 'tokenomics.attribution.tenant': tenant };
    expect(await telemetry.counterSum('tokenomics.cost', match)).toBe(goodCost);
    expect(await telemetry.counterSum('tokenomics.tokens', match)).toBe(1100);
    expect(
      await telemetry.counterSum('tokenomics.calls.invalid_usage', {
        ...match,
        'tokenomics.usage.invalid_reason': 'prompt_tokens:too_large',
      }),
    ).toBe(1);
    expect(await telemetry.counterSum('tokenomics.calls.unpriced', { ...match, 'tokenomics.unpriced_reason': 'invalid_usage' })).toBe(1);
    expect(await histogram('gen_ai.client.token.usage', tenant)).toEqual({ count: 2, sum: 1100 });
    // both calls took time: durations are recorded for every call
    expect((await histogram('gen_ai.client.operation.duration', tenant)).count).toBe(2);
  });

  it('a usage of 2^53 prompt tokens bills nothing: it is invalid, not $1.35 billion', async () => {
    const tenant = 'unsafe-integer';
    await chat(tenant, { prompt_tokens: 2 ** 53, completion_tokens: 7, total_tokens: 2 ** 53 + 7 });
    const [span] = spanOf(tenant);
    expectInvalidSpan(span, 'prompt_tokens:too_large');
    const match = { 'tokenomics.attribution.tenant': tenant };
    expect(await telemetry.counterSum('tokenomics.cost', match)).toBe(0);
    expect(await telemetry.counterSum('tokenomics.tokens', match)).toBe(0);
  });

  it('a count above ten context windows of the model is invalid though each field is well formed', async () => {
    // gpt-4o-mini has a 128,000-token window: 2,000,000 input tokens in one chat call cannot be billed
    const tenant = 'beyond-window';
    await chat(tenant, { prompt_tokens: 2_000_000, completion_tokens: 10, total_tokens: 2_000_010 });
    expectInvalidSpan(spanOf(tenant)[0], 'exceeds_context_window');
    expect(await telemetry.counterSum('tokenomics.calls.invalid_usage', { 'tokenomics.attribution.tenant': tenant })).toBe(1);
    expect(await telemetry.counterSum('tokenomics.cost', { 'tokenomics.attribution.tenant': tenant })).toBe(0);
  });

  it('wrong-typed, negative, fractional and inconsistent counts each make the usage invalid, naming the field; none is dropped and the rest priced', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['usage-string', 'lots', 'usage:wrong_type'],
      ['string', { prompt_tokens: '12', completion_tokens: 5 }, 'prompt_tokens:wrong_type'],
      ['null', { prompt_tokens: null, completion_tokens: 5 }, 'prompt_tokens:wrong_type'],
      ['object', { prompt_tokens: 12, completion_tokens: { n: 5 } }, 'completion_tokens:wrong_type'],
      ['negative', { prompt_tokens: 12, completion_tokens: -5 }, 'completion_tokens:negative'],
      ['fraction', { prompt_tokens: 12.5, completion_tokens: 5 }, 'prompt_tokens:not_integer'],
      ['details-string', { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: 'none' }, 'prompt_tokens_details:wrong_type'],
      [
        'cached-string',
        { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: { cached_tokens: '4' } },
        'prompt_tokens_details.cached_tokens:wrong_type',
      ],
      [
        'cache-over-input',
        { prompt_tokens: 12, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 40 } },
        'cache_exceeds_input',
      ],
      [
        'reasoning-over-output',
        { prompt_tokens: 12, completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 9 } },
        'reasoning_exceeds_output',
      ],
    ];
    for (const [tenant, usage] of cases) await chat(tenant, usage);
    for (const [tenant, , reason] of cases) {
      const spans = spanOf(tenant);
      expect(spans).toHaveLength(1);
      expectInvalidSpan(spans[0], reason);
      const match = { 'tokenomics.attribution.tenant': tenant };
      expect(await telemetry.counterSum('tokenomics.calls.invalid_usage', { ...match, 'tokenomics.usage.invalid_reason': reason })).toBe(1);
      expect(await telemetry.counterSum('tokenomics.tokens', match)).toBe(0);
      expect(await telemetry.counterSum('tokenomics.cost', match)).toBe(0);
      expect(await histogram('gen_ai.client.token.usage', tenant)).toEqual({ count: 0, sum: 0 });
    }
  });

  it('a streamed chunk whose usage holds a string count is recorded invalid, not estimated and not priced', async () => {
    const tenant = 'stream-string';
    const chunk = (delta: Record<string, unknown>, finish: string | null, usage: unknown) => ({
      id: 'chatcmpl-s',
      object: 'chat.completion.chunk',
      created: 1_767_000_000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: usage === undefined ? [{ index: 0, delta, finish_reason: finish }] : [],
      ...(usage === undefined ? {} : { usage }),
    });
    const client = new OpenAI({
      apiKey: 'sk-test',
      baseURL: 'http://127.0.0.1:9/v1',
      maxRetries: 0,
      fetch: sseFetch([
        chunk({ role: 'assistant', content: 'Hel' }, null, undefined),
        chunk({ content: 'lo' }, 'stop', undefined),
        chunk({}, null, { prompt_tokens: 9, completion_tokens: '2', total_tokens: 11 }),
      ]),
    });
    const seen: string[] = [];
    await withAttribution({ tenant }, async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Hi' }],
      });
      for await (const c of stream) seen.push(JSON.stringify(c.usage ?? c.choices[0]?.delta?.content));
    });
    expect(seen).toEqual(['"Hel"', '"lo"', '{"prompt_tokens":9,"completion_tokens":"2","total_tokens":11}']);
    const [span] = spanOf(tenant);
    expectInvalidSpan(span, 'completion_tokens:wrong_type');
    expect(await telemetry.counterSum('tokenomics.calls.estimated', { 'tokenomics.attribution.tenant': tenant })).toBe(0);
    expect(await telemetry.counterSum('tokenomics.tokens', { 'tokenomics.attribution.tenant': tenant })).toBe(0);
  });

  it('an Anthropic message reporting 1e308 input tokens is recorded invalid; the other messages keep their exact cost', async () => {
    const tenant = 'anthropic-huge';
    const message = (usage: unknown) => ({
      id: 'msg_hostile',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-20241022',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    });
    const call = (usage: unknown) =>
      withAttribution({ tenant }, () =>
        new Anthropic({
          apiKey: 'sk-ant-test',
          baseURL: 'http://127.0.0.1:9',
          maxRetries: 0,
          fetch: jsonFetch(message(usage)),
        }).messages.create({
          model: 'claude-3-5-haiku-20241022',
          max_tokens: 32,
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      );
    await call({ input_tokens: 2000, output_tokens: 500, cache_read_input_tokens: null, cache_creation_input_tokens: null });
    await call({ input_tokens: 1e308, output_tokens: 500 });
    const [good, hostile] = spanOf(tenant);
    expect(good.attributes['gen_ai.usage.cost.amount']).toBe(0.0036);
    expectInvalidSpan(hostile, 'input_tokens:too_large');
    const match = { 'tokenomics.attribution.tenant': tenant };
    expect(await telemetry.counterSum('tokenomics.cost', match)).toBe(0.0036);
    expect(await telemetry.counterSum('tokenomics.tokens', match)).toBe(2500);
  });
});
