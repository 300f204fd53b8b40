/**
 * One rule for spans that do not show their cache share: a priced span with no cache count in any
 * dialect, for a model whose cached input is priced differently, has its input cost priced uncached
 * (an upper bound) and flagged `tokenomics.usage.estimated`. The collector stage applies the same
 * rule through `SpanEnrichment.cacheShareUnknown`. Figures by hand from rate-card.ts (USD per
 * million tokens): gpt-4o $2.50 input / $1.25 cached input / $10 output.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CACHE_COUNT_KEYS, CostEnrichingSpanExporter, SpanCostEnricher, showsCacheCount } from '../src/index';
import { exportBatch, recordSpans } from './harness';
import { RateCard } from './rate-card';

const chat = (extra: Record<string, number | string> = {}) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 100,
  ...extra,
});

async function enrich(attributes: Record<string, number | string>, scope = 'app') {
  const sink = new InMemorySpanExporter();
  const exporter = new CostEnrichingSpanExporter(sink, { priceBook: new RateCard() });
  await exportBatch(
    exporter,
    recordSpans((t) => t(scope).span('chat gpt-4o', attributes).end()),
  );
  return sink.getFinishedSpans()[0].attributes;
}

describe('spans that do not show their cache share', () => {
  it('prices a gpt-4o span without any cache count uncached and flags it estimated (1000 x $2.50 + 100 x $10 per M = $0.0035)', async () => {
    const attrs = await enrich(chat());
    expect(attrs['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
    expect(attrs['tokenomics.usage.estimated']).toBe(true);
  });

  it('does not flag a span whose cache read count is zero: the share is known (same $0.0035)', async () => {
    const attrs = await enrich(chat({ 'gen_ai.usage.cache_read.input_tokens': 0 }));
    expect(attrs['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
    expect(attrs['tokenomics.usage.estimated']).toBeUndefined();
  });

  it('does not flag a span with a cache read count in the OpenInference dialect (200 x $2.50 + 800 x $1.25 + 100 x $10 per M = $0.0025)', async () => {
    const attrs = await enrich(
      {
        'openinference.span.kind': 'LLM',
        'llm.provider': 'openai',
        'llm.model_name': 'gpt-4o',
        'llm.token_count.prompt': 1000,
        'llm.token_count.prompt_details.cache_read': 800,
        'llm.token_count.completion': 100,
      },
      'openinference.instrumentation.openai',
    );
    expect(attrs['gen_ai.usage.cost.amount']).toBeCloseTo(0.0025, 12);
    expect(attrs['tokenomics.usage.estimated']).toBeUndefined();
  });

  it('does not flag a span of a model the price book does not know: it is unpriced instead', async () => {
    const attrs = await enrich(chat({ 'gen_ai.request.model': 'acme-1' }));
    expect(attrs['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(attrs['tokenomics.unpriced']).toBe(true);
    expect(attrs['tokenomics.usage.estimated']).toBeUndefined();
  });

  it('reports the verdict to callers of enrichAttributes as cacheShareUnknown, only for the span without a cache count', () => {
    const enricher = new SpanCostEnricher({ priceBook: new RateCard(), dedupeCapacity: 0 });
    const spans = recordSpans((t) => {
      t('app').span('chat a', chat()).end();
      t('app')
        .span('chat b', chat({ 'gen_ai.usage.cache_read.input_tokens': 400 }))
        .end();
    });
    const out = enricher.enrichAttributes(spans)!;
    expect(out.get(0)?.cacheShareUnknown).toBe(true);
    expect(out.get(0)?.attributes['tokenomics.usage.estimated']).toBe(true);
    // 600 x $2.50 + 400 x $1.25 + 100 x $10 per M = $0.003
    expect(out.get(1)?.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.003, 12);
    expect(out.get(1)?.cacheShareUnknown).toBeUndefined();
  });
});

describe('showsCacheCount', () => {
  it('counts every cache read and write name of every dialect, zero included', () => {
    expect(CACHE_COUNT_KEYS.length).toBeGreaterThan(0);
    for (const key of CACHE_COUNT_KEYS) expect(showsCacheCount({ [key]: 0 }), key).toBe(true);
  });

  it('ignores other attributes that merely mention a cache, and values that are not counts', () => {
    expect(showsCacheCount({ 'gen_ai.usage.input_tokens': 10, 'app.cache_hits': 3 })).toBe(false);
    expect(showsCacheCount({ 'gen_ai.usage.cache_read.input_tokens': -1 })).toBe(false);
    expect(showsCacheCount({ 'gen_ai.usage.cache_read.input_tokens': Number.NaN })).toBe(false);
    expect(showsCacheCount({ 'gen_ai.usage.cache_read.input_tokens': 'many' })).toBe(false);
    expect(showsCacheCount({ 'gen_ai.usage.cache_read.input_tokens': ' 12 ' })).toBe(true);
  });

  it('reads own attributes only, not inherited ones', () => {
    const inherited = Object.create({ 'gen_ai.usage.cache_read.input_tokens': 5 }) as Record<string, number>;
    expect(showsCacheCount(inherited)).toBe(false);
  });
});
