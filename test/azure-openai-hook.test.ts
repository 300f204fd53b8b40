import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';
import { EXAMPLES, runHookedExample } from './support/examples';

// Azure OpenAI global standard list prices, USD per million tokens, equal OpenAI's for these models
// (https://azure.microsoft.com/en-us/pricing/details/cognitive-services/openai-service/):
// gpt-4o (2024-08-06) $2.50 in / $1.25 cached / $10.00 out; gpt-4o-mini $0.15 / $0.075 / $0.60;
// text-embedding-3-small $0.02.
const RATES: Record<string, { input: number; cached: number; output: number }> = {
  'gpt-4o': { input: 2.5, cached: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 },
  'text-embedding-3-small': { input: 0.02, cached: 0.02, output: 0 },
};
const usd = (model: string, input: number, output: number, cached = 0) =>
  ((input - cached) * RATES[model].input + cached * RATES[model].cached + output * RATES[model].output) / 1e6;

const APP = join(EXAMPLES, 'azure-openai-cjs', 'app.js');
const API_KEY = 'azure-e2e-secret-000';

// Prompt tokens in o200k_base with OpenAI's chat accounting (3 per message + 1 for the role + text + 3):
// 'Tell me a short story about a tandem. [emulate deployment_model=gpt-4o-mini output_tokens=30]' is 25,
// 'Draft a reply to a complaint. [emulate deployment_model=gpt-4o-mini]' is 19.
const STREAM_INPUT = 3 + 1 + 25 + 3;
const CANCELLED_INPUT = 3 + 1 + 19 + 3;

