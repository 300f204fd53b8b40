/**
 * End to end with the price book from @tokenomics/pricing (no priceBook option: getPriceBook()).
 * Hand-computed from the providers' published list prices, USD per million tokens:
 * - gpt-4o: $2.50 input, $1.25 cached input, $10 output
 * - claude-sonnet-4: $3 input, $0.30 cache read, $3.75 cache write (5 min), $15 output
 * - gemini-2.5-pro: $1.25 input for prompts up to 200k tokens, $2.50 above
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { getPriceBook } from '@tokenomics/pricing';
import { describe, expect, it } from 'vitest';
import { CostEnrichingMetricExporter, CostEnrichingSpanExporter } from '../src/index';
import { exportBatch, recordSpans, resource, sumPoints } from './harness';

async function enrich(scope: string, name: string, attributes: Record<string, unknown>) {
  const sink = new InMemorySpanExporter();
  const spans = recordSpans((tracer) =>
    tracer(scope)
      .span(name, attributes as never)
      .end(),
  );
  await exportBatch(new CostEnrichingSpanExporter(sink), spans);
  return sink.getFinishedSpans()[0].attributes;
}

describe('with the bundled price book', () => {
  it('prices gpt-4o with 1000 of 1200 input tokens cached at $0.00475 and names the book version', async () => {
    const attrs = await enrich('@opentelemetry/instrumentation-openai', 'chat gpt-4o', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 300,
    });
    // 200 x $2.50 + 1000 x $1.25 + 300 x $10, per million
    expect(attrs['gen_ai.usage.cost.amount']).toBeCloseTo(0.00475, 12);
    expect(attrs['tokenomics.cost.cache_read']).toBeCloseTo(0.00125, 12);
    expect(attrs['tokenomics.price_book.version']).toBe(getPriceBook().version);
    expect(attrs['tokenomics.pricing.model']).toBe('gpt-4o');
  });

  it('prices an OpenLLMetry Anthropic span with cache read and write at $0.0228', async () => {
    const attrs = await enrich('opentelemetry.instrumentation.anthropic', 'anthropic.chat', {
      'gen_ai.system': 'Anthropic',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.response.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 10_000,
      'gen_ai.usage.cache_read_input_tokens': 6000,
      'gen_ai.usage.cache_creation_input_tokens': 2000,
      'gen_ai.usage.output_tokens': 500,
    });
    // 2000 x $3 + 6000 x $0.30 + 2000 x $3.75 + 500 x $15, per million
    expect(attrs['gen_ai.usage.cost.amount']).toBeCloseTo(0.0228, 12);
    expect(attrs['tokenomics.cost.cache_write']).toBeCloseTo(0.0075, 12);
  });

  it('adds the price-book figure to an OpenLIT Anthropic span whose input excludes cache ($0.0228)', async () => {
    const attrs = await enrich('openlit', 'chat claude-sonnet-4-20250514', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 2000,
      'gen_ai.usage.cache_read.input_tokens': 6000,
      'gen_ai.usage.cache_creation.input_tokens': 2000,
      'gen_ai.usage.output_tokens': 500,
      'gen_ai.usage.cost': 0.0231,
    });
    expect(attrs['tokenomics.price_book.cost']).toBeCloseTo(0.0228, 12);
    expect(attrs['gen_ai.usage.cost']).toBe(0.0231);
  });

  it('marks a model from an unknown provider unpriced, never $0', async () => {
    const attrs = await enrich('x', 'chat acme-llm-9', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'acme',
      'gen_ai.request.model': 'acme-llm-9',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
    });
    expect(attrs['tokenomics.unpriced']).toBe(true);
    expect(attrs['tokenomics.unpriced_reason']).toBe('unknown_provider');
    expect(attrs['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('prices foreign token-usage histograms by mean call so the long-context tier is not triggered by the sum (10 x 100k gemini-2.5-pro input = $1.25)', async () => {
    const sink = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: new CostEnrichingMetricExporter(sink), exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource, readers: [reader] });
    const usage = provider.getMeter('@google/genai-instrumentation').createHistogram('gen_ai.client.token.usage');
    const attrs = {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-pro',
    };
    for (let i = 0; i < 10; i++) usage.record(100_000, { ...attrs, 'gen_ai.token.type': 'input' });
    await reader.forceFlush();
    const [point] = sumPoints(sink.getMetrics()[0], 'tokenomics.cost');
    // 1,000,000 x $1.25 per million; pricing the 1M sum as one call would give $2.50
    expect(point.value).toBeCloseTo(1.25, 12);
    await provider.shutdown();
  });
});
