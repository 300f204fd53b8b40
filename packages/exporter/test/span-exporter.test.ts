/**
 * The exporter wrapper's contract: read-only views that serialise like SDK spans, no mutation of
 * SDK spans, the callback exactly once, forwarding, diagnostics and self-observability.
 * Figures: gpt-4o at $2.50 input / $10 output per million tokens (rate-card.ts).
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { CostEnrichingSpanExporter, createCostEnrichingSpanProcessor } from '../src/index';
import { captureDiag, counterValue, exportBatch, recordSpans, resource, selfMetricsProvider, START } from './harness';
import { RateCard } from './rate-card';

const chat = (input: unknown, output: unknown = 100) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': input,
  'gen_ai.usage.output_tokens': output,
});

let restoreDiag: (() => void) | undefined;
afterEach(() => {
  restoreDiag?.();
  restoreDiag = undefined;
});

/** A parent HTTP span with a GenAI child that has an event, a link and an error status. */
function richSpans(): ReadableSpan[] {
  return recordSpans((tracer) => {
    const http = tracer('@opentelemetry/instrumentation-http').span('POST /checkout', { 'http.request.method': 'POST' });
    const child = tracer('@opentelemetry/instrumentation-openai').span('chat gpt-4o', chat(1000, 100) as never, http);
    child.addEvent('gen_ai.choice', { index: 0, finish_reason: 'stop' });
    child.addLink({ context: http.spanContext(), attributes: { 'link.kind': 'caller' } });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'truncated' });
    child.end();
    http.end();
  });
}

describe('enriched span views', () => {
  it('leaves the SDK span untouched and exports a view carrying every original field', async () => {
    const spans = richSpans();
    const sink = new InMemorySpanExporter();
    await exportBatch(new CostEnrichingSpanExporter(sink, { priceBook: new RateCard() }), spans);
    const [original, http] = spans;
    const [view, httpOut] = sink.getFinishedSpans();

    expect(original.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(Object.keys(original.attributes)).toHaveLength(5);
    expect(view).not.toBe(original);
    expect(httpOut).toBe(http);
    // 1000 x $2.50 + 100 x $10, per million
    expect(view.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
    expect(view.attributes['gen_ai.request.model']).toBe('gpt-4o');

    expect(view.name).toBe(original.name);
    expect(view.kind).toBe(original.kind);
    expect(view.spanContext()).toEqual(original.spanContext());
    expect(view.parentSpanContext).toBe(original.parentSpanContext);
    expect(view.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    expect(view.startTime).toBe(original.startTime);
    expect(view.endTime).toBe(original.endTime);
    expect(view.duration).toBe(original.duration);
    expect(view.status).toEqual({ code: SpanStatusCode.ERROR, message: 'truncated' });
    expect(view.events).toBe(original.events);
    expect(view.events.map((e) => e.name)).toEqual(['gen_ai.choice']);
    expect(view.links).toBe(original.links);
    expect(view.resource).toBe(original.resource);
    expect(view.instrumentationScope).toBe(original.instrumentationScope);
    expect(view.ended).toBe(true);
    expect(view.droppedAttributesCount).toBe(0);
    expect(view.droppedEventsCount).toBe(0);
    expect(view.droppedLinksCount).toBe(0);
  });

  it('serialises through the OTLP JSON serializer with cost attributes, parent id, events, links, and one resource group', async () => {
    const spans = richSpans();
    const sink = new InMemorySpanExporter();
    await exportBatch(new CostEnrichingSpanExporter(sink, { priceBook: new RateCard() }), spans);
    const body = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(sink.getFinishedSpans())));

    expect(body.resourceSpans).toHaveLength(1);
    const scopes = body.resourceSpans[0].scopeSpans;
    expect(scopes.map((s: { scope: { name: string } }) => s.scope.name).sort()).toEqual([
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-openai',
    ]);
    const genai = scopes.find((s: { scope: { name: string } }) => s.scope.name === '@opentelemetry/instrumentation-openai').spans[0];
    const attr = (key: string) => genai.attributes.find((a: { key: string }) => a.key === key)?.value;
    expect(attr('gen_ai.usage.cost.amount').doubleValue).toBeCloseTo(0.0035, 12);
    expect(attr('gen_ai.usage.cost.currency')).toEqual({ stringValue: 'USD' });
    expect(attr('tokenomics.price_book.version')).toEqual({ stringValue: 'test-2025.06' });
    expect(genai.parentSpanId).toBe(spans[1].spanContext().spanId);
    expect(genai.spanId).toBe(spans[0].spanContext().spanId);
    expect(genai.events.map((e: { name: string }) => e.name)).toEqual(['gen_ai.choice']);
    expect(genai.links).toHaveLength(1);
    expect(genai.status).toEqual({ code: 2, message: 'truncated' });
    expect(body.resourceSpans[0].resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'checkout' } });
  });
});

