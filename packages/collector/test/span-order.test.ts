/**
 * Children are priced before their parents (a framework span and the client span inside it describe
 * one call; the client's carries the cost). Parents are found by trace and span id; these tests cover
 * batches where two traces reuse a span id, with the exporter's enricher and the bundled price book.
 */
import { SpanCostEnricher } from '@tokenomics/exporter';
import { describe, expect, it } from 'vitest';
import { jsonToProtobuf } from '../src/otlp-json';
import { otlpMessages } from '../src/otlp-messages';
import { enrichTraces } from '../src/trace-enrichment';

const kv = (key: string, value: string | number) =>
  typeof value === 'string' ? { key, value: { stringValue: value } } : { key, value: { intValue: String(value) } };

const chat = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 100,
};

interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

function request(spans: TestSpan[]): Uint8Array {
  return jsonToProtobuf(
    'traces',
    Buffer.from(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [kv('service.name', 'unit')] },
            scopeSpans: [
              {
                scope: { name: 'test' },
                spans: spans.map((s) => ({
                  ...s,
                  name: 'chat gpt-4o-mini',
                  kind: 3,
                  startTimeUnixNano: '1764000000000000000',
                  endTimeUnixNano: '1764000001000000000',
                  attributes: Object.entries(chat).map(([k, v]) => kv(k, v)),
                })),
              },
            ],
          },
        ],
      }),
    ),
  );
}

/** `tokenomics.duplicate_of` of each span, or `priced`. */
function verdicts(bytes: Uint8Array): string[] {
  const decoded = otlpMessages().traceRequest.toObject(otlpMessages().traceRequest.decode(bytes), { longs: String }) as {
    resourceSpans: { scopeSpans: { spans: { attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[];
  };
  return decoded.resourceSpans[0].scopeSpans[0].spans.map((span) => {
    const duplicate = span.attributes.find((a) => a.key === 'tokenomics.duplicate_of');
    if (duplicate !== undefined) return `duplicate of ${duplicate.value.stringValue}`;
    return span.attributes.some((a) => a.key === 'gen_ai.usage.cost.amount') ? 'priced' : 'untouched';
  });
}

const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('ordering the GenAI spans of a batch', () => {
  it('prices the child of each trace when another trace of the batch reuses the parent span id', () => {
    // Trace A: parent 01, child 02. Trace B: parent 01 too (another trace's span), child 03.
    const body = request([
      { traceId: A, spanId: '0000000000000001' },
      { traceId: B, spanId: '0000000000000001' },
      { traceId: A, spanId: '0000000000000002', parentSpanId: '0000000000000001' },
      { traceId: B, spanId: '0000000000000003', parentSpanId: '0000000000000001' },
    ]);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(verdicts(result.bytes)).toEqual(['duplicate of 0000000000000002', 'duplicate of 0000000000000003', 'priced', 'priced']);
    expect(result.enriched).toBe(2);
    expect(result.duplicates).toBe(2);
  });

  it('never takes a span of another trace for a parent', () => {
    // The span of trace A names as parent a span id that only trace B holds: it has no parent in
    // this batch, so neither is the other's duplicate and both are priced.
    const body = request([
      { traceId: B, spanId: '0000000000000001' },
      { traceId: A, spanId: '0000000000000002', parentSpanId: '0000000000000001' },
    ]);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.enriched).toBe(2);
    expect(verdicts(result.bytes)).toEqual(['priced', 'priced']);
  });
});
