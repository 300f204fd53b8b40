/**
 * Reading usage from each instrumentation's span dialect and pricing it. Figures are computed by
 * hand from the list prices in rate-card.ts (USD per million tokens):
 * gpt-4o $2.50 input / $1.25 cached input / $10 output (priority $4.25 / $17);
 * o4-mini $1.10 / $4.40; claude-sonnet-4 $3 input / $0.30 cache read / $3.75 cache write / $15 output;
 * gemini-2.5-pro $1.25 / $10 (calls up to 200k input tokens).
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CostEnrichingSpanExporter, normaliseProviderName } from '../src/index';
import { exportBatch, recordSpans, START } from './harness';
import { RateCard } from './rate-card';

async function enrichOne(scope: string, name: string, attributes: Record<string, unknown>, options = {}) {
  const book = new RateCard();
  const sink = new InMemorySpanExporter();
  const exporter = new CostEnrichingSpanExporter(sink, { priceBook: book, ...options });
  const spans = recordSpans((tracer) =>
    tracer(scope)
      .span(name, attributes as never)
      .end(),
  );
  await exportBatch(exporter, spans);
  const [out] = sink.getFinishedSpans();
  return { out, original: spans[0], book };
}

describe('current GenAI semantic conventions', () => {
  it('prices an OpenAI chat span with cached input at the cached rate (gpt-4o: 200 x $2.50 + 1000 x $1.25 + 300 x $10 per M = $0.00475)', async () => {
    const { out, book } = await enrichOne('@opentelemetry/instrumentation-openai', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.id': 'chatcmpl-Bf3kq9',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 300,
      'server.address': 'api.openai.com',
    });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00475, 12);
    expect(out.attributes['gen_ai.usage.cost.currency']).toBe('USD');
    expect(out.attributes['gen_ai.usage.cost.source']).toBe('local');
    expect(out.attributes['tokenomics.price_book.version']).toBe('test-2025.06');
    expect(out.attributes['tokenomics.pricing.model']).toBe('gpt-4o');
    expect(out.attributes['tokenomics.cost.input']).toBeCloseTo(0.0005, 12);
    expect(out.attributes['tokenomics.cost.cache_read']).toBeCloseTo(0.00125, 12);
    expect(out.attributes['tokenomics.cost.output']).toBeCloseTo(0.003, 12);
    expect(out.attributes['tokenomics.unpriced']).toBeUndefined();
    expect(book.calls).toEqual([
      {
        usage: { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 1000 },
        opts: { model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', provider: 'openai', operation: 'chat', at: START },
      },
    ]);
  });

  it('prices an Anthropic messages.create span whose input_tokens includes cache read and write ($0.006 + $0.0018 + $0.0075 + $0.0075 = $0.0228)', async () => {
    const { out, book } = await enrichOne('anthropic-sdk', 'anthropic.messages.create', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 10_000,
      'gen_ai.usage.cache_read.input_tokens': 6000,
      'gen_ai.usage.cache_write.input_tokens': 2000,
      'gen_ai.usage.output_tokens': 500,
    });
    // 2000 uncached x $3 + 6000 x $0.30 + 2000 x $3.75 + 500 x $15, per million
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0228, 12);
    expect(out.attributes['tokenomics.cost.input']).toBeCloseTo(0.006, 12);
    expect(out.attributes['tokenomics.cost.cache_read']).toBeCloseTo(0.0018, 12);
    expect(out.attributes['tokenomics.cost.cache_write']).toBeCloseTo(0.0075, 12);
    expect(out.attributes['tokenomics.cost.output']).toBeCloseTo(0.0075, 12);
    expect(out.attributes['tokenomics.pricing.model']).toBe('claude-sonnet-4');
    expect(book.calls[0].usage).toEqual({ inputTokens: 10_000, outputTokens: 500, cacheReadTokens: 6000, cacheWriteTokens: 2000 });
  });

  it('reads the pre-2026 name gen_ai.usage.cache_creation.input_tokens as the cache write ($0.0228)', async () => {
    const { out, book } = await enrichOne('anthropic-sdk', 'anthropic.messages.create', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 10_000,
      'gen_ai.usage.cache_read.input_tokens': 6000,
      'gen_ai.usage.cache_creation.input_tokens': 2000,
      'gen_ai.usage.output_tokens': 500,
    });
    expect(book.calls[0].usage).toEqual({ inputTokens: 10_000, outputTokens: 500, cacheReadTokens: 6000, cacheWriteTokens: 2000 });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0228, 12);
    expect(out.attributes['tokenomics.cost.cache_write']).toBeCloseTo(0.0075, 12);
  });

  it('counts the cache write once when a span carries both cache_write and cache_creation (2000 tokens, $0.0075, not 4000)', async () => {
    const { out, book } = await enrichOne('@tokenomics/instrumentation-anthropic', 'chat claude-sonnet-4-20250514', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 10_000,
      'gen_ai.usage.cache_read.input_tokens': 6000,
      'gen_ai.usage.cache_write.input_tokens': 2000,
      'gen_ai.usage.cache_creation.input_tokens': 2000,
      'gen_ai.usage.output_tokens': 500,
    });
    expect(book.calls).toHaveLength(1);
    expect(book.calls[0].usage).toEqual({ inputTokens: 10_000, outputTokens: 500, cacheReadTokens: 6000, cacheWriteTokens: 2000 });
    expect(out.attributes['tokenomics.cost.input']).toBeCloseTo(0.006, 12);
    expect(out.attributes['tokenomics.cost.cache_write']).toBeCloseTo(0.0075, 12);
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0228, 12);
  });

  it('prices reasoning tokens as a subset of output (o4-mini: 500 x $1.10 + 500 x $4.40 + 1500 x $4.40 per M = $0.00935)', async () => {
    const { out } = await enrichOne('@opentelemetry/instrumentation-openai', 'chat o4-mini', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'o4-mini',
      'gen_ai.response.model': 'o4-mini-2025-04-16',
      'gen_ai.usage.input_tokens': 500,
      'gen_ai.usage.output_tokens': 2000,
      'gen_ai.usage.reasoning.output_tokens': 1500,
    });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00935, 12);
    expect(out.attributes['tokenomics.cost.output']).toBeCloseTo(0.0022, 12);
    expect(out.attributes['tokenomics.cost.reasoning']).toBeCloseTo(0.0066, 12);
  });

  it('adds reasoning to output when a source reports it outside output, as Gemini counts thoughts (1000 x $1.25 + 1000 x $10 per M = $0.01125)', async () => {
    const { out, book } = await enrichOne('@google/genai-instrumentation', 'generate_content gemini-2.5-pro', {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-pro',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.reasoning.output_tokens': 800,
    });
    expect(book.calls[0].usage).toEqual({ inputTokens: 1000, outputTokens: 1000, reasoningTokens: 800 });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.01125, 12);
  });

  it('passes the response service tier to the price book (gpt-4o priority: 1000 x $4.25 + 100 x $17 per M = $0.00595)', async () => {
    const { out, book } = await enrichOne('@opentelemetry/instrumentation-openai', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'openai.request.service_tier': 'auto',
      'openai.response.service_tier': 'priority',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    });
    expect(book.calls[0].opts.serviceTier).toBe('priority');
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.00595, 12);
  });

  it('reads the service tier from the older gen_ai.openai.response.service_tier attribute', async () => {
    const { book } = await enrichOne('@opentelemetry/instrumentation-openai', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.openai.response.service_tier': 'priority',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    });
    expect(book.calls[0].opts.serviceTier).toBe('priority');
  });

  it('prices at the span start time so dated prices apply', async () => {
    const { book } = await enrichOne('x', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 1,
    });
    expect(book.calls[0].opts.at).toEqual(new Date('2025-06-02T12:00:00Z'));
    expect(book.calls[0].opts.provider).toBeUndefined();
  });

  it('passes the estimated flag of the source to the price book', async () => {
    const { book } = await enrichOne('x', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 1,
      'tokenomics.usage.estimated': true,
    });
    expect(book.calls[0].opts.estimated).toBe(true);
  });

  it('prices an Azure deployment name through the response model the service reported', async () => {
    const { out, book } = await enrichOne('@azure/opentelemetry-instrumentation-openai', 'chat checkout-gpt4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': 'checkout-gpt4o',
      'gen_ai.response.model': 'gpt-4o-2024-11-20',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    });
    expect(book.calls[0].opts).toMatchObject({ model: 'checkout-gpt4o', responseModel: 'gpt-4o-2024-11-20', provider: 'azure.ai.openai' });
    expect(out.attributes['tokenomics.pricing.model']).toBe('gpt-4o');
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
  });

  it('falls back to the request model when the response model is missing', async () => {
    const { out, book } = await enrichOne('x', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 0,
    });
    expect(book.calls[0].opts.model).toBe('gpt-4o');
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0025, 12);
  });
});

describe('older semantic conventions', () => {
  it('reads prompt/completion tokens and maps gen_ai.system az.ai.openai to azure.ai.openai (1000 x $2.50 + 100 x $10 per M = $0.0035)', async () => {
    const { out, book } = await enrichOne('@azure/opentelemetry-instrumentation-openai', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'az.ai.openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.prompt_tokens': 1000,
      'gen_ai.usage.completion_tokens': 100,
    });
    expect(book.calls[0].opts.provider).toBe('azure.ai.openai');
    expect(book.calls[0].usage).toEqual({ inputTokens: 1000, outputTokens: 100 });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
  });

  it.each([
    ['openai', 'openai'],
    ['anthropic', 'anthropic'],
    ['vertex_ai', 'gcp.vertex_ai'],
    ['gemini', 'gcp.gemini'],
    ['aws.bedrock', 'aws.bedrock'],
    ['az.ai.openai', 'azure.ai.openai'],
    ['az.ai.inference', 'azure.ai.inference'],
    ['xai', 'x_ai'],
    ['OpenAI', 'openai'],
    ['Anthropic', 'anthropic'],
    ['AWS', 'aws.bedrock'],
    ['Azure OpenAI', 'azure.ai.openai'],
    ['openai.chat', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['google.vertex.chat', 'gcp.vertex_ai'],
    ['gcp.gemini', 'gcp.gemini'],
    ['some-new-provider', 'some-new-provider'],
  ])('normalises provider %j to %j', (raw, expected) => {
    expect(normaliseProviderName(raw)).toBe(expected);
  });
});

describe('OpenLLMetry / Traceloop', () => {
  it('prices an OpenLLMetry-JS anthropic.chat span (gen_ai.system "Anthropic", prompt/completion tokens: 1500 x $3 + 400 x $15 per M = $0.0105)', async () => {
    const { out, book } = await enrichOne('@traceloop/instrumentation-anthropic', 'anthropic.chat', {
      'gen_ai.system': 'Anthropic',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.request.max_tokens': 1024,
      'gen_ai.usage.prompt_tokens': 1500,
      'gen_ai.usage.completion_tokens': 400,
      'llm.usage.total_tokens': 1900,
      'gen_ai.completion.0.finish_reason': 'end_turn',
    });
    expect(book.calls[0]).toEqual({
      usage: { inputTokens: 1500, outputTokens: 400 },
      opts: {
        model: 'claude-sonnet-4-20250514',
        responseModel: 'claude-sonnet-4-20250514',
        provider: 'anthropic',
        operation: 'chat',
        at: START,
      },
    });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0105, 12);
  });

  it('reads the flat cache attributes of OpenLLMetry (cache_read_input_tokens, cache_creation_input_tokens) as subsets of input ($0.0228)', async () => {
    const { out, book } = await enrichOne('opentelemetry.instrumentation.anthropic', 'anthropic.chat', {
      'gen_ai.system': 'Anthropic',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.prompt_tokens': 10_000,
      'gen_ai.usage.cache_read_input_tokens': 6000,
      'gen_ai.usage.cache_creation_input_tokens': 2000,
      'gen_ai.usage.completion_tokens': 500,
      'llm.usage.total_tokens': 10_500,
    });
    expect(book.calls[0].usage).toEqual({ inputTokens: 10_000, outputTokens: 500, cacheReadTokens: 6000, cacheWriteTokens: 2000 });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0228, 12);
  });

  it('derives input from llm.usage.total_tokens when only the total and output are given (1000 x $2.50 + 300 x $10 per M = $0.0055)', async () => {
    const { out, book } = await enrichOne('@traceloop/instrumentation-openai', 'openai.chat', {
      'gen_ai.system': 'OpenAI',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.completion_tokens': 300,
      'llm.usage.total_tokens': 1300,
    });
    expect(book.calls[0].usage).toEqual({ inputTokens: 1000, outputTokens: 300 });
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0055, 12);
  });

  it('derives output from the total when a source gives input and total only', async () => {
    const { book } = await enrichOne('@traceloop/instrumentation-openai', 'openai.chat', {
      'gen_ai.system': 'OpenAI',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.prompt_tokens': 1000,
      'llm.usage.total_tokens': 1300,
    });
    expect(book.calls[0].usage).toEqual({ inputTokens: 1000, outputTokens: 300 });
  });

  it('adds cache tokens to input when the cache subsets exceed the reported input (input evidently excluded them: 6012 input = $0.009336)', async () => {
    const { out, book } = await enrichOne('ai', 'ai.generateText.doGenerate', {
      'gen_ai.system': 'anthropic.messages',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.cache_read_input_tokens': 6000,
      'gen_ai.usage.output_tokens': 500,
    });
    // 12 x $3 + 6000 x $0.30 + 500 x $15, per million
    expect(book.calls[0].usage).toEqual({ inputTokens: 6012, outputTokens: 500, cacheReadTokens: 6000 });
    expect(book.calls[0].opts.provider).toBe('anthropic');
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.009336, 12);
  });
});

describe('OpenLIT', () => {
  const openLitAnthropic = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'anthropic',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-20250514',
    'gen_ai.response.model': 'claude-sonnet-4-20250514',
    // OpenLIT copies Anthropic's input_tokens, which EXCLUDES cache tokens
    'gen_ai.usage.input_tokens': 2000,
    'gen_ai.usage.cache_read.input_tokens': 6000,
    'gen_ai.usage.cache_creation.input_tokens': 2000,
    'gen_ai.usage.output_tokens': 500,
    'gen_ai.usage.total_tokens': 2500,
    'gen_ai.usage.cost': 0.0231,
    'telemetry.sdk.name': 'openlit',
  };

  it('keeps OpenLIT gen_ai.usage.cost and adds the price-book figure under tokenomics.* only, counting its cache tokens on top of input ($0.0228)', async () => {
    const { out, original, book } = await enrichOne('openlit', 'chat claude-sonnet-4-20250514', openLitAnthropic);
    expect(book.calls[0].usage).toEqual({ inputTokens: 10_000, outputTokens: 500, cacheReadTokens: 6000, cacheWriteTokens: 2000 });
    expect(out).not.toBe(original);
    expect(out.attributes['gen_ai.usage.cost']).toBe(0.0231);
    expect(out.attributes['tokenomics.price_book.cost']).toBeCloseTo(0.0228, 12);
    expect(out.attributes['tokenomics.cost.cache_read']).toBeCloseTo(0.0018, 12);
    expect(out.attributes['tokenomics.price_book.version']).toBe('test-2025.06');
    expect(out.attributes['tokenomics.pricing.model']).toBe('claude-sonnet-4');
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(out.attributes['gen_ai.usage.cost.source']).toBeUndefined();
  });

  it('passes OpenLIT-priced spans through untouched with foreignCost "keep"', async () => {
    const { out, original, book } = await enrichOne('openlit', 'chat claude-sonnet-4-20250514', openLitAnthropic, { foreignCost: 'keep' });
    expect(out).toBe(original);
    expect(book.calls).toEqual([]);
  });

  it('treats OpenLIT OpenAI input as including cached tokens, as OpenAI reports it', async () => {
    const { out, book } = await enrichOne('openlit', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cost': 0.00475,
    });
    expect(book.calls[0].usage.inputTokens).toBe(1200);
    expect(out.attributes['tokenomics.price_book.cost']).toBeCloseTo(0.00475, 12);
  });
});

describe('what is not priced', () => {
  it('marks an unknown model unpriced with its reason and never writes a $0 cost', async () => {
    const { out } = await enrichOne('x', 'chat acme-llm-9', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'acme',
      'gen_ai.request.model': 'acme-llm-9',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    });
    expect(out.attributes['tokenomics.unpriced']).toBe(true);
    expect(out.attributes['tokenomics.unpriced_reason']).toBe('unknown_model');
    expect(out.attributes['tokenomics.price_book.version']).toBe('test-2025.06');
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(Object.keys(out.attributes).filter((k) => k.startsWith('tokenomics.cost.'))).toEqual([]);
  });

  it('marks a call without any model name unpriced with reason no_model', async () => {
    const { out, book } = await enrichOne('x', 'chat', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    });
    expect(out.attributes['tokenomics.unpriced_reason']).toBe('no_model');
    expect(book.calls).toEqual([]);
  });

  it('marks output without input unpriced with reason incomplete_usage', async () => {
    const { out } = await enrichOne('x', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.output_tokens': 100,
    });
    expect(out.attributes['tokenomics.unpriced_reason']).toBe('incomplete_usage');
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('leaves agent and tool spans alone even when they carry aggregated usage', async () => {
    const { out, original, book } = await enrichOne('x', 'invoke_agent Planner', {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 5000,
      'gen_ai.usage.output_tokens': 900,
    });
    expect(out).toBe(original);
    expect(book.calls).toEqual([]);
  });

  it('leaves a GenAI span without usage alone (a failed call)', async () => {
    const { out, original } = await enrichOne('x', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'error.type': '429',
    });
    expect(out).toBe(original);
  });
});

describe('spans that are already priced', () => {
  it('passes a span our instrumentation priced (gen_ai.usage.cost.source local) through as the same object', async () => {
    const { out, original, book } = await enrichOne('@tokenomics/instrumentation-openai', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.usage.cost.amount': 0.0035,
      'gen_ai.usage.cost.currency': 'USD',
      'gen_ai.usage.cost.source': 'local',
    });
    expect(out).toBe(original);
    expect(book.calls).toEqual([]);
  });

  it('passes a span an older release priced (gen_ai.usage.cost.source price_book) through as the same object', async () => {
    const { out, original, book } = await enrichOne('@tokenomics/instrumentation-openai', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.usage.cost.amount': 0.0035,
      'gen_ai.usage.cost.currency': 'USD',
      'gen_ai.usage.cost.source': 'price_book',
    });
    expect(out).toBe(original);
    expect(book.calls).toEqual([]);
  });

  it('passes a span our instrumentation already marked unpriced through as the same object', async () => {
    const { out, original, book } = await enrichOne('@tokenomics/instrumentation-openai', 'chat acme', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'acme',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'tokenomics.unpriced': true,
      'tokenomics.unpriced_reason': 'unknown_model',
    });
    expect(out).toBe(original);
    expect(book.calls).toEqual([]);
  });
});

describe('batch handling', () => {
  it('hands the very same array and span objects on when nothing needs cost', async () => {
    const spans = recordSpans((tracer) => {
      tracer('@opentelemetry/instrumentation-http').span('GET /checkout', { 'http.request.method': 'GET' }).end();
      tracer('x').span('invoke_agent Planner', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 5 }).end();
    });
    let handed: ReadableSpan[] | undefined;
    const exporter = new CostEnrichingSpanExporter(
      { export: (batch, cb) => ((handed = batch), cb({ code: 0 })), shutdown: async () => {} },
      { priceBook: new RateCard() },
    );
    await exportBatch(exporter, spans);
    expect(handed).toBe(spans);
  });

  it('keeps batch order and replaces only the spans it enriched', async () => {
    const spans = recordSpans((tracer) => {
      tracer('http').span('GET /a', { 'http.request.method': 'GET' }).end();
      tracer('x')
        .span('chat gpt-4o', {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 4,
          'gen_ai.usage.output_tokens': 2,
        })
        .end();
      tracer('http').span('GET /b', { 'http.request.method': 'GET' }).end();
    });
    const sink = new InMemorySpanExporter();
    await exportBatch(new CostEnrichingSpanExporter(sink, { priceBook: new RateCard() }), spans);
    const out = sink.getFinishedSpans();
    expect(out.map((s) => s.name)).toEqual(['GET /a', 'chat gpt-4o', 'GET /b']);
    expect(out[0]).toBe(spans[0]);
    expect(out[1]).not.toBe(spans[1]);
    expect(out[2]).toBe(spans[2]);
  });
});