describe('export contract', () => {
  it('calls the result callback once even when the wrapped exporter calls it twice', async () => {
    const inner: SpanExporter = {
      export: (_spans, cb) => {
        cb({ code: ExportResultCode.SUCCESS });
        cb({ code: ExportResultCode.FAILED });
      },
      shutdown: async () => {},
    };
    const results: ExportResult[] = [];
    new CostEnrichingSpanExporter(inner, { priceBook: new RateCard() }).export(richSpans(), (r) => results.push(r));
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
  });

  it('reports FAILED once, without throwing, when the wrapped exporter throws', () => {
    restoreDiag = captureDiag().restore;
    const inner: SpanExporter = {
      export: () => {
        throw new Error('socket closed');
      },
      shutdown: async () => {},
    };
    const results: ExportResult[] = [];
    expect(() =>
      new CostEnrichingSpanExporter(inner, { priceBook: new RateCard() }).export(richSpans(), (r) => results.push(r)),
    ).not.toThrow();
    expect(results).toHaveLength(1);
    expect(results[0].code).toBe(ExportResultCode.FAILED);
    expect(results[0].error?.message).toBe('socket closed');
  });

  it('marks calls unpriced with reason pricing_error when the price book throws, and still exports', async () => {
    const { messages, restore } = captureDiag();
    restoreDiag = restore;
    const sink = new InMemorySpanExporter();
    const broken = {
      version: 'broken-1',
      price: () => {
        throw new Error('rate table corrupt');
      },
    };
    const result = await exportBatch(new CostEnrichingSpanExporter(sink, { priceBook: broken }), richSpans());
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const [view] = sink.getFinishedSpans();
    expect(view.attributes['tokenomics.unpriced']).toBe(true);
    expect(view.attributes['tokenomics.unpriced_reason']).toBe('pricing_error');
    expect(view.attributes['tokenomics.price_book.version']).toBe('broken-1');
    expect(messages.some((m) => m.level === 'warn' && m.message.includes('price book threw for model gpt-4o'))).toBe(true);
  });

  it('forwards shutdown and forceFlush to the wrapped exporter', async () => {
    const calls: string[] = [];
    const inner: SpanExporter = {
      export: (_s, cb) => cb({ code: ExportResultCode.SUCCESS }),
      shutdown: async () => void calls.push('shutdown'),
      forceFlush: async () => void calls.push('forceFlush'),
    };
    const exporter = new CostEnrichingSpanExporter(inner, { priceBook: new RateCard() });
    await exporter.forceFlush();
    await exporter.shutdown();
    expect(calls).toEqual(['forceFlush', 'shutdown']);
  });

  it('resolves forceFlush when the wrapped exporter has none', async () => {
    const exporter = new CostEnrichingSpanExporter({ export: (_s, cb) => cb({ code: 0 }), shutdown: async () => {} });
    await expect(exporter.forceFlush()).resolves.toBeUndefined();
  });
});

