/**
 * The collector stage with hand-written OTLP payloads in the shapes other SDKs send (Python
 * OpenLLMetry, Python OpenInference, Java semconv with old and current names, a framework span over
 * a client span), over OTLP/HTTP JSON and protobuf (gzip too), forwarded to a receiver: GenAI spans
 * arrive priced once with hand-computed figures, and the cost counters follow; other spans arrive
 * as they were sent.
 *
 * List prices, USD per million tokens: gpt-4o-mini $0.15 input / $0.60 output; claude-sonnet-4
 * $3 input / $0.30 cache read / $3.75 cache write (5 min) / $15 output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenomicsCollector } from '../packages/collector/src/index';
import { jsonToProtobuf } from '../packages/collector/src/otlp-json';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './support/otlp-receiver';

const FIXTURES = join(__dirname, 'fixtures', 'collector');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

let receiver: OtlpReceiver;
let stage: TokenomicsCollector;
let base: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stage = new TokenomicsCollector({
    http: { host: '127.0.0.1', port: 0 },
    destinations: [{ endpoint: receiver.url }],
    metricsIntervalMs: 3_600_000,
  });
  await stage.start();
  base = `http://${stage.addresses.http}`;
});

afterAll(async () => {
  await stage?.shutdown();
  await receiver?.close();
});

async function post(path: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

async function spansOfTrace(traceId: string, count: number): Promise<OtlpSpan[]> {
  return receiver.waitFor((r) => {
    const spans = r.spans().filter((s) => s.traceId === traceId);
    return spans.length >= count ? spans : undefined;
  });
}

const claudeCall = 0.0114; // 2000 x $3 + 500 x $0.30 + 1000 x $3.75 + 100 x $15 per million

describe('Python OpenLLMetry payload over OTLP/HTTP JSON', () => {
  it('prices the chat span from gen_ai.usage.prompt_tokens/completion_tokens and leaves the HTTP span as it came', async () => {
    const res = await post('/v1/traces', fixture('openllmetry-python-chat.json'), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{}');
    const spans = await spansOfTrace('5b8efff798038103d269b633813fc60c', 2);
    const chat = spans.find((s) => s.name === 'openai.chat')!;
    // 1200 input x $0.15 + 300 output x $0.60 per million = $0.00036
    expect(chat.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00036, 12);
    expect(chat.attributes['gen_ai.usage.cost.currency']).toBe('USD');
    expect(chat.attributes['gen_ai.usage.cost.source']).toBe('local');
    expect(chat.attributes['tokenomics.pricing.model']).toBe('gpt-4o-mini');
    expect(chat.attributes['gen_ai.usage.prompt_tokens']).toBe(1200);
    expect(chat.resource['service.name']).toBe('support-bot-py');
    const http = spans.find((s) => s.name === 'POST')!;
    expect(http.attributes).toEqual({
      'http.request.method': 'POST',
      'url.full': 'https://api.openai.com/v1/chat/completions',
      'http.response.status_code': 200,
    });
    expect(http.parentSpanId).toBe('eee19b7ec3c1b174');
  });
});

describe('Python OpenLLMetry Anthropic payload', () => {
  it('prices cache reads and writes from the flat gen_ai.usage.cache_*_input_tokens names', async () => {
    const res = await post('/v1/traces', fixture('openllmetry-python-anthropic.json'), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const [span] = await spansOfTrace('6e0c63257de34c926f9efcd03919b7ff', 1);
    expect(span.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(claudeCall, 12);
    expect(span.attributes['tokenomics.cost.cache_write']).toBeCloseTo(0.00375, 12);
    expect(span.attributes['tokenomics.pricing.model']).toMatch(/^claude-sonnet-4/);
  });
});

describe('Python OpenInference payload over OTLP/HTTP protobuf, gzip', () => {
  it('prices the LLM span with cache read and write at their rates and leaves the CHAIN span above it unpriced and unmarked', async () => {
    const body = gzipSync(jsonToProtobuf('traces', fixture('openinference-python-anthropic.json')));
    const res = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    const spans = await spansOfTrace('0af7651916cd43dd8448eb211c80319c', 2);
    const llm = spans.find((s) => s.name === 'Messages')!;
    expect(llm.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(claudeCall, 12);
    expect(llm.attributes['tokenomics.cost.input']).toBeCloseTo(0.006, 12);
    expect(llm.attributes['tokenomics.cost.cache_read']).toBeCloseTo(0.00015, 12);
    expect(llm.attributes['tokenomics.cost.cache_write']).toBeCloseTo(0.00375, 12);
    expect(llm.attributes['tokenomics.cost.output']).toBeCloseTo(0.0015, 12);
    const chain = spans.find((s) => s.name === 'RunnableSequence')!;
    expect(Object.keys(chain.attributes).sort()).toEqual([
      'input.value',
      'llm.token_count.completion',
      'llm.token_count.prompt',
      'openinference.span.kind',
    ]);
  });
});

describe('semantic-convention spans, current and older names', () => {
  it('prices gen_ai.provider.name + cache_write and gen_ai.system + cache_creation alike, passes an already priced span untouched, marks an unknown model unpriced', async () => {
    const res = await post('/v1/traces', fixture('semconv-old-and-current.json'), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const spans = await spansOfTrace('4bf92f3577b34da6a3ce929d0e0e4736', 4);
    const byId = (id: string) => spans.find((s) => s.spanId === id)!;
    expect(byId('00f067aa0ba90201').attributes['gen_ai.usage.cost.amount']).toBeCloseTo(claudeCall, 12);
    expect(byId('00f067aa0ba90202').attributes['gen_ai.usage.cost.amount']).toBeCloseTo(claudeCall, 12);
    const priced = byId('00f067aa0ba90203');
    expect(priced.attributes['gen_ai.usage.cost.amount']).toBe(0.00021);
    expect(priced.attributes['tokenomics.price_book.version']).toBeUndefined();
    const unknown = byId('00f067aa0ba90204');
    expect(unknown.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(unknown.attributes['tokenomics.unpriced']).toBe(true);
    expect(unknown.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
  });
});

describe('a framework span around the client span of the same call', () => {
  it('prices the client span (the lower one) once and marks the framework span as its duplicate, whatever the order in the batch', async () => {
    const res = await post('/v1/traces', fixture('framework-and-client.json'), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const spans = await spansOfTrace('7d4b2a9c1e3f5a6b8c9d0e1f2a3b4c5d', 2);
    const client = spans.find((s) => s.spanId === '2222222222222222')!;
    const framework = spans.find((s) => s.spanId === '1111111111111111')!;
    // 2000 x $0.15 + 500 x $0.60 per million = $0.0006
    expect(client.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0006, 12);
    expect(framework.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(framework.attributes['tokenomics.duplicate_of']).toBe('2222222222222222');
  });
});

describe('Vercel AI SDK telemetry from a JS service', () => {
  it('prices the doGenerate span and leaves the ai.generateText span around it as it came', async () => {
    const res = await post('/v1/traces', fixture('vercel-ai-sdk.json'), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const spans = await spansOfTrace('9a1b2c3d4e5f60718293a4b5c6d7e8f9', 2);
    const step = spans.find((s) => s.name === 'ai.generateText.doGenerate')!;
    // 2000 x $0.15 + 500 x $0.60 per million = $0.0006
    expect(step.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0006, 12);
    const outer = spans.find((s) => s.name === 'ai.generateText')!;
    expect(Object.keys(outer.attributes).sort()).toEqual([
      'ai.model.id',
      'ai.model.provider',
      'ai.operationId',
      'ai.usage.inputTokens',
      'ai.usage.outputTokens',
      'operation.name',
    ]);
  });
});

describe('cost metrics of the spans the stage priced', () => {
  it('sends tokenomics.cost and tokenomics.tokens with the hook attributes, per service, and counts unpriced calls', async () => {
    await post('/v1/traces', fixture('semconv-old-and-current.json'), { 'content-type': 'application/json' });
    stage.flushCostMetrics();
    const points = await receiver.waitFor((r) => {
      const cost = r.metricPoints('tokenomics.cost').filter((p) => p.resource['service.name'] === 'claims-java');
      return cost.length > 0 ? cost : undefined;
    });
    const claims = (unit: string) =>
      points.filter((p) => p.attributes['tokenomics.token.type'] === unit).reduce((sum, p) => sum + (p.value ?? 0), 0);
    // Two priced claude calls per request, two requests of this fixture (this test and the one above).
    const calls = 4;
    expect(claims('input')).toBeCloseTo(calls * 0.006, 12);
    expect(claims('cache_read')).toBeCloseTo(calls * 0.00015, 12);
    expect(claims('cache_write')).toBeCloseTo(calls * 0.00375, 12);
    expect(claims('output')).toBeCloseTo(calls * 0.0015, 12);
    const sample = points[0];
    expect(sample.temporality).toBe('cumulative');
    expect(sample.isMonotonic).toBe(true);
    expect(sample.unit).toBe('USD');
    expect(sample.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4',
      'tokenomics.usage.estimated': false,
    });
    const tokens = receiver.metricPoints('tokenomics.tokens').filter((p) => p.resource['service.name'] === 'claims-java');
    const cacheWrite = tokens.filter((p) => p.attributes['tokenomics.token.type'] === 'cache_write');
    expect(cacheWrite.at(-1)?.value).toBe(calls * 1000);
    const unpriced = receiver.metricPoints('tokenomics.calls.unpriced').filter((p) => p.resource['service.name'] === 'claims-java');
    expect(unpriced.at(-1)?.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
    expect(unpriced.at(-1)?.value).toBe(2);
  });
});
