import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { PriceBook } from '@tokenomics/pricing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation, waitForPendingEstimates } from '../src';
import { acceptsStreamOptions, endpointOf } from '../src/openai/endpoint';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// Azure OpenAI global standard list prices, USD per million tokens, equal OpenAI's for these models
// (https://azure.microsoft.com/en-us/pricing/details/cognitive-services/openai-service/):
// gpt-4o (2024-08-06) $2.50 input, $1.25 cached input, $10.00 output; gpt-4o-mini (2024-07-18)
// $0.15 / $0.075 / $0.60; text-embedding-3-small $0.02 input.
const RATES = {
  'gpt-4o': { input: 2.5, cached: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 },
  'text-embedding-3-small': { input: 0.02, cached: 0.02, output: 0 },
} as const;

function usd(model: keyof typeof RATES, input: number, output: number, cached = 0): number {
  const r = RATES[model];
  return ((input - cached) * r.input + cached * r.cached + output * r.output) / 1e6;
}

const API_KEY = 'azure-key-0123456789abcdef';
const API_VERSION = '2024-10-21';
// [{ role: 'user', content: 'Hello, world!' }] is 3 + 1 + 4 + 3 = 11 prompt tokens in o200k_base
// (gpt-4o, gpt-4o-mini); the emulator's reply to it is 25 tokens.
const HELLO = [{ role: 'user' as const, content: 'Hello, world!' }];

function only(spans: ReadableSpan[]): ReadableSpan {
  expect(spans).toHaveLength(1);
  return spans[0];
}

/** Lets the call end (a short wait), then waits for any usage estimate the token worker is counting. */
async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await waitForPendingEstimates(120_000);
}

