import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicInstrumentation,
  BudgetExceededError,
  BudgetGuard,
  OpenAIInstrumentation,
  SpendWindow,
  setBudgetGuard,
  withAttribution,
  type Budget,
} from '../src';
import { requireOpenAI } from './support/load-openai';
import { requireAnthropic } from './support/load-anthropic';
import { TestTelemetry } from './support/telemetry';

// Published list prices, USD per million tokens: gpt-4o-mini $0.15 input, $0.60 output;
// claude-3-5-haiku $0.80 input, $4.00 output.
// The guard's estimate of a chat call { messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }:
// input 3 (per message) + 1 ('user') + 1 ('hi') + 3 (reply priming) = 8 tokens, output 10 tokens.
const GPT_ESTIMATE = (8 * 0.15 + 10 * 0.6) / 1e6; // 7.2e-6 USD
const HI = [{ role: 'user', content: 'hi' }];
const HOUR = 3_600_000;

function budget(over: Partial<Budget> & Pick<Budget, 'limitUsd'>): Budget {
  return { name: 'team', window: 'hour', action: 'reject', match: {}, ...over };
}

describe('spend windows', () => {
  it('counts an amount for the whole window and drops it within one bucket (1/60 of the window) after', () => {
    let now = 10 * HOUR; // a bucket boundary
    const w = new SpendWindow('hour', () => now);
    w.add(0.25);
    now += 30 * 60_000;
    w.add(0.5);
    expect(w.spent()).toBe(0.75);
    now = 11 * HOUR; // one full hour after the first amount: still counted (never forgotten early)
    expect(w.spent()).toBe(0.75);
    now = 11 * HOUR + 60_000; // one bucket later: the first amount has left the window
    expect(w.spent()).toBe(0.5);
    now = 11 * HOUR + 31 * 60_000;
    expect(w.spent()).toBe(0);
  });

  it('keeps a day window in 24-minute buckets and ignores amounts that are not finite and non-negative', () => {
    let now = 0;
    const w = new SpendWindow('day', () => now);
    w.add(1);
    w.add(-1);
    w.add(Number.NaN);
    w.add(Infinity);
    now = 24 * HOUR + 23 * 60_000;
    expect(w.spent()).toBe(1);
    now = 24 * HOUR + 24 * 60_000;
    expect(w.spent()).toBe(0);
  });

  it('holds a fixed ring whatever the traffic: an amount 30 days old no longer counts in a 30-day window', () => {
    let now = 0;
    const w = new SpendWindow('30d', () => now);
    for (let i = 0; i < 10_000; i++) {
      w.add(0.001);
      now += 60_000;
    }
    const before = w.spent();
    expect(before).toBeCloseTo(10, 9);
    now += 31 * 24 * HOUR;
    expect(w.spent()).toBe(0);
  });
});

