import { setFlagsFromString } from 'node:v8';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { costEnrichingBatchProcessor } from '../src/trace-exporters';

// A priced GenAI span has about 24 attributes, and the SDK writes each with a keyed store: V8 turns
// such an object into a hash table past 16 properties, unless the chain of hidden classes for that
// sequence of names already exists. The hook's batch processor lays the chain down for the
// sequences it sees, so later spans keep fast attributes while queued and serialised.

// V8's own check of an object's mode, compiled once natives syntax is allowed.
setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

/** `count` spans, each with `width` attributes named after `prefix`, set one by one in the same order. */
function endSpans(processor: SpanProcessor, prefix: string, width: number, count: number): Array<Record<string, unknown>> {
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('shapes');
  const attributes: Array<Record<string, unknown>> = [];
  for (let n = 0; n < count; n++) {
    const span = tracer.startSpan('call', { attributes: { [`${prefix}.start`]: 'chat', [`${prefix}.port`]: 443 } });
    for (let i = 0; i < width - 2; i++) span.setAttribute(`${prefix}.end.${i}`, i % 3 === 0 ? `value ${n}` : i % 3 === 1 ? n + 0.5 : n);
    span.end();
    attributes.push((span as unknown as { attributes: Record<string, unknown> }).attributes);
  }
  return attributes;
}

describe('span attribute shapes', () => {
  it('spans of a sequence seen before keep fast attributes through the hook batch processor, with the same values', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = costEnrichingBatchProcessor(exporter);
    const seen = endSpans(processor, 'shapes.seeded', 24, 1);
    const later = endSpans(processor, 'shapes.seeded', 24, 20);
    expect(later.every(hasFastProperties)).toBe(true);
    await processor.forceFlush();
    const exported = exporter.getFinishedSpans();
    expect(exported).toHaveLength(21);
    const last = exported[20]!.attributes;
    expect(Object.keys(last)).toHaveLength(24);
    expect(Object.keys(last)).toEqual(Object.keys(seen[0]!));
    expect(last['shapes.seeded.start']).toBe('chat');
    expect(last['shapes.seeded.end.0']).toBe('value 19');
    expect(last['shapes.seeded.end.1']).toBe(19.5);
    expect(last['shapes.seeded.end.2']).toBe(19);
    await processor.shutdown();
  });

  it('two kinds of wide spans taking turns both end up with fast attributes (the sample is not periodic)', async () => {
    const processor = costEnrichingBatchProcessor(new InMemorySpanExporter());
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('shapes');
    const last: Record<string, Array<Record<string, unknown>>> = { chat: [], embeddings: [] };
    for (let n = 0; n < 1000; n++) {
      const kind = n % 2 === 0 ? 'chat' : 'embeddings';
      const span = tracer.startSpan(kind);
      for (let i = 0; i < 20; i++) span.setAttribute(`shapes.${kind}.${i}`, i);
      span.end();
      if (n >= 980) last[kind]!.push((span as unknown as { attributes: Record<string, unknown> }).attributes);
    }
    // One in 16 spans is looked at, at random: missing either kind in 500 turns has a chance of about 1e-14.
    expect(last.chat!.every(hasFastProperties)).toBe(true);
    expect(last.embeddings!.every(hasFastProperties)).toBe(true);
    await processor.shutdown();
  });

  it('the same spans through a plain batch processor are hash tables (what the hook processor avoids)', async () => {
    const processor = new BatchSpanProcessor(new InMemorySpanExporter());
    const attributes = endSpans(processor, 'shapes.plain', 24, 5);
    expect(attributes.some(hasFastProperties)).toBe(false);
    await processor.shutdown();
  });

  it('narrow spans are left alone (16 attributes stay fast without help)', async () => {
    const processor = new BatchSpanProcessor(new InMemorySpanExporter());
    expect(endSpans(processor, 'shapes.narrow', 16, 5).every(hasFastProperties)).toBe(true);
    await processor.shutdown();
  });
});