describe('Azure OpenAI through the openai AzureOpenAI client', () => {
  let telemetry: TestTelemetry;
  let instrumentation: OpenAIInstrumentation;
  let emulator: Emulator;
  let openai: any;
  let chat: any;
  const dirs: string[] = [];

  /** A client bound to one deployment, as apps create it. */
  const azure = (deployment?: string, options: Record<string, unknown> = {}) =>
    new openai.AzureOpenAI({
      endpoint: emulator.azureEndpoint,
      apiKey: API_KEY,
      apiVersion: API_VERSION,
      deployment,
      maxRetries: 0,
      ...options,
    });

  /** A price book with the bundled prices and an override file written for the test. */
  const bookWithOverrides = (yaml: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'azure-prices-'));
    dirs.push(dir);
    const file = join(dir, 'prices.yaml');
    writeFileSync(file, yaml);
    return PriceBook.load({ overridesFile: file });
  };

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    instrumentation = new OpenAIInstrumentation();
    telemetry.instrument(instrumentation);
    emulator = await startEmulator({ port: 0 });
    openai = requireOpenAI(6);
    chat = azure('prod-chat');
  });

  afterEach(async () => {
    await telemetry.settled();
    telemetry.reset();
    instrumentation.setConfig({});
  });

  afterAll(async () => {
    instrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('records the deployment as the request model, the real model as the response model, and prices the real model', async () => {
    const completion = await chat.chat.completions.create({ model: 'prod-chat', messages: HELLO, temperature: 0.3 });
    expect(emulator.requests.at(-1)?.path).toBe('/openai/deployments/prod-chat/chat/completions');
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 25 });

    const span = only(telemetry.spans());
    expect(span.name).toBe('chat prod-chat');
    const a = span.attributes;
    expect(a['gen_ai.provider.name']).toBe('azure.ai.openai');
    expect(a['gen_ai.operation.name']).toBe('chat');
    expect(a['gen_ai.request.model']).toBe('prod-chat');
    expect(a['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(a['gen_ai.response.id']).toBe(completion.id);
    expect(a['gen_ai.request.temperature']).toBe(0.3);
    expect(a['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(a['server.address']).toBe('127.0.0.1');
    expect(a['server.port']).toBe(emulator.port);
    expect(a['gen_ai.usage.input_tokens']).toBe(11);
    expect(a['gen_ai.usage.output_tokens']).toBe(25);
    expect(a['tokenomics.usage.estimated']).toBe(false);
    expect(a['tokenomics.pricing.model']).toBe('gpt-4o');
    expect(a['tokenomics.cost.input']).toBeCloseTo((11 * 2.5) / 1e6, 15);
    expect(a['tokenomics.cost.output']).toBeCloseTo((25 * 10) / 1e6, 15);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', 11, 25), 15);
    expect(a['gen_ai.usage.cost.currency']).toBe('USD');

    const series = {
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': 'prod-chat',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
    };
    expect(await telemetry.counterSum('tokenomics.cost', series)).toBeCloseTo(usd('gpt-4o', 11, 25), 15);
    expect(await telemetry.counterSum('tokenomics.tokens', { ...series, 'tokenomics.token.type': 'output' })).toBe(25);
    const usage = await telemetry.points('gen_ai.client.token.usage');
    const input = usage.find((p) => p.attributes['gen_ai.token.type'] === 'input' && p.attributes['gen_ai.request.model'] === 'prod-chat');
    expect((input?.value as { sum: number } | undefined)?.sum).toBe(11);
  });

  it('records the client deployment as the request model when the body names another model, as the request is routed', async () => {
    await chat.chat.completions.create({ model: 'gpt-4o', messages: HELLO });
    expect(emulator.requests.at(-1)?.path).toBe('/openai/deployments/prod-chat/chat/completions');
    const span = only(telemetry.spans());
    expect(span.name).toBe('chat prod-chat');
    expect(span.attributes['gen_ai.request.model']).toBe('prod-chat');
  });

  it('prices the model behind the deployment, cached input at its own rate', async () => {
    const completion = await chat.chat.completions.create(
      { model: 'prod-chat', messages: HELLO },
      { headers: { 'x-emulate': 'deployment_model=gpt-4o-mini;cached=8;output_tokens=5' } },
    );
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    const a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.request.model']).toBe('prod-chat');
    expect(a['gen_ai.response.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(a['gen_ai.usage.input_tokens']).toBe(11);
    expect(a['gen_ai.usage.cache_read.input_tokens']).toBe(8);
    expect(a['gen_ai.usage.output_tokens']).toBe(5);
    expect(a['tokenomics.cost.cache_read']).toBeCloseTo((8 * 0.075) / 1e6, 15);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o-mini', 11, 5, 8), 15);
  });

  it('gives the app the same stream chunks, the empty first one included, while billing injected usage exactly', async () => {
    const request = { model: 'prod-chat', stream: true, messages: HELLO };
    const strip = (c: any) => JSON.stringify({ ...c, id: c.id === '' ? '' : 'x', created: c.created === 0 ? 0 : 1 });
    const seen: any[] = [];
    for await (const chunk of await chat.chat.completions.create(request, { headers: { 'x-emulate': 'output_tokens=4' } }))
      seen.push(chunk);
    const span = only(telemetry.spans());
    expect(emulator.requests.at(-1)?.body).toMatchObject({ stream_options: { include_usage: true } });

    instrumentation.disable();
    const bare: any[] = [];
    try {
      for await (const chunk of await azure('prod-chat').chat.completions.create(request, { headers: { 'x-emulate': 'output_tokens=4' } }))
        bare.push(chunk);
    } finally {
      instrumentation.enable();
    }
    expect(emulator.requests.at(-1)?.body).not.toHaveProperty('stream_options');
    expect(seen.map(strip)).toEqual(bare.map(strip));
    // prompt filter chunk, role chunk, 4 content chunks, finish chunk; the usage chunk stays hidden
    expect(seen).toHaveLength(7);
    expect(seen[0]).toMatchObject({ id: '', model: '', choices: [] });
    expect(seen[0].prompt_filter_results).toHaveLength(1);
    expect(seen.every((c) => !('usage' in c))).toBe(true);
    expect(request).not.toHaveProperty('stream_options');

    const a = span.attributes;
    expect(a['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(a['gen_ai.response.id']).toBe(seen[1].id);
    expect(a['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(a['gen_ai.usage.input_tokens']).toBe(11);
    expect(a['gen_ai.usage.output_tokens']).toBe(4);
    expect(a['tokenomics.usage.estimated']).toBe(false);
    expect(a['tokenomics.stream.outcome']).toBe('completed');
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', 11, 4), 15);
    const ttfc = await telemetry.points('gen_ai.client.operation.time_to_first_chunk');
    expect(
      ttfc
        .filter((p) => p.attributes['gen_ai.request.model'] === 'prod-chat')
        .reduce((n, p) => n + (p.value as { count: number }).count, 0),
    ).toBe(1);
  });

  it('keeps the usage chunk visible when the app asked for it itself', async () => {
    const chunks: any[] = [];
    const stream = await chat.chat.completions.create(
      { model: 'prod-chat', stream: true, stream_options: { include_usage: true }, messages: HELLO },
      { headers: { 'x-emulate': 'output_tokens=3' } },
    );
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0].usage).toBeNull();
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3 });
    const a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.usage.output_tokens']).toBe(3);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', 11, 3), 15);
  });

  it('records the Responses API at /openai/responses and embeddings for a deployment', async () => {
    const client = new openai.AzureOpenAI({
      endpoint: emulator.azureEndpoint,
      apiKey: API_KEY,
      apiVersion: '2025-03-01-preview',
      maxRetries: 0,
    });
    const response = await client.responses.create(
      { model: 'prod-responses', input: 'Hello, world!' },
      { headers: { 'x-emulate': 'output_tokens=6' } },
    );
    expect(emulator.requests.at(-1)?.path).toBe('/openai/responses');
    let a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.provider.name']).toBe('azure.ai.openai');
    expect(a['gen_ai.request.model']).toBe('prod-responses');
    expect(a['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(a['gen_ai.usage.input_tokens']).toBe(response.usage.input_tokens);
    expect(a['gen_ai.usage.output_tokens']).toBe(6);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', response.usage.input_tokens, 6), 15);
    telemetry.reset();

    const embedding = await azure('embeddings-prod').embeddings.create({ model: 'embeddings-prod', input: 'Hello, world!' });
    expect(embedding.model).toBe('text-embedding-3-small');
    const span = only(telemetry.spans());
    expect(span.name).toBe('embeddings embeddings-prod');
    a = span.attributes;
    expect(a['gen_ai.response.model']).toBe('text-embedding-3-small');
    expect(a['gen_ai.usage.input_tokens']).toBe(4);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('text-embedding-3-small', 4, 0), 15);
  });

  it('records an Azure 429 and a missing deployment as error spans the app saw, unbilled', async () => {
    for (const [status, content] of [
      [429, 'Hi [emulate error=429]'],
      [404, 'Hi [emulate error=404]'],
    ] as const) {
      const error = await chat.chat.completions.create({ model: 'prod-chat', messages: [{ role: 'user', content }] }).then(
        () => undefined,
        (caught: any) => caught,
      );
      expect(error).toBeInstanceOf(openai.APIError);
      expect(error.status).toBe(status);
      await settle();
      const span = only(telemetry.spans());
      expect(span.status.code).toBe(2);
      expect(span.attributes['error.type']).toBe(String(status));
      expect(span.attributes['gen_ai.provider.name']).toBe('azure.ai.openai');
      expect(span.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
      expect(span.attributes['tokenomics.unpriced']).toBeUndefined();
      telemetry.reset();
    }
  });

  it('flags a deployment it cannot price as unpriced when the response names no model, never $0', async () => {
    // The app stops reading after Azure's first chunk, which has no model: the call is recorded
    // with usage estimated from the request, and the deployment name is the only model known.
    for await (const chunk of await chat.chat.completions.create({ model: 'prod-chat', stream: true, messages: HELLO })) {
      expect(chunk.model).toBe('');
      break;
    }
    await telemetry.settled();
    const a = only(telemetry.spans()).attributes;
    expect(a['tokenomics.stream.outcome']).toBe('abandoned');
    expect(a['gen_ai.response.model']).toBeUndefined();
    expect(a['gen_ai.usage.input_tokens']).toBe(11);
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['tokenomics.unpriced']).toBe(true);
    expect(a['tokenomics.unpriced_reason']).toBe('unknown_model');
    expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(
      await telemetry.counterSum('tokenomics.calls.unpriced', {
        'gen_ai.request.model': 'prod-chat',
        'gen_ai.provider.name': 'azure.ai.openai',
      }),
    ).toBe(1);
  });

  it('prices a deployment through a price-book alias from an override file when the response names no model', async () => {
    const priceBook = bookWithOverrides(
      ['version: contoso-azure', 'aliases:', '  - alias: support-bot', '    provider: azure.ai.openai', '    model: gpt-4o-mini', ''].join(
        '\n',
      ),
    );
    instrumentation.setConfig({ priceBook });
    const bot = azure('support-bot');
    const emulate = { headers: { 'x-emulate': 'deployment_model=gpt-4o-mini;output_tokens=5' } };

    // A stream the app stops reading after the first (modelless) chunk.
    for await (const _ of await bot.chat.completions.create({ model: 'support-bot', stream: true, messages: HELLO }, emulate)) break;
    await telemetry.settled();
    let a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.response.model']).toBeUndefined();
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['tokenomics.pricing.model']).toBe('gpt-4o-mini');
    expect(a['tokenomics.price_book.version']).toBe(`${PriceBook.bundled().version}+overrides.contoso-azure`);
    expect(a['gen_ai.usage.input_tokens']).toBe(11);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o-mini', 11, 0), 15);
    telemetry.reset();

    // A raw stream the app reads itself with asResponse(): its events are seen as the app reads
    // them; sent as the app wrote it (no usage asked), so usage is estimated from what streamed.
    const raw = await bot.chat.completions.create({ model: 'support-bot', stream: true, messages: HELLO }, emulate).asResponse();
    await raw.text();
    await settle();
    await telemetry.settled();
    a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.response.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['tokenomics.pricing.model']).toBe('gpt-4o-mini');
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(
      usd('gpt-4o-mini', a['gen_ai.usage.input_tokens'] as number, a['gen_ai.usage.output_tokens'] as number),
      15,
    );
    telemetry.reset();

    // With a response model, the call is billed exactly at that model's price.
    await bot.chat.completions.create({ model: 'support-bot', messages: HELLO }, emulate);
    await telemetry.settled();
    a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.response.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(a['tokenomics.usage.estimated']).toBe(false);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o-mini', 11, 5), 15);
  });

  it('reports a plain OpenAI client pointed at an Azure deployment URL as Azure OpenAI', async () => {
    const client = new openai.OpenAI({
      apiKey: API_KEY,
      baseURL: `${emulator.azureEndpoint}/openai/deployments/prod-chat`,
      defaultQuery: { 'api-version': API_VERSION },
      defaultHeaders: { 'api-key': API_KEY },
      maxRetries: 0,
    });
    await client.chat.completions.create({ model: 'prod-chat', messages: HELLO });
    const a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.provider.name']).toBe('azure.ai.openai');
    expect(a['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', 11, 25), 15);
  });

  it('leaves stream_options out for Azure API versions that reject it, so the app stream still works', async () => {
    const old = azure('prod-chat', { apiVersion: '2024-06-01' });
    let text = '';
    for await (const chunk of await old.chat.completions.create(
      { model: 'prod-chat', stream: true, messages: HELLO },
      { headers: { 'x-emulate': 'output_tokens=6' } },
    )) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
    expect(emulator.requests.at(-1)?.body).not.toHaveProperty('stream_options');
    await telemetry.settled();
    const a = only(telemetry.spans()).attributes;
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.output_tokens']).toBe(6);
  });

  it('streams with estimated, flagged usage when stream usage injection is off for an API version without stream_options', async () => {
    instrumentation.setConfig({ injectStreamUsage: false });
    const old = azure('prod-chat', { apiVersion: '2024-06-01' });
    let text = '';
    for await (const chunk of await old.chat.completions.create(
      { model: 'prod-chat', stream: true, messages: HELLO },
      { headers: { 'x-emulate': 'output_tokens=6' } },
    )) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text.length).toBeGreaterThan(0);
    await telemetry.settled();
    const a = only(telemetry.spans()).attributes;
    expect(a['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.input_tokens']).toBe(11);
    expect(a['gen_ai.usage.output_tokens']).toBe(6);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', 11, 6), 15);
  });
});

