/**
 * Two spans of one call (a vendor SDK's span around or inside another instrumentation's) must not
 * both carry cost. gpt-4o: 1000 x $2.50 + 100 x $10 per million = $0.0035.
 */
import { context, trace, type Span } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CostEnrichingSpanExporter } from '../src/index';
import { RecentCalls } from '../src/recent-calls';
import { counterValue, exportBatch, recordSpans, selfMetricsProvider, type Tracerish } from './harness';
import { RateCard } from './rate-card';

const usage = (input: number, output: number, model = 'gpt-4o') => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': model,
  'gen_ai.usage.input_tokens': input,
  'gen_ai.usage.output_tokens': output,
});
const priced = { 'gen_ai.usage.cost.amount': 0.0035, 'gen_ai.usage.cost.currency': 'USD', 'gen_ai.usage.cost.source': 'local' };

function setup(options = {}) {
  const sink = new InMemorySpanExporter();
  const exporter = new CostEnrichingSpanExporter(sink, { priceBook: new RateCard(), ...options });
  return { sink, exporter };
}

const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe('duplicate spans of one call', () => {
  it('marks a vendor span inside our priced span as duplicate_of ours, in the same batch, and leaves ours untouched', async () => {
    const spans = recordSpans((tracer) => {
      const ours = tracer('@tokenomics/instrumentation-openai').span('chat gpt-4o', { ...usage(1000, 100), ...priced });
      tracer('openai-sdk').span('openai.chat.completions.create', usage(1000, 100), ours).end();
      ours.end();
    });
    const [vendor, ours] = spans; // children end first
    const { sink, exporter } = setup();
    await exportBatch(exporter, spans);
    const [vendorOut, oursOut] = sink.getFinishedSpans();
    expect(oursOut).toBe(ours);
    expect(vendorOut.attributes['tokenomics.duplicate_of']).toBe(idOf(ours));
    expect(vendorOut.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(vendorOut.attributes['tokenomics.unpriced']).toBeUndefined();
    expect(vendor.attributes['tokenomics.duplicate_of']).toBeUndefined();
  });

  it('marks a vendor span around our priced span as duplicate_of ours when the two arrive in different batches', async () => {
    let vendorParent: Span | undefined;
    const spans = recordSpans((tracer) => {
      vendorParent = tracer('@traceloop/instrumentation-openai').span('openai.chat', {
        'gen_ai.system': 'OpenAI',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.prompt_tokens': 1000,
        'gen_ai.usage.completion_tokens': 100,
        'llm.usage.total_tokens': 1100,
      });
      tracer('@tokenomics/instrumentation-openai')
        .span('chat gpt-4o', { ...usage(1000, 100), ...priced }, vendorParent)
        .end();
      vendorParent.end();
    });
    const [ours, vendor] = spans;
    const { sink, exporter } = setup();
    await exportBatch(exporter, [ours]);
    await exportBatch(exporter, [vendor]);
    const [, vendorOut] = sink.getFinishedSpans();
    expect(vendorOut.attributes['tokenomics.duplicate_of']).toBe(idOf(ours));
    expect(vendorOut.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('prices the first of two unpriced spans of one call and marks the second as its duplicate', async () => {
    const spans = recordSpans((tracer) => {
      const outer = tracer('@traceloop/instrumentation-openai').span('openai.chat', usage(1000, 100));
      tracer('@opentelemetry/instrumentation-openai').span('chat gpt-4o', usage(1000, 100), outer).end();
      outer.end();
    });
    const [inner] = spans;
    const { sink, exporter } = setup();
    await exportBatch(exporter, spans);
    const [innerOut, outerOut] = sink.getFinishedSpans();
    expect(innerOut.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
    expect(outerOut.attributes['tokenomics.duplicate_of']).toBe(idOf(inner));
    expect(outerOut.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
  });

  it('matches a span with only the request model to one that also has the response model', async () => {
    const spans = recordSpans((tracer) => {
      const outer = tracer('a').span('chat gpt-4o', usage(1000, 100));
      tracer('b')
        .span('chat gpt-4o', { ...usage(1000, 100), 'gen_ai.response.model': 'gpt-4o-2024-08-06' }, outer)
        .end();
      outer.end();
    });
    const { sink, exporter } = setup();
    await exportBatch(exporter, spans);
    expect(sink.getFinishedSpans()[1].attributes['tokenomics.duplicate_of']).toBe(idOf(spans[0]));
  });

  it('matches each vendor span to our span of its own response model when our spans before it named other response models', async () => {
    // Our spans, one batch, the same request model and totals, each its own response model; each
    // inside a vendor span that names only that response model, exported in the next batch.
    const snapshots = ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20', 'gpt-4o-2024-08-06'];
    const spans = recordSpans((tracer) => {
      for (const snapshot of snapshots) {
        const vendor = tracer('openai-sdk').span('openai.chat.completions.create', usage(1000, 100, snapshot));
        tracer('@tokenomics/instrumentation-openai')
          .span('chat gpt-4o', { ...usage(1000, 100), 'gen_ai.response.model': snapshot, ...priced }, vendor)
          .end();
        vendor.end();
      }
    });
    const ours = [spans[0], spans[2], spans[4]];
    const vendors = [spans[1], spans[3], spans[5]];
    const { sink, exporter } = setup();
    await exportBatch(exporter, ours);
    await exportBatch(exporter, vendors);
    const out = sink.getFinishedSpans().slice(3);
    expect(out.map((s) => s.attributes['tokenomics.duplicate_of'])).toEqual(ours.map(idOf));
  });

  it('matches OpenLIT Anthropic input (cache excluded) to a semconv span of the same call (cache included)', async () => {
    const anthropic = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.cache_read.input_tokens': 6000,
      'gen_ai.usage.output_tokens': 500,
    };
    const spans = recordSpans((tracer) => {
      const openlit = tracer('openlit').span('chat claude-sonnet-4-20250514', {
        ...anthropic,
        'gen_ai.usage.input_tokens': 4000,
        'gen_ai.usage.cost': 0.0093,
      });
      tracer('@tokenomics/instrumentation-anthropic')
        .span('chat claude-sonnet-4-20250514', { ...anthropic, 'gen_ai.usage.input_tokens': 10_000, ...priced }, openlit)
        .end();
      openlit.end();
    });
    const { sink, exporter } = setup();
    await exportBatch(exporter, spans);
    const openlitOut = sink.getFinishedSpans()[1];
    expect(openlitOut.attributes['tokenomics.duplicate_of']).toBe(idOf(spans[0]));
    expect(openlitOut.attributes['tokenomics.price_book.cost']).toBeUndefined();
    expect(openlitOut.attributes['gen_ai.usage.cost']).toBe(0.0093);
  });
});

describe('duplicate spans whose IDs are not lower-case hex', () => {
  it('marks the vendor span duplicate_of ours when the SDK made upper-case hex IDs, and names our span as the SDK wrote it', async () => {
    let n = 0;
    const upper = (digits: number) => () => (++n).toString(16).toUpperCase().padStart(digits, 'A');
    const sink = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      idGenerator: { generateTraceId: upper(32), generateSpanId: upper(16) },
      spanProcessors: [new SimpleSpanProcessor(sink)],
    });
    const ours = provider
      .getTracer('@tokenomics/instrumentation-openai')
      .startSpan('chat gpt-4o', { attributes: { ...usage(1000, 100), ...priced } });
    provider
      .getTracer('openai-sdk')
      .startSpan('openai.chat.completions.create', { attributes: usage(1000, 100) }, trace.setSpan(context.active(), ours))
      .end();
    ours.end();
    const spans = sink.getFinishedSpans();
    expect(idOf(spans[1])).toMatch(/^[0-9A-F]{16}$/);
    const { sink: out, exporter } = setup();
    await exportBatch(exporter, [spans[1]]);
    await exportBatch(exporter, [spans[0]]);
    expect(out.getFinishedSpans()[1].attributes['tokenomics.duplicate_of']).toBe(idOf(spans[1]));
  });
});

describe('spans that are not duplicates', () => {
  async function bothPriced(build: (tracer: (scope: string) => Tracerish) => void) {
    const spans = recordSpans(build);
    const { sink, exporter } = setup();
    await exportBatch(exporter, spans);
    return sink.getFinishedSpans().map((s) => s.attributes);
  }

  it('prices a parent and child with different usage separately', async () => {
    const attrs = await bothPriced((tracer) => {
      const outer = tracer('a').span('chat gpt-4o', usage(1000, 100));
      tracer('b').span('chat gpt-4o', usage(1000, 101), outer).end();
      outer.end();
    });
    expect(attrs.map((a) => a['tokenomics.duplicate_of'])).toEqual([undefined, undefined]);
    expect(attrs[0]['gen_ai.usage.cost.amount']).toBeCloseTo(0.00351, 12);
    expect(attrs[1]['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
  });

  it('prices a parent and child with different models separately', async () => {
    const attrs = await bothPriced((tracer) => {
      const outer = tracer('a').span('chat gpt-4o', usage(1000, 100));
      tracer('b')
        .span('chat o4-mini', usage(1000, 100, 'o4-mini'), outer)
        .end();
      outer.end();
    });
    expect(attrs.map((a) => a['tokenomics.duplicate_of'])).toEqual([undefined, undefined]);
  });

  it('prices siblings with identical usage separately (two real calls under one request)', async () => {
    const attrs = await bothPriced((tracer) => {
      const http = tracer('http').span('POST /batch', { 'http.request.method': 'POST' });
      tracer('a').span('chat gpt-4o', usage(1000, 100), http).end();
      tracer('a').span('chat gpt-4o', usage(1000, 100), http).end();
      http.end();
    });
    expect(attrs[0]['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
    expect(attrs[1]['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
  });
});

describe('bounded memory', () => {
  function childThenNoiseThenParent(noise: number): ReadableSpan[][] {
    const spans = recordSpans((tracer) => {
      const outer = tracer('a').span('chat gpt-4o', usage(1000, 100));
      tracer('b').span('chat gpt-4o', usage(1000, 100), outer).end();
      for (let i = 0; i < noise; i++)
        tracer('c')
          .span('chat gpt-4o', usage(10 + i, 1))
          .end();
      outer.end();
    });
    return [[spans[0]], spans.slice(1, 1 + noise), [spans[1 + noise]]];
  }

  it('still recognises the duplicate when the priced span is within the last dedupeCapacity spans', async () => {
    const { sink, exporter } = setup({ dedupeCapacity: 3 });
    const batches = childThenNoiseThenParent(2);
    for (const batch of batches) await exportBatch(exporter, batch);
    expect(sink.getFinishedSpans()[3].attributes['tokenomics.duplicate_of']).toBe(idOf(batches[0][0]));
  });

  it('forgets spans beyond dedupeCapacity and then prices the late duplicate', async () => {
    const { sink, exporter } = setup({ dedupeCapacity: 2 });
    for (const batch of childThenNoiseThenParent(2)) await exportBatch(exporter, batch);
    const parent = sink.getFinishedSpans()[3];
    expect(parent.attributes['tokenomics.duplicate_of']).toBeUndefined();
    expect(parent.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
  });

  it('turns de-duplication off with dedupeCapacity 0', async () => {
    const { sink, exporter } = setup({ dedupeCapacity: 0 });
    const batches = childThenNoiseThenParent(0);
    await exportBatch(exporter, batches.flat());
    expect(sink.getFinishedSpans().map((s) => s.attributes['tokenomics.duplicate_of'])).toEqual([undefined, undefined]);
  });

  it('holds at most capacity spans and keeps the parent index in step with evictions', () => {
    const recent = new RecentCalls(1000);
    const trace = '0af7651916cd43dd8448eb211c80319c';
    const id = (n: number) => n.toString(16).padStart(16, '0');
    // 50,000 children of 7 parents, each with its own input total.
    for (let i = 0; i < 50_000; i++) recent.remember(trace, id(i + 100), id(i % 7), i, 1, ['m']);
    expect(recent.size).toBe(1000);
    // A parent finds exactly its kept children: none of the 49,000 forgotten ones.
    let found = 0;
    for (let i = 0; i < 50_000; i++) {
      const child = recent.findSameCall(trace, id(i % 7), undefined, i, 1, ['m']);
      if (child !== undefined) {
        found++;
        expect(child).toBe(id(i + 100));
        expect(i).toBeGreaterThanOrEqual(49_000);
      }
    }
    expect(found).toBe(1000);
  });

  it('counts duplicates on tokenomics.exporter.spans', async () => {
    const metrics = selfMetricsProvider();
    const spans = recordSpans((tracer) => {
      const outer = tracer('a').span('chat gpt-4o', usage(1000, 100));
      tracer('b').span('chat gpt-4o', usage(1000, 100), outer).end();
      outer.end();
    });
    const { exporter } = setup({ meterProvider: metrics.meterProvider });
    await exportBatch(exporter, spans);
    const rm = await metrics.read();
    expect(counterValue(rm, 'tokenomics.exporter.spans', { 'tokenomics.exporter.outcome': 'duplicate' })).toBe(1);
    expect(counterValue(rm, 'tokenomics.exporter.spans', { 'tokenomics.exporter.outcome': 'enriched' })).toBe(1);
  });
});