describe('Azure OpenAI example service with the hook (CommonJS, --require)', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let overrides: string;
  let stdout: string;
  let spans: OtlpSpan[];

  beforeAll(async () => {
    overrides = mkdtempSync(join(tmpdir(), 'azure-e2e-'));
    // The drafts deployment runs gpt-4o-mini; calls whose response names no model are priced through this alias.
    writeFileSync(
      join(overrides, 'prices.yaml'),
      ['version: contoso-azure', 'aliases:', '  - alias: team-b-chat', '    provider: azure.ai.openai', '    model: gpt-4o-mini', ''].join(
        '\n',
      ),
    );
    ({ emulator, receiver, stdout, spans } = await runHookedExample({
      app: APP,
      protocol: 'http/protobuf',
      env: (emulator) => ({
        AZURE_OPENAI_ENDPOINT: emulator.azureEndpoint,
        AZURE_OPENAI_API_KEY: API_KEY,
        OPENAI_API_VERSION: '2024-10-21',
        TOKENOMICS_PRICE_OVERRIDES: join(overrides, 'prices.yaml'),
        OTEL_SERVICE_NAME: 'bike-shop-azure',
      }),
      scope: '@tokenomics/instrumentation-openai',
      spans: 6,
    }));
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
    if (overrides) rmSync(overrides, { recursive: true, force: true });
  });

  const line = (re: RegExp) => {
    const m = stdout.match(re);
    expect(m, `app output ${re}`).not.toBeNull();
    return m!.slice(1).map(Number);
  };
  const named = (name: string) => spans.filter((s) => s.name === name);

  it('calls the Azure deployment paths and exports one azure.ai.openai CLIENT span per call', () => {
    expect(emulator.requests.map((r) => r.path)).toEqual([
      '/openai/deployments/prod-chat/chat/completions',
      '/openai/deployments/support-bot/chat/completions',
      '/openai/responses',
      '/openai/deployments/team-b-chat/chat/completions',
      '/openai/deployments/embeddings-prod/embeddings',
      '/openai/deployments/prod-chat/chat/completions',
    ]);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat prod-chat',
      'chat prod-chat',
      'chat prod-responses',
      'chat support-bot',
      'chat team-b-chat',
      'embeddings embeddings-prod',
    ]);
    for (const s of spans) {
      expect(s.kind).toBe(OTLP_SPAN_KIND.CLIENT);
      expect(s.resource['service.name']).toBe('bike-shop-azure');
      expect(s.attributes['gen_ai.provider.name']).toBe('azure.ai.openai');
      expect(s.attributes['server.address']).toBe('127.0.0.1');
      expect(s.attributes['server.port']).toBe(emulator.port);
    }
  });

  it('carries the deployment as request model, the real model as response model, and exact billed cost', () => {
    const [input, cached, output] = line(/chat prod-chat \(gpt-4o-2024-08-06\): (\d+) in \/ (\d+) cached \/ (\d+) out/);
    expect(cached).toBe(1024);
    const chat = named('chat prod-chat').find((s) => s.status.code !== OTLP_STATUS_CODE.ERROR)!;
    expect(chat.attributes['gen_ai.request.model']).toBe('prod-chat');
    expect(chat.attributes['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect(chat.attributes['gen_ai.usage.input_tokens']).toBe(input);
    expect(chat.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(1024);
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBe(output);
    expect(chat.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', input, output, 1024), 15);
    expect(chat.attributes['tokenomics.attribution.tenant']).toBe('acme');

    const [rin, rout] = line(/responses prod-responses \(gpt-4o-2024-08-06\): (\d+) in \/ (\d+) out/);
    const responses = named('chat prod-responses')[0];
    expect(responses.attributes['gen_ai.response.model']).toBe('gpt-4o-2024-08-06');
    expect([responses.attributes['gen_ai.usage.input_tokens'], responses.attributes['gen_ai.usage.output_tokens']]).toEqual([rin, rout]);
    expect(responses.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o', rin, rout), 15);

    const [ein] = line(/embeddings embeddings-prod \(text-embedding-3-small\): (\d+) in/);
    const embeddings = named('embeddings embeddings-prod')[0];
    expect(embeddings.attributes['gen_ai.response.model']).toBe('text-embedding-3-small');
    expect(embeddings.attributes['gen_ai.usage.input_tokens']).toBe(ein);
    expect(embeddings.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('text-embedding-3-small', ein, 0), 15);
  });

  it('bills a stream exactly while the app saw every chunk, the empty first one included, and no usage chunk', () => {
    const [content] = line(/stream support-bot: (\d+) content chunks, first chunk model ""/);
    expect(content).toBe(30);
    expect(emulator.requests[1].body).toMatchObject({ stream_options: { include_usage: true } });
    const stream = named('chat support-bot')[0];
    expect(stream.attributes['gen_ai.response.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(stream.attributes['tokenomics.stream.outcome']).toBe('completed');
    expect(stream.attributes['tokenomics.usage.estimated']).toBe(false);
    expect(stream.attributes['gen_ai.usage.input_tokens']).toBe(STREAM_INPUT);
    expect(stream.attributes['gen_ai.usage.output_tokens']).toBe(30);
    expect(stream.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o-mini', STREAM_INPUT, 30), 15);
  });

  it('prices a stream cancelled after the modelless first chunk through the deployment alias of the override file', () => {
    expect(stdout).toContain('cancelled team-b-chat after the first chunk (model "")');
    const cancelled = named('chat team-b-chat')[0];
    const a = cancelled.attributes;
    expect(a['gen_ai.response.model']).toBeUndefined();
    expect(a['tokenomics.stream.outcome']).toBe('abandoned');
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.input_tokens']).toBe(CANCELLED_INPUT);
    expect(a['gen_ai.usage.output_tokens']).toBe(0);
    expect(a['tokenomics.pricing.model']).toBe('gpt-4o-mini');
    expect(a['tokenomics.price_book.version']).toMatch(/\+overrides\.contoso-azure$/);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(usd('gpt-4o-mini', CANCELLED_INPUT, 0), 15);
  });

  it('exports the rate-limited call as an error span the app saw as a 429', () => {
    expect(stdout).toContain('chat prod-chat failed: 429');
    const failed = spans.filter((s) => s.status.code === OTLP_STATUS_CODE.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0].name).toBe('chat prod-chat');
    expect(failed[0].attributes['error.type']).toBe('429');
    expect(failed[0].attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('exports metrics that add up to the spans: cost per deployment and tenant, tokens, durations, estimated calls', () => {
    const cost = (s: OtlpSpan) => (s.attributes['gen_ai.usage.cost.amount'] as number | undefined) ?? 0;
    const costPoints = receiver.metricPoints('tokenomics.cost');
    expect(costPoints.every((p) => p.attributes['gen_ai.provider.name'] === 'azure.ai.openai')).toBe(true);
    const sum = (points: typeof costPoints) => points.reduce((n, p) => n + (p.value ?? 0), 0);
    expect(sum(costPoints)).toBeCloseTo(
      spans.reduce((n, s) => n + cost(s), 0),
      15,
    );
    for (const deployment of ['prod-chat', 'support-bot', 'prod-responses', 'team-b-chat', 'embeddings-prod']) {
      const points = costPoints.filter((p) => p.attributes['gen_ai.request.model'] === deployment);
      const expected = spans.filter((s) => s.attributes['gen_ai.request.model'] === deployment).reduce((n, s) => n + cost(s), 0);
      expect(expected).toBeGreaterThan(0);
      expect(sum(points)).toBeCloseTo(expected, 15);
    }
    const acme = costPoints.filter((p) => p.attributes['tokenomics.attribution.tenant'] === 'acme');
    expect(sum(acme)).toBeCloseTo(
      spans.filter((s) => s.attributes['tokenomics.attribution.tenant'] === 'acme').reduce((n, s) => n + cost(s), 0),
      15,
    );
    const mini = costPoints.filter((p) => p.attributes['gen_ai.response.model'] === 'gpt-4o-mini-2024-07-18');
    expect(sum(mini)).toBeCloseTo(usd('gpt-4o-mini', STREAM_INPUT, 30), 15);

    const tokens = receiver.metricPoints('tokenomics.tokens');
    const byType = (type: string) =>
      tokens.filter((p) => p.attributes['tokenomics.token.type'] === type).reduce((n, p) => n + (p.value ?? 0), 0);
    const inputs = spans.reduce((n, s) => n + ((s.attributes['gen_ai.usage.input_tokens'] as number | undefined) ?? 0), 0);
    const outputs = spans.reduce((n, s) => n + ((s.attributes['gen_ai.usage.output_tokens'] as number | undefined) ?? 0), 0);
    expect(byType('cache_read')).toBe(1024);
    expect(byType('input') + byType('cache_read')).toBe(inputs);
    expect(byType('output')).toBe(outputs);

    const durations = receiver.metricPoints('gen_ai.client.operation.duration');
    expect(durations.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(6);
    expect(durations.filter((p) => p.attributes['error.type'] === '429').reduce((n, p) => n + (p.count ?? 0), 0)).toBe(1);
    const firstChunks = receiver.metricPoints('gen_ai.client.operation.time_to_first_chunk');
    expect(firstChunks.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(2);
    const estimated = receiver.metricPoints('tokenomics.calls.estimated');
    expect(estimated.map((p) => [p.attributes['gen_ai.request.model'], p.value])).toEqual([['team-b-chat', 1]]);
    expect(receiver.metricPoints('tokenomics.calls.unpriced').reduce((n, p) => n + (p.value ?? 0), 0)).toBe(0);
  });

  it('never exports the API key or prompt text', () => {
    const text = JSON.stringify(spans, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain('e-bikes');
    expect(JSON.stringify(emulator.requests)).not.toContain(API_KEY);
  });
});
