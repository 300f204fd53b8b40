import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation, withAttribution } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// A span is created with what a sampler decides by (the GenAI conventions' sampling-relevant
// attributes, attribution and the conversation id); the request parameters are set right after,
// so the exported span carries everything either way.

/** A real SDK sampler that keeps what it was shown and drops the calls of tenant `dropped`. */
class TenantSampler implements Sampler {
  readonly seen: Array<{ name: string; attributes: Attributes }> = [];

  shouldSample(_context: Context, _traceId: string, name: string, _kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
    this.seen.push({ name, attributes: { ...attributes } });
    const drop = attributes['tokenomics.attribution.tenant'] === 'dropped';
    return { decision: drop ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return 'TenantSampler';
  }
}

const telemetry = new TestTelemetry();
const sampler = new TenantSampler();
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
const instrumentation = new OpenAIInstrumentation();
let emulator: Emulator;
let client: { chat: { completions: { create(body: unknown): Promise<unknown> } } };
let server: Attributes;

beforeAll(async () => {
  telemetry.instrument(instrumentation);
  instrumentation.setTracerProvider(tracerProvider);
  emulator = await startEmulator({ port: 0 });
  const { OpenAI } = requireOpenAI(6);
  client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
  const url = new URL(emulator.openaiBaseURL);
  server = { 'server.address': url.hostname, 'server.port': Number(url.port) };
});

beforeEach(() => {
  sampler.seen.length = 0;
  exporter.reset();
});

afterAll(async () => {
  instrumentation.disable();
  await emulator.close();
  await tracerProvider.shutdown();
  await telemetry.shutdown();
});

const REQUEST = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
  max_tokens: 64,
  temperature: 0.5,
  top_p: 0.9,
  seed: 7,
  stop: ['END'],
  service_tier: 'default',
};

describe('what a sampler sees', () => {
  it('a sampler sees operation, provider, request model, server, attribution and conversation id; the span ends with the request parameters too', async () => {
    await withAttribution({ tenant: 'kept', conversation: 'conv-1' }, () => client.chat.completions.create(REQUEST));
    await telemetry.settled();

    expect(sampler.seen).toEqual([
      {
        name: 'chat gpt-4o-mini',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          ...server,
          'tokenomics.attribution.tenant': 'kept',
          'tokenomics.attribution.conversation': 'conv-1',
          'gen_ai.conversation.id': 'conv-1',
        },
      },
    ]);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0].name).toBe('chat gpt-4o-mini');
    expect(spans[0].attributes).toMatchObject({
      ...sampler.seen[0].attributes,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.seed': 7,
      'gen_ai.request.stop_sequences': ['END'],
      'openai.request.service_tier': 'default',
    });
  });

  it('a call the sampler drops by tenant exports no span, and the next call of another tenant is exported whole', async () => {
    await withAttribution({ tenant: 'dropped' }, () => client.chat.completions.create(REQUEST));
    await withAttribution({ tenant: 'kept' }, () => client.chat.completions.create(REQUEST));
    await telemetry.settled();

    expect(sampler.seen.map((s) => s.attributes['tokenomics.attribution.tenant'])).toEqual(['dropped', 'kept']);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes['tokenomics.attribution.tenant']).toBe('kept');
    expect(spans[0].attributes['gen_ai.request.max_tokens']).toBe(64);
  });
});
