import type { Histogram } from '@opentelemetry/sdk-metrics';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  AnthropicInstrumentation,
  BudgetGuard,
  GroqInstrumentation,
  OpenAIInstrumentation,
  setBudgetGuard,
  TogetherInstrumentation,
  withAttribution,
} from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';
import { estimateRequestTokens } from '@tokenomics/tokens';

// Published list prices, USD per million tokens:
// gpt-4o-mini $0.15 input, $0.075 cached input, $0.60 output;
// claude-sonnet-4 $3 input, $3.75 5-minute cache write, $6 1-hour cache write, $0.30 cache read, $15 output.

const API_KEY = 'sk-test-secret-key-1234567890';

describe('quota headroom, conversation cost, cache savings and reconciliation (openai, @anthropic-ai/sdk)', () => {
  let telemetry: TestTelemetry;
  let openaiInstrumentation: OpenAIInstrumentation;
  let anthropicInstrumentation: AnthropicInstrumentation;
  let groqInstrumentation: GroqInstrumentation;
  let togetherInstrumentation: TogetherInstrumentation;
  let emulator: Emulator;
  let openai: any;
  let anthropic: any;

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    openaiInstrumentation = telemetry.instrument(new OpenAIInstrumentation({ reconcileSample: 1 }));
    anthropicInstrumentation = telemetry.instrument(new AnthropicInstrumentation({ reconcileSample: 1 }));
    groqInstrumentation = telemetry.instrument(new GroqInstrumentation());
    togetherInstrumentation = telemetry.instrument(new TogetherInstrumentation());
    emulator = await startEmulator({ port: 0 });
    const { OpenAI } = requireOpenAI(6);
    openai = new OpenAI({ apiKey: API_KEY, baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const sdk = requireAnthropic(1);
    const Anthropic = sdk.Anthropic ?? sdk.default;
    anthropic = new Anthropic({ apiKey: API_KEY, baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
  });

  afterEach(async () => {
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    openaiInstrumentation.disable();
    anthropicInstrumentation.disable();
    groqInstrumentation.disable();
    togetherInstrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  async function gauge(name: string, match: Record<string, unknown>): Promise<number | undefined> {
    const points = (await telemetry.points(name)).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
    expect(points.length).toBeLessThanOrEqual(1);
    return points[0]?.value as number | undefined;
  }

  async function histogram(name: string, match: Record<string, unknown>): Promise<Histogram | undefined> {
    const points = (await telemetry.points(name)).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
    expect(points.length).toBeLessThanOrEqual(1);
    return points[0]?.value as Histogram | undefined;
  }

  it("reads OpenAI's x-ratelimit headers into remaining and limit gauges for requests and tokens", async () => {
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
    const base = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };
    // The emulator sends OpenAI's header set: x-ratelimit-limit-requests 10000, remaining 9999,
    // x-ratelimit-limit-tokens 30000000, remaining 29999000.
    expect(await gauge('tokenomics.quota.limit', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(10000);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(9999);
    expect(await gauge('tokenomics.quota.limit', { ...base, 'tokenomics.quota.limit_type': 'tokens' })).toBe(30000000);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'tokens' })).toBe(29999000);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'input_tokens' })).toBeUndefined();
  });

  it("reads Anthropic's anthropic-ratelimit headers into gauges for requests, tokens, input tokens and output tokens", async () => {
    await anthropic.messages.create({ model: 'claude-sonnet-4-0', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
    const base = { 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-0' };
    const expected: Array<[string, number, number]> = [
      ['requests', 50, 49],
      ['tokens', 38000, 37000],
      ['input_tokens', 30000, 29000],
      ['output_tokens', 8000, 8000],
    ];
    for (const [type, limit, remaining] of expected) {
      expect(await gauge('tokenomics.quota.limit', { ...base, 'tokenomics.quota.limit_type': type })).toBe(limit);
      expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': type })).toBe(remaining);
    }
  });

  it('reads Azure OpenAI rate-limit headers per deployment', async () => {
    const { AzureOpenAI } = requireOpenAI(6);
    const azure = new AzureOpenAI({
      endpoint: emulator.azureEndpoint,
      apiKey: API_KEY,
      apiVersion: '2024-10-21',
      deployment: 'prod-chat',
      maxRetries: 0,
    });
    await azure.chat.completions.create({
      model: 'prod-chat',
      messages: [{ role: 'user', content: 'Hello [emulate deployment_model=gpt-4o-mini]' }],
    });
    const provider = telemetry.spans()[0].attributes['gen_ai.provider.name'];
    expect(provider).toBe('azure.ai.openai');
    // Azure sends x-ratelimit-{limit,remaining}-{requests,tokens}: 1000 / 999 and 1,000,000 / 999,000 here.
    const base = { 'gen_ai.provider.name': provider, 'gen_ai.request.model': 'prod-chat' };
    expect(await gauge('tokenomics.quota.limit', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(1000);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(999);
    expect(await gauge('tokenomics.quota.limit', { ...base, 'tokenomics.quota.limit_type': 'tokens' })).toBe(1000000);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'tokens' })).toBe(999000);
  });

  it('reads Groq rate-limit headers through groq-sdk', async () => {
    const Groq = createRequire(join(__dirname, '..', '..', '..', 'test', 'package.json'))('groq-sdk');
    const groq = new (Groq.Groq ?? Groq.default ?? Groq)({ apiKey: API_KEY, baseURL: `${emulator.url}/hosts/groq`, maxRetries: 0 });
    await groq.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'Hello' }] });
    const base = { 'gen_ai.provider.name': 'groq', 'gen_ai.request.model': 'llama-3.3-70b-versatile' };
    // Groq uses OpenAI's header names (the emulator sends OpenAI's values).
    expect(await gauge('tokenomics.quota.limit', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(10000);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(9999);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'tokens' })).toBe(29999000);
  });

  it('reads Together rate-limit headers through together-ai', async () => {
    const Together = createRequire(join(__dirname, '..', '..', '..', 'test', 'package.json'))('together-ai');
    const together = new (Together.Together ?? Together.default ?? Together)({
      apiKey: API_KEY,
      baseURL: `${emulator.url}/hosts/together/v1`,
      maxRetries: 0,
    });
    const model = 'meta-llama/Llama-3.3-70B-Instruct-Turbo';
    await together.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }] });
    const base = { 'gen_ai.provider.name': telemetry.spans()[0].attributes['gen_ai.provider.name'], 'gen_ai.request.model': model };
    expect(base['gen_ai.provider.name']).toBe('together_ai');
    expect(await gauge('tokenomics.quota.limit', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(10000);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'tokens' })).toBe(29999000);
  });

  it('counts a 429 by the limit type its headers show exhausted, and the remaining gauge drops to 0', async () => {
    const err = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello [emulate error=429]' }] })
      .catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(429);
    const base = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };
    expect(await telemetry.counterSum('tokenomics.quota.rate_limited', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(1);
    expect(await telemetry.counterSum('tokenomics.quota.rate_limited', base)).toBe(1);
    expect(await gauge('tokenomics.quota.remaining', { ...base, 'tokenomics.quota.limit_type': 'requests' })).toBe(0);

    const anthropicErr = await anthropic.messages
      .create({ model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: [{ role: 'user', content: 'Hi [emulate error=429]' }] })
      .catch((e: unknown) => e);
    expect((anthropicErr as { status?: number }).status).toBe(429);
    expect(
      await telemetry.counterSum('tokenomics.quota.rate_limited', {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-3-5-haiku-latest',
        'tokenomics.quota.limit_type': 'requests',
      }),
    ).toBe(1);
  });

  it('records what cache reads saved and what cache writes cost above the input price, from the price book', async () => {
    const prompt = `${'Shared reference text. '.repeat(500)} [emulate cache_read=1024 cache_write=512 cache_write_1h=256 output_tokens=20]`;
    await withAttribution({ tenant: 'savings-tenant' }, () =>
      anthropic.messages.create({ model: 'claude-sonnet-4-0', max_tokens: 64, messages: [{ role: 'user', content: prompt }] }),
    );
    const match = { 'gen_ai.provider.name': 'anthropic', 'tokenomics.attribution.tenant': 'savings-tenant' };
    // 1024 reads x ($3 - $0.30) / 1e6 = $0.0027648
    expect(await telemetry.counterSum('tokenomics.cache.savings', match)).toBeCloseTo(0.0027648, 12);
    // 512 x ($3.75 - $3) / 1e6 + 256 x ($6 - $3) / 1e6 = $0.000384 + $0.000768 = $0.001152
    expect(await telemetry.counterSum('tokenomics.cache.write_premium', match)).toBeCloseTo(0.001152, 12);

    await withAttribution({ tenant: 'savings-openai' }, () =>
      openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `${'Shared reference text. '.repeat(400)} [emulate cached=1280]` }],
      }),
    );
    // 1280 cached x ($0.15 - $0.075) / 1e6 = $0.000096; OpenAI has no cache-write premium.
    const openaiMatch = { 'gen_ai.provider.name': 'openai', 'tokenomics.attribution.tenant': 'savings-openai' };
    expect(await telemetry.counterSum('tokenomics.cache.savings', openaiMatch)).toBeCloseTo(0.000096, 12);
    expect(await telemetry.counterSum('tokenomics.cache.write_premium', openaiMatch)).toBe(0);
  });

  it("keeps a named conversation's turn, running input tokens and cost on every span, and input tokens by turn", async () => {
    const inputs: number[] = [];
    const history: Array<{ role: string; content: string }> = [];
    await withAttribution({ conversation: 'support-42' }, async () => {
      for (const question of ['What is a token?', 'And a cache read?', 'How are they billed?']) {
        history.push({ role: 'user', content: question });
        const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: history, max_tokens: 40 });
        inputs.push(reply.usage.prompt_tokens);
        history.push({ role: 'assistant', content: reply.choices[0].message.content });
      }
    });
    await telemetry.settled();
    const spans = telemetry.spans().filter((s) => s.attributes['gen_ai.conversation.id'] === 'support-42');
    expect(spans).toHaveLength(3);
    let input = 0;
    let cost = 0;
    spans.forEach((span, i) => {
      input += inputs[i];
      cost += span.attributes['gen_ai.usage.cost.amount'] as number;
      expect(span.attributes['tokenomics.conversation.turn']).toBe(i + 1);
      expect(span.attributes['tokenomics.conversation.input_tokens']).toBe(input);
      expect(span.attributes['tokenomics.conversation.cost']).toBeCloseTo(cost, 15);
    });
    // The context grows turn after turn.
    expect(inputs[1]).toBeGreaterThan(inputs[0]);
    expect(inputs[2]).toBeGreaterThan(inputs[1]);
    for (const [i, range] of ['1', '2', '3'].entries()) {
      const h = await histogram('tokenomics.conversation.turn_input_tokens', {
        'gen_ai.request.model': 'gpt-4o-mini',
        'tokenomics.conversation.turn_range': range,
      });
      expect(h?.count).toBe(1);
      expect(h?.sum).toBe(inputs[i]);
    }
  });

  it('continues a Responses API conversation named by previous_response_id', async () => {
    const first = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Name a colour.' });
    const second = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Another one.', previous_response_id: first.id });
    const third = await openai.responses.create({ model: 'gpt-4o-mini', input: 'And a third.', previous_response_id: second.id });
    const spans = telemetry.spans();
    expect(spans).toHaveLength(3);
    expect(spans[0].attributes['tokenomics.conversation.turn']).toBeUndefined();
    expect(spans[1].attributes['gen_ai.conversation.id']).toBe(first.id);
    expect(spans[1].attributes['tokenomics.conversation.turn']).toBe(2);
    expect(spans[1].attributes['tokenomics.conversation.input_tokens']).toBe(first.usage.input_tokens + second.usage.input_tokens);
    expect(spans[2].attributes['gen_ai.conversation.id']).toBe(first.id);
    expect(spans[2].attributes['tokenomics.conversation.turn']).toBe(3);
    expect(spans[2].attributes['tokenomics.conversation.input_tokens']).toBe(
      first.usage.input_tokens + second.usage.input_tokens + third.usage.input_tokens,
    );
  });

  it('takes the conversation id from the Responses API conversation option', async () => {
    await openai.responses.create({ model: 'gpt-4o-mini', input: 'Hi', conversation: 'conv_abc' });
    await openai.responses.create({ model: 'gpt-4o-mini', input: 'Hi again', conversation: { id: 'conv_abc' } });
    const spans = telemetry.spans();
    expect(spans.map((s) => s.attributes['gen_ai.conversation.id'])).toEqual(['conv_abc', 'conv_abc']);
    expect(spans.map((s) => s.attributes['tokenomics.conversation.turn'])).toEqual([1, 2]);
  });

  it('records the ratio of the local input estimate to the billed input tokens for a sampled call', async () => {
    const reply = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'The quick brown fox jumps over the lazy dog' });
    await telemetry.settled();
    // The billed count is the emulator's (tiktoken cl100k_base: 9 tokens); the estimate is counted
    // with the model's own encoding, so the ratio is exactly 1.
    expect(reply.usage.prompt_tokens).toBe(9);
    const h = await histogram('tokenomics.reconciliation.input_tokens', {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'tokenomics.token.encoding': 'cl100k_base',
    });
    expect(h?.count).toBe(1);
    expect(h?.sum).toBe(1);
  });

  it("records the ratio of the o200k estimate of a Claude prompt to Anthropic's billed input tokens", async () => {
    const request = {
      model: 'claude-3-5-haiku-latest',
      max_tokens: 64,
      system: 'You answer questions about bicycles in one sentence.',
      messages: [{ role: 'user', content: 'Why do road bikes have narrow tyres and what pressure should they run at?' }],
    };
    const message = await anthropic.messages.create(request);
    await telemetry.settled();
    // Claude's tokenizer is not public: the estimate uses o200k_base, the bill is Anthropic's count
    // (the emulator bills 35 tokens, the o200k count of this prompt: ratio 1; the real API differs).
    const estimated = estimateRequestTokens({ system: request.system, messages: request.messages }, request.model).tokens;
    const billed = message.usage.input_tokens;
    const h = await histogram('tokenomics.reconciliation.input_tokens', {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-3-5-haiku-latest',
      'tokenomics.token.encoding': 'o200k_base',
    });
    expect(h?.count).toBe(1);
    expect(billed).toBe(35);
    expect(h?.sum).toBe(estimated / billed);
  });

  it("records OpenRouter's reported cost over the price book's figure for the same call", async () => {
    const { OpenAI } = requireOpenAI(6);
    const openrouter = new OpenAI({
      apiKey: API_KEY,
      baseURL: 'https://openrouter.ai/api/v1',
      maxRetries: 0,
      fetch: (url: string | URL, init: RequestInit) =>
        fetch(String(url).replace(/^https:\/\/[^/]+/, `${emulator.url}/hosts/openrouter`), init),
    });
    const reply = await openrouter.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Name a classic climb. [emulate cached=4]' }],
    });
    const u = reply.usage;
    // The price book: gpt-4o-mini at $0.15 input, $0.075 cached input, $0.60 output per million.
    const book = ((u.prompt_tokens - 4) * 0.15 + 4 * 0.075 + u.completion_tokens * 0.6) / 1e6;
    const span = telemetry.spans()[0];
    expect(span.attributes['gen_ai.usage.cost.amount']).toBe(u.cost);
    expect(span.attributes['tokenomics.price_book.cost']).toBeCloseTo(book, 15);
    const h = await histogram('tokenomics.reconciliation.cost', {
      'gen_ai.provider.name': 'openrouter',
      'gen_ai.request.model': 'openai/gpt-4o-mini',
    });
    expect(h?.count).toBe(1);
    expect(h?.sum).toBeCloseTo(u.cost / book, 12);
  });

  it("records the budget guard's counted input against the billed input tokens", async () => {
    setBudgetGuard(new BudgetGuard({ budgets: [{ name: 'team', window: 'hour', action: 'warn', match: {}, limitUsd: 100 }] }));
    try {
      const reply = await openai.chat.completions.create({
        model: 'gpt-4.1-nano',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 10,
      });
      await telemetry.settled();
      // The guard counted 'hi' as 8 prompt tokens (o200k_base with the chat format's overhead)
      // before sending; the emulator bills the same count. One point: the guard's count is used.
      expect(reply.usage.prompt_tokens).toBe(8);
      const h = await histogram('tokenomics.reconciliation.input_tokens', {
        'gen_ai.request.model': 'gpt-4.1-nano',
        'tokenomics.token.encoding': 'o200k_base',
      });
      expect(h?.count).toBe(1);
      expect(h?.sum).toBe(1);
    } finally {
      setBudgetGuard(undefined);
    }
  });
});