describe('budget guard before openai calls', () => {
  let telemetry: TestTelemetry;
  let instrumentation: OpenAIInstrumentation;
  let emulator: Emulator;
  let client: any;

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    instrumentation = telemetry.instrument(new OpenAIInstrumentation());
    emulator = await startEmulator({ port: 0 });
    const { OpenAI } = requireOpenAI(6);
    client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
  });

  afterEach(async () => {
    setBudgetGuard(undefined);
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    instrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  it('sends a call whose estimate brings the window exactly to the limit', async () => {
    setBudgetGuard(new BudgetGuard({ budgets: [budget({ limitUsd: GPT_ESTIMATE })] }));
    const before = emulator.requests.length;
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 });
    expect(completion.choices[0].message.content).toBeTypeOf('string');
    expect(emulator.requests.length).toBe(before + 1);
    await telemetry.settled();
    expect(telemetry.spans()[0].events).toEqual([]);
  });

  it('rejects a call whose estimate passes the limit by a millionth of a cent, and sends nothing', async () => {
    const limit = GPT_ESTIMATE - 1e-8;
    setBudgetGuard(
      new BudgetGuard(
        { budgets: [budget({ name: 'chat-hourly', limitUsd: limit })] },
        { meter: telemetry.meterProvider.getMeter('@tokenomics/instrumentation') },
      ),
    );
    const before = emulator.requests.length;
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(err).toMatchObject({ name: 'BudgetExceededError', budget: 'chat-hourly', window: 'hour', limitUsd: limit, spentUsd: 0 });
    expect((err as BudgetExceededError).estimateUsd).toBeCloseTo(GPT_ESTIMATE, 15);
    expect(emulator.requests.length).toBe(before);
    await telemetry.settled();
    const [span] = telemetry.spans();
    expect(span.attributes['error.type']).toBe('BudgetExceededError');
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(span.events.map((e) => [e.name, e.attributes?.['tokenomics.budget.name'], e.attributes?.['tokenomics.budget.action']])).toEqual([
      ['tokenomics.budget.exceeded', 'chat-hourly', 'reject'],
    ]);
    expect(await telemetry.counterSum('tokenomics.budget.rejections', { 'tokenomics.budget.name': 'chat-hourly' })).toBe(1);
  });

  it('rejects a stream before it is sent, through the promise the app awaits', async () => {
    setBudgetGuard(new BudgetGuard({ budgets: [budget({ limitUsd: 0 })] }));
    const before = emulator.requests.length;
    const pending = client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10, stream: true });
    await expect(pending).rejects.toBeInstanceOf(BudgetExceededError);
    expect(emulator.requests.length).toBe(before);
  });

  it('warns without rejecting: the call is sent, with a span event and the warnings counter', async () => {
    const limit = GPT_ESTIMATE / 2;
    setBudgetGuard(
      new BudgetGuard(
        { budgets: [budget({ name: 'soft', action: 'warn', limitUsd: limit })] },
        { meter: telemetry.meterProvider.getMeter('@tokenomics/instrumentation') },
      ),
    );
    const before = emulator.requests.length;
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }).withResponse();
    expect(response.status).toBe(200);
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
    expect(emulator.requests.length).toBe(before + 1);
    await telemetry.settled();
    const [event] = telemetry.spans()[0].events;
    expect(event.name).toBe('tokenomics.budget.exceeded');
    expect(event.attributes).toMatchObject({
      'tokenomics.budget.name': 'soft',
      'tokenomics.budget.window': 'hour',
      'tokenomics.budget.action': 'warn',
      'tokenomics.budget.limit': limit,
      'tokenomics.budget.spent': 0,
    });
    expect(event.attributes?.['tokenomics.budget.estimate']).toBeCloseTo(GPT_ESTIMATE, 15);
    expect(
      await telemetry.counterSum('tokenomics.budget.warnings', { 'tokenomics.budget.name': 'soft', 'tokenomics.budget.window': 'hour' }),
    ).toBe(1);
  });

  it('counts billed cost as calls end and forgets it when the window rolls over', async () => {
    let now = 100 * HOUR;
    // Room for one call's estimate plus one billed call of at most 10 + 10 output tokens.
    const guard = new BudgetGuard({ budgets: [budget({ limitUsd: 1e-5 })] }, { now: () => now });
    setBudgetGuard(guard);
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 });
    await telemetry.settled();
    const billed = (first.usage.prompt_tokens * 0.15 + first.usage.completion_tokens * 0.6) / 1e6;
    expect(guard.spent().get('team')).toBeCloseTo(billed, 15);
    expect(billed + GPT_ESTIMATE).toBeGreaterThan(1e-5);
    const before = emulator.requests.length;
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect((err as BudgetExceededError).spentUsd).toBeCloseTo(billed, 15);
    expect(emulator.requests.length).toBe(before);
    now += HOUR + 60_000; // a full window and one bucket later
    expect(guard.spent().get('team')).toBe(0);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 });
    expect(emulator.requests.length).toBe(before + 1);
  });

  it('applies a budget only to the calls it matches: tenant and model', async () => {
    setBudgetGuard(new BudgetGuard({ budgets: [budget({ limitUsd: 0, match: { tenant: 'acme', model: 'gpt-4o-mini' } })] }));
    const before = emulator.requests.length;
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 });
    await withAttribution({ tenant: 'globex' }, () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }),
    );
    await withAttribution({ tenant: 'acme' }, () => client.chat.completions.create({ model: 'gpt-4o', messages: HI, max_tokens: 10 }));
    expect(emulator.requests.length).toBe(before + 3);
    const err = await withAttribution({ tenant: 'acme' }, () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(BudgetExceededError);
    expect(emulator.requests.length).toBe(before + 3);
  });

  it('holds the estimate of a call in flight, so concurrent calls cannot pass the limit together', async () => {
    setBudgetGuard(new BudgetGuard({ budgets: [budget({ limitUsd: GPT_ESTIMATE * 1.5 })] }));
    const before = emulator.requests.length;
    const results = await Promise.allSettled([
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }),
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(emulator.requests.length).toBe(before + 1);
  });
});