describe('Azure OpenAI endpoints', () => {
  it('recognises Azure OpenAI by client, by host, and by the deployments path behind gateways', () => {
    expect(endpointOf('https://contoso.openai.azure.com/openai', true)).toEqual({
      provider: 'azure.ai.openai',
      serverAddress: 'contoso.openai.azure.com',
      serverPort: 443,
      streamUsage: 'on_request',
      guessed: false,
    });
    expect(endpointOf('https://contoso.openai.azure.com/openai/v1/', false).provider).toBe('azure.ai.openai');
    expect(endpointOf('https://contoso.cognitiveservices.azure.com/openai/v1/', false).provider).toBe('azure.ai.openai');
    expect(endpointOf('https://contoso.services.ai.azure.com/openai/v1/', false).provider).toBe('azure.ai.openai');
    expect(endpointOf('https://contoso.services.ai.azure.com/models', false).provider).toBe('azure.ai.inference');
    expect(endpointOf('https://contoso-apim.azure-api.net/openai/deployments/prod-chat', false).provider).toBe('azure.ai.openai');
    expect(endpointOf('https://contoso-apim.azure-api.net/openai/v1', false).provider).toBe('azure.ai.openai');
    expect(endpointOf('https://llm-gateway.example.com/openai/deployments/prod-chat', false)).toEqual({
      provider: 'azure.ai.openai',
      serverAddress: 'llm-gateway.example.com',
      serverPort: 443,
      streamUsage: 'on_request',
      guessed: false,
    });
    // Not Azure: Groq serves its OpenAI-compatible API under /openai/v1, and a bare /openai/v1 path proves nothing.
    expect(endpointOf('https://api.groq.com/openai/v1', false).provider).toBe('groq');
    expect(endpointOf('https://llm-gateway.example.com/openai/v1', false).provider).toBe('openai');
  });

  it('knows which Azure API versions accept stream_options', () => {
    const azure = (apiVersion: string) => ({ apiVersion, _options: { defaultQuery: { 'api-version': apiVersion } } });
    for (const version of ['2024-02-01', '2024-06-01', '2024-08-01-preview']) expect(acceptsStreamOptions(azure(version))).toBe(false);
    for (const version of ['2024-09-01-preview', '2024-10-21', '2025-04-01-preview', 'preview', 'latest'])
      expect(acceptsStreamOptions(azure(version))).toBe(true);
    expect(acceptsStreamOptions({ _options: { defaultQuery: { 'api-version': '2024-06-01' } } })).toBe(false);
    expect(acceptsStreamOptions({ _options: {} })).toBe(true);
    expect(acceptsStreamOptions(undefined)).toBe(true);
  });
});
