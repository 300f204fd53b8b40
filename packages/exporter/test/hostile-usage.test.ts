/**
 * Spans and histograms from any source carrying hostile or garbage token counts: the exporter
 * applies the same validation as the instrumentation (`usageProblem` of `@tokenomics/pricing`), so
 * no such call is priced, and the flag and reason say why. Prices from the bundled price book:
 * gpt-4o $2.50 input / $10 output per million tokens, a 128,000-token context window.
 */
import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { PriceBook } from '@tokenomics/pricing';
import { afterEach, describe, expect, it } from 'vitest';
import { CostEnrichingMetricExporter, CostEnrichingSpanExporter } from '../src/index';
import { captureDiag, counterValue, exportBatch, recordSpans, resource, selfMetricsProvider, sumPoints } from './harness';

const BOOK = PriceBook.bundled();

let restoreDiag: (() => void) | undefined;
afterEach(() => {
  restoreDiag?.();
  restoreDiag = undefined;
});

function chat(usage: Attributes): Attributes {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    ...usage,
  };
}

async function enrich(usage: Attributes): Promise<Attributes> {
  restoreDiag = captureDiag().restore;
  const sink = new InMemorySpanExporter();
  const spans = recordSpans((tracer) => tracer('some-genai-instrumentation').span('chat gpt-4o', chat(usage)).end());
  await exportBatch(new CostEnrichingSpanExporter(sink, { priceBook: BOOK, meterProvider: selfMetricsProvider().meterProvider }), spans);
  return sink.getFinishedSpans()[0].attributes;
}

describe('hostile token counts on spans', () => {
  it.each([
    ['1e308 input tokens', { 'gen_ai.usage.input_tokens': 1e308, 'gen_ai.usage.output_tokens': 10 }, 'gen_ai.usage.input_tokens:too_large'],
    [
      '2^53 input tokens',
      { 'gen_ai.usage.input_tokens': 2 ** 53, 'gen_ai.usage.output_tokens': 10 },
      'gen_ai.usage.input_tokens:too_large',
    ],
    ['a negative output', { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': -3 }, 'gen_ai.usage.output_tokens:negative'],
    [
      'a fractional cache read',
      { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 3, 'gen_ai.usage.cache_read.input_tokens': 0.5 },
      'gen_ai.usage.cache_read.input_tokens:not_integer',
    ],
    ['a boolean output', { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': true }, 'gen_ai.usage.output_tokens:wrong_type'],
    [
      'input beyond ten context windows',
      { 'gen_ai.usage.input_tokens': 2_000_000, 'gen_ai.usage.output_tokens': 10 },
      'exceeds_context_window',
    ],
  ])('a span with %s is marked invalid and unpriced, with the reason, and gets no cost', async (_label, usage, reason) => {
    const a = await enrich(usage as Attributes);
    expect(a['tokenomics.usage.invalid']).toBe(true);
    expect(a['tokenomics.usage.invalid_reason']).toBe(reason);
    expect(a['tokenomics.unpriced']).toBe(true);
    expect(a['tokenomics.unpriced_reason']).toBe('invalid_usage');
    expect(a['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('a span with valid counts next to the bound is priced exactly (40,000 input, 8,000 output = $0.18)', async () => {
    const a = await enrich({ 'gen_ai.usage.input_tokens': 40_000, 'gen_ai.usage.output_tokens': 8_000 });
    expect(a['tokenomics.usage.invalid']).toBeUndefined();
    expect(a['gen_ai.usage.cost.amount']).toBe(0.18);
  });
});

describe('hostile token usage histograms', () => {
  it('a foreign histogram averaging more tokens per call than any call may bill is counted unpriced (invalid_usage), never priced', async () => {
    const sink = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter: new CostEnrichingMetricExporter(sink, { priceBook: BOOK }),
      exportIntervalMillis: 3_600_000,
    });
    const provider = new MeterProvider({ resource, readers: [reader] });
    const histogram = provider.getMeter('@opentelemetry/instrumentation-openai', '1.0.0').createHistogram('gen_ai.client.token.usage');
    const attrs = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };
    histogram.record(1e308, { ...attrs, 'gen_ai.token.type': 'input' });
    histogram.record(2 ** 53, { ...attrs, 'gen_ai.token.type': 'output' });
    await reader.forceFlush();
    const rm = sink.getMetrics().at(-1)!;
    expect(sumPoints(rm, 'tokenomics.cost')).toEqual([]);
    expect(counterValue(rm, 'tokenomics.calls.unpriced', { 'tokenomics.unpriced_reason': 'invalid_usage' })).toBe(1);
    await provider.shutdown();
  });
});
