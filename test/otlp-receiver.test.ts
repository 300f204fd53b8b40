import { context, SpanKind, SpanStatusCode, trace, ValueType, type Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE, startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver';

const RESOURCE = resourceFromAttributes({ 'service.name': 'receiver-test', 'deployment.environment.name': 'ci', 'host.cpus': 2 });

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** Exports one parent span and one child CLIENT span with every attribute type, through `exporter`. */
async function exportSpans(exporter: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({ resource: RESOURCE, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('receiver-test-scope', '1.2.3');
  const parent = tracer.startSpan('parent op');
  const child = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.cost.amount': 0.000345,
        'tokenomics.usage.estimated': false,
        'gen_ai.response.finish_reasons': ['stop', 'length'],
      } satisfies Attributes,
    },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent('first chunk', { 'chunk.index': 0 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  child.end();
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
}

/** Records a counter, a histogram and a gauge once and exports them through `exporter`. */
async function exportMetrics(exporter: PushMetricExporter): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
  const meter = provider.getMeter('receiver-test-scope', '1.2.3');
  const cost = meter.createCounter('tokenomics.cost', { unit: 'USD', description: 'Cost of calls' });
  cost.add(0.25, { 'tokenomics.token.type': 'input' });
  cost.add(0.5, { 'tokenomics.token.type': 'output' });
  cost.add(0.25, { 'tokenomics.token.type': 'output' });
  const tokens = meter.createHistogram('gen_ai.client.token.usage', {
    unit: '{token}',
    valueType: ValueType.INT,
    advice: { explicitBucketBoundaries: [1, 4, 16, 64] },
  });
  tokens.record(3, { 'gen_ai.token.type': 'input' });
  tokens.record(50, { 'gen_ai.token.type': 'input' });
  tokens.record(100, { 'gen_ai.token.type': 'input' });
  const queue = meter.createGauge('app.queue.depth');
  queue.record(7);
  await provider.shutdown(); // one final export
}

describe.each([
  { encoding: 'protobuf', traceExporter: ProtoTraceExporter, metricExporter: ProtoMetricExporter },
  { encoding: 'json', traceExporter: JsonTraceExporter, metricExporter: JsonMetricExporter },
] as const)('OTLP receiver, http/$encoding', ({ encoding, traceExporter, metricExporter }) => {
  it('decodes spans with ids, kind, typed attributes, events, status, resource and scope', async () => {
    await exportSpans(new traceExporter({ url: `${receiver.url}/v1/traces` }));

    const spans = await receiver.waitFor((r) => (r.spans().length === 2 ? r.spans() : undefined));
    const child = receiver.spanByName('chat gpt-4o-mini')!;
    const parent = receiver.spanByName('parent op')!;
    expect(spans.map((s) => s.name)).toEqual(['chat gpt-4o-mini', 'parent op']);
    expect(child.kind).toBe(OTLP_SPAN_KIND.CLIENT);
    expect(parent.kind).toBe(OTLP_SPAN_KIND.INTERNAL);
    expect(child.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.parentSpanId).toBe(parent.spanId);
    expect(parent.parentSpanId).toBeUndefined();
    expect(child.attributes).toEqual({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cost.amount': 0.000345,
      'tokenomics.usage.estimated': false,
      'gen_ai.response.finish_reasons': ['stop', 'length'],
    });
    expect(child.events).toEqual([{ name: 'first chunk', timeUnixNano: expect.any(BigInt), attributes: { 'chunk.index': 0 } }]);
    expect(child.status).toEqual({ code: OTLP_STATUS_CODE.ERROR, message: 'rate limited' });
    expect(child.endTimeUnixNano >= child.startTimeUnixNano).toBe(true);
    expect(child.startTimeUnixNano > 1_600_000_000_000_000_000n).toBe(true);
    expect(child.resource).toMatchObject({ 'service.name': 'receiver-test', 'deployment.environment.name': 'ci', 'host.cpus': 2 });
    expect(child.scope).toEqual({ name: 'receiver-test-scope', version: '1.2.3', attributes: {} });
    expect(receiver.requests()).toEqual([
      expect.objectContaining({ path: '/v1/traces', encoding, status: 200 }),
      expect.objectContaining({ path: '/v1/traces', encoding, status: 200 }),
    ]);
  });

  it('decodes sum, histogram and gauge points with their attributes', async () => {
    await exportMetrics(new metricExporter({ url: `${receiver.url}/v1/metrics` }));

    const cost = await receiver.waitFor((r) =>
      r.metricPoints('tokenomics.cost').length === 2 ? r.metricPoints('tokenomics.cost') : undefined,
    );
    const byType = Object.fromEntries(cost.map((p) => [p.attributes['tokenomics.token.type'] as string, p]));
    expect(byType.input).toMatchObject({
      type: 'sum',
      unit: 'USD',
      description: 'Cost of calls',
      isMonotonic: true,
      temporality: 'cumulative',
      value: 0.25,
    });
    expect(byType.output.value).toBe(0.75);
    expect(byType.output.resource).toMatchObject({ 'service.name': 'receiver-test' });
    expect(byType.output.scope).toEqual({ name: 'receiver-test-scope', version: '1.2.3', attributes: {} });

    const [tokens] = receiver.metricPoints('gen_ai.client.token.usage');
    expect(tokens).toMatchObject({
      type: 'histogram',
      unit: '{token}',
      temporality: 'cumulative',
      attributes: { 'gen_ai.token.type': 'input' },
      count: 3,
      sum: 153,
      min: 3,
      max: 100,
      explicitBounds: [1, 4, 16, 64],
      bucketCounts: [0, 1, 0, 1, 1],
    });
    expect(receiver.metricPoints('app.queue.depth')).toEqual([expect.objectContaining({ type: 'gauge', value: 7, attributes: {} })]);
    expect(receiver.metricNames().sort()).toEqual(['app.queue.depth', 'gen_ai.client.token.usage', 'tokenomics.cost']);
  });

  it('decodes gzip-compressed bodies and records request headers', async () => {
    await exportSpans(
      new traceExporter({ url: `${receiver.url}/v1/traces`, compression: 'gzip' as never, headers: { 'x-tenant': 'acme' } }),
    );

    await receiver.waitFor((r) => r.spans().length === 2);
    const [request] = receiver.requests();
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.headers['x-tenant']).toBe('acme');
    expect(receiver.spanByName('chat gpt-4o-mini')!.attributes['gen_ai.usage.input_tokens']).toBe(1200);
  });
});

describe('OTLP receiver', () => {
  it('listens on 127.0.0.1 with an operating-system-chosen port', () => {
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}`);
    expect(receiver.port).toBeGreaterThan(0);
  });

  it('answers 404 for other paths and 415 for other content types, storing nothing', async () => {
    const logs = await fetch(`${receiver.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const text = await fetch(`${receiver.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect([logs.status, text.status]).toEqual([404, 415]);
    expect(receiver.spans()).toEqual([]);
    expect(receiver.requests().map((r) => [r.path, r.status])).toEqual([
      ['/v1/logs', 404],
      ['/v1/traces', 415],
    ]);
  });

  it('answers 400 to an undecodable protobuf body and keeps the decode error', async () => {
    const res = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
    });
    expect(res.status).toBe(400);
    expect(receiver.requests()[0].error).toMatch(/^could not decode protobuf body: /);
  });

  it('waitFor rejects after the timeout with a summary of what arrived', async () => {
    await exportSpans(new ProtoTraceExporter({ url: `${receiver.url}/v1/traces` }));
    await receiver.waitFor((r) => r.spans().length === 2);
    await expect(receiver.waitFor((r) => r.spanByName('never'), 200)).rejects.toThrow(
      'OTLP receiver: condition not met within 200 ms; received 2 request(s), spans [chat gpt-4o-mini, parent op], metrics []',
    );
  });

  it('clear forgets spans, points and requests', async () => {
    await exportSpans(new ProtoTraceExporter({ url: `${receiver.url}/v1/traces` }));
    await receiver.waitFor((r) => r.spans().length === 2);
    receiver.clear();
    expect([receiver.spans(), receiver.requests(), receiver.metricNames()]).toEqual([[], [], []]);
  });
});