for (const major of [6, 5, 4] as const) {
  describe(`what the app sees through a guard that lets calls through: openai ${major}.x`, () => {
    let telemetry: TestTelemetry;
    let instrumentation: OpenAIInstrumentation;
    let emulator: Emulator;
    let client: any;

    beforeAll(async () => {
      telemetry = new TestTelemetry();
      instrumentation = telemetry.instrument(new OpenAIInstrumentation());
      emulator = await startEmulator({ port: 0 });
      const openai = requireOpenAI(major);
      // openai 6 was loaded (and patched by another instrumentation, since disabled) above.
      instrumentation.patchModule(openai);
      client = new openai.OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
      setBudgetGuard(new BudgetGuard({ budgets: [budget({ limitUsd: 1 })] }));
    });

    afterEach(async () => {
      await telemetry.settled();
      telemetry.reset();
    });

    afterAll(async () => {
      setBudgetGuard(undefined);
      instrumentation.disable();
      await emulator.close();
      await telemetry.shutdown();
    });

    it('streams every chunk to the app and records the billed usage', async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10, stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      expect(text.length).toBeGreaterThan(0);
      await telemetry.settled();
      const [span] = telemetry.spans();
      expect(span.attributes['tokenomics.stream.outcome']).toBe('completed');
      expect(span.attributes['tokenomics.usage.estimated']).toBe(false);
    });

    it('keeps the SDK helpers working: asResponse(), the stream() helper and parse()', async () => {
      const raw = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }).asResponse();
      expect(raw.status).toBe(200);
      expect((await raw.json()).object).toBe('chat.completion');
      if (typeof client.chat.completions.stream === 'function') {
        const final = await client.chat.completions.stream({ model: 'gpt-4o-mini', messages: HI, max_tokens: 10 }).finalChatCompletion();
        expect(final.choices[0].message.role).toBe('assistant');
      }
      const parse = client.chat.completions.parse ?? client.beta?.chat?.completions?.parse;
      if (typeof parse === 'function') {
        const parsed = await parse.call(client.chat.completions.parse ? client.chat.completions : client.beta.chat.completions, {
          model: 'gpt-4o-mini',
          messages: HI,
        });
        expect(parsed.choices[0].message.parsed).toBeNull();
      }
    });

    it('guards responses.create with max_output_tokens as the output estimate', async () => {
      const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi', max_output_tokens: 16 });
      expect(response.object).toBe('response');
    });
  });
}

describe('budget guard before anthropic calls', () => {
  let telemetry: TestTelemetry;
  let instrumentation: AnthropicInstrumentation;
  let emulator: Emulator;
  let client: any;

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    instrumentation = telemetry.instrument(new AnthropicInstrumentation());
    emulator = await startEmulator({ port: 0 });
    const Anthropic = requireAnthropic(1).default;
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
  });

  afterEach(async () => {
    setBudgetGuard(undefined);
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    instrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  it('rejects messages.create and messages.stream() over a reject budget, sending nothing', async () => {
    setBudgetGuard(new BudgetGuard({ budgets: [budget({ limitUsd: 0 })] }));
    const before = emulator.requests.length;
    const body = { model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: HI };
    await expect(client.messages.create(body)).rejects.toBeInstanceOf(BudgetExceededError);
    // The stream helper wraps errors that are not the SDK's own in an AnthropicError with the same message.
    await expect(client.messages.stream(body).finalMessage()).rejects.toThrow(/budget "team" \(0 USD per hour\) would be exceeded/);
    expect(emulator.requests.length).toBe(before);
  });

  it('sends calls within the budget, streamed or not, and counts their billed cost', async () => {
    const guard = new BudgetGuard({ budgets: [budget({ limitUsd: 1 })] });
    setBudgetGuard(guard);
    const body = { model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: HI };
    const message = await client.messages.create(body);
    const streamed = await client.messages.stream(body).finalMessage();
    await telemetry.settled();
    const cost = (u: { input_tokens: number; output_tokens: number }) => (u.input_tokens * 0.8 + u.output_tokens * 4) / 1e6;
    expect(guard.spent().get('team')).toBeCloseTo(cost(message.usage) + cost(streamed.usage), 15);
  });
});