describe('bad attribute values', () => {
  it.each([
    ['a negative count', -5, 'negative'],
    ['NaN', Number.NaN, 'not_finite'],
    ['a fraction', 12.5, 'not_integer'],
    ['a non-numeric string', 'lots', 'not_a_number'],
    ['a boolean', true, 'not_a_number'],
  ])('marks the call unpriced (invalid_usage) for %s, logs it and counts it', async (_label, value, problem) => {
    const { messages, restore } = captureDiag();
    restoreDiag = restore;
    const metrics = selfMetricsProvider();
    const sink = new InMemorySpanExporter();
    const spans = recordSpans((tracer) =>
      tracer('x')
        .span('chat gpt-4o', chat(value) as never)
        .end(),
    );
    await exportBatch(new CostEnrichingSpanExporter(sink, { priceBook: new RateCard(), meterProvider: metrics.meterProvider }), spans);
    const [view] = sink.getFinishedSpans();
    expect(view.attributes['tokenomics.unpriced_reason']).toBe('invalid_usage');
    expect(view.attributes['gen_ai.usage.cost.amount']).toBeUndefined();
    expect(messages.filter((m) => m.level === 'warn' && m.message.includes('gen_ai.usage.input_tokens'))).toHaveLength(1);
    const rm = await metrics.read();
    expect(
      counterValue(rm, 'tokenomics.exporter.invalid_values', {
        'tokenomics.exporter.attribute': 'gen_ai.usage.input_tokens',
        'tokenomics.exporter.outcome': problem,
      }),
    ).toBe(1);
    expect(counterValue(rm, 'tokenomics.exporter.spans', { 'tokenomics.exporter.outcome': 'unpriced' })).toBe(1);
  });

  it('reads a numeric string as a number and says so in diag', async () => {
    const { messages, restore } = captureDiag();
    restoreDiag = restore;
    const sink = new InMemorySpanExporter();
    const spans = recordSpans((tracer) =>
      tracer('x')
        .span('chat gpt-4o', chat('1000') as never)
        .end(),
    );
    await exportBatch(new CostEnrichingSpanExporter(sink, { priceBook: new RateCard() }), spans);
    expect(sink.getFinishedSpans()[0].attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
    expect(messages.some((m) => m.message.includes('gen_ai.usage.input_tokens holds a string ("1000")'))).toBe(true);
  });

  it('logs a repeated bad value at warn once, then at debug', async () => {
    const { messages, restore } = captureDiag();
    restoreDiag = restore;
    const exporter = new CostEnrichingSpanExporter(new InMemorySpanExporter(), { priceBook: new RateCard() });
    for (let i = 0; i < 3; i++) {
      await exportBatch(
        exporter,
        recordSpans((tracer) =>
          tracer('x')
            .span('chat gpt-4o', chat(-1) as never)
            .end(),
        ),
      );
    }
    const about = messages.filter((m) => m.message.includes('gen_ai.usage.input_tokens = -1'));
    expect(about.map((m) => m.level)).toEqual(['warn', 'debug', 'debug']);
  });
});

describe('self-observability', () => {
  it('counts spans by outcome on tokenomics.exporter.spans', async () => {
    const metrics = selfMetricsProvider();
    const spans = recordSpans((tracer) => {
      tracer('x')
        .span('chat gpt-4o', chat(1000) as never)
        .end();
      tracer('x')
        .span('chat gpt-4o', chat(2000) as never)
        .end();
      tracer('x')
        .span('chat acme', { ...chat(10), 'gen_ai.request.model': 'acme-1' } as never)
        .end();
      tracer('@tokenomics/instrumentation-openai')
        .span('chat gpt-4o', { ...chat(10), 'gen_ai.usage.cost.amount': 0.001 } as never)
        .end();
      tracer('x').span('invoke_agent A', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 1 }).end();
      tracer('http').span('GET /', { 'http.request.method': 'GET' }).end();
    });
    await exportBatch(
      new CostEnrichingSpanExporter(new InMemorySpanExporter(), { priceBook: new RateCard(), meterProvider: metrics.meterProvider }),
      spans,
    );
    const rm = await metrics.read();
    const count = (outcome: string) => counterValue(rm, 'tokenomics.exporter.spans', { 'tokenomics.exporter.outcome': outcome });
    expect(count('enriched')).toBe(2);
    expect(count('unpriced')).toBe(1);
    expect(count('already_priced')).toBe(1);
    expect(count('skipped')).toBe(1);
    expect(count('duplicate')).toBeUndefined();
    expect(rm.scopeMetrics.map((s) => s.scope.name)).toEqual(['@tokenomics/exporter']);
  });
});

describe('span processor variant', () => {
  it('hands each ended span to the wrapped processor with cost added', async () => {
    const sink = new InMemorySpanExporter();
    const processor = createCostEnrichingSpanProcessor(new SimpleSpanProcessor(sink), { priceBook: new RateCard() });
    const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
    const span: Span = provider.getTracer('x').startSpan('chat gpt-4o', { attributes: chat(1000) as never, startTime: START });
    span.end();
    await provider.forceFlush();
    const [out] = sink.getFinishedSpans();
    expect(out.attributes['gen_ai.usage.cost.amount']).toBeCloseTo(0.0035, 12);
    expect(out.attributes['tokenomics.pricing.model']).toBe('gpt-4o');
    await provider.shutdown();
  });
});
