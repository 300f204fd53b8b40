/**
 * The trace rewriting of the collector stage at the byte level, with the exporter's enricher and the
 * bundled price book (gpt-4o-mini: $0.15 input / $0.60 output per million tokens).
 */
import { SpanCostEnricher } from '@tokenomics/exporter';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/forwarder';
import { jsonToProtobuf } from '../src/otlp-json';
import { otlpMessages } from '../src/otlp-messages';
import { enrichTraces } from '../src/trace-enrichment';

const kv = (key: string, value: string | number) =>
  typeof value === 'string' ? { key, value: { stringValue: value } } : { key, value: { intValue: String(value) } };

function request(spans: { spanId: string; parentSpanId?: string; attrs: Record<string, string | number> }[]): Uint8Array {
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
                  traceId: 'abcdefabcdefabcdefabcdefabcdefab',
                  spanId: s.spanId,
                  ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                  name: 'chat gpt-4o-mini',
                  kind: 3,
                  startTimeUnixNano: '1764000000000000000',
                  endTimeUnixNano: '1764000001000000000',
                  attributes: Object.entries(s.attrs).map(([k, v]) => kv(k, v)),
                })),
              },
            ],
          },
        ],
      }),
    ),
  );
}

const chat = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 100,
};

function spansOf(bytes: Uint8Array) {
  const decoded = otlpMessages().traceRequest.toObject(otlpMessages().traceRequest.decode(bytes), { longs: String, bytes: String }) as {
    resourceSpans: { scopeSpans: { spans: { spanId: string; attributes: { key: string; value: Record<string, unknown> }[] }[] }[] }[];
  };
  return decoded.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
}

describe('enrichTraces', () => {
  it('returns the request object itself when no span needs a change', () => {
    const body = request([{ spanId: '0000000000000001', attrs: { 'http.route': '/cart' } }]);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.bytes).toBe(body);
    expect(result.spans).toBe(1);
  });

  it("appends the cost attributes after the span's original bytes", () => {
    const body = request([{ spanId: '0000000000000002', attrs: chat }]);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.enriched).toBe(1);
    // The span is the last field of this request: its tail (the last attributes) is found unchanged.
    expect(Buffer.from(result.bytes).includes(Buffer.from(body).subarray(body.length - 60))).toBe(true);
    const [span] = spansOf(result.bytes);
    const amount = span.attributes.find((a) => a.key === 'gen_ai.usage.cost.amount')?.value;
    // 1000 x $0.15 + 100 x $0.60 per million = $0.00021
    expect(amount?.doubleValue).toBeCloseTo(0.00021, 12);
    expect(span.attributes.slice(0, 5).map((a) => a.key)).toEqual(Object.keys(chat));
  });

  it('replaces an attribute the enrichment writes instead of repeating it (one value per key)', () => {
    const body = request([{ spanId: '0000000000000003', attrs: { ...chat, 'tokenomics.price_book.version': 'stale' } }]);
    const [span] = spansOf(enrichTraces(body, new SpanCostEnricher()).bytes);
    const versions = span.attributes.filter((a) => a.key === 'tokenomics.price_book.version');
    expect(versions).toHaveLength(1);
    expect(versions[0].value.stringValue).not.toBe('stale');
  });

  it('prices the child of a parent/child pair describing one call, even when the parent comes first in the request', () => {
    const body = request([
      { spanId: '00000000000000a1', attrs: chat },
      { spanId: '00000000000000a2', parentSpanId: '00000000000000a1', attrs: chat },
    ]);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.enriched).toBe(1);
    expect(result.duplicates).toBe(1);
    const [parent, child] = spansOf(result.bytes);
    expect(parent.attributes.find((a) => a.key === 'tokenomics.duplicate_of')?.value.stringValue).toBe('00000000000000a2');
    expect(child.attributes.some((a) => a.key === 'gen_ai.usage.cost.amount')).toBe(true);
  });

  it('survives a parent cycle in untrusted span ids', () => {
    const body = request([
      { spanId: '00000000000000b1', parentSpanId: '00000000000000b2', attrs: chat },
      { spanId: '00000000000000b2', parentSpanId: '00000000000000b1', attrs: { ...chat, 'gen_ai.usage.output_tokens': 7 } },
    ]);
    expect(enrichTraces(body, new SpanCostEnricher()).enriched).toBe(2);
  });

  it("flags estimated by the exporter's one rule: a span without a cache count is, one with an unrelated numeric 'cache' attribute too, one with a zero cache read count is not", () => {
    const body = request([
      { spanId: '00000000000000c1', attrs: chat },
      { spanId: '00000000000000c2', attrs: { ...chat, 'gen_ai.usage.output_tokens': 101, 'app.cache_hits': 3 } },
      { spanId: '00000000000000c3', attrs: { ...chat, 'gen_ai.usage.output_tokens': 102, 'gen_ai.usage.cache_read.input_tokens': 0 } },
    ]);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.enriched).toBe(3);
    const estimated = spansOf(result.bytes).map(
      (span) => span.attributes.find((a) => a.key === 'tokenomics.usage.estimated')?.value.boolValue,
    );
    // gpt-4o-mini's cached input ($0.075 per million) is priced below its input ($0.15): an unseen
    // cache share would change the input figure.
    expect(estimated).toEqual([true, true, undefined]);
    expect(result.priced.map((p) => p.cacheShareUnknown)).toEqual([true, true, false]);
    // 1000 x $0.15 + 102 x $0.60 per million = $0.0002112, exact: the share is known to be zero
    expect(result.priced[2].breakdown.get('input')).toBeCloseTo(0.00015, 12);
    expect([...result.priced[2].breakdown.values()].reduce((x, y) => x + y, 0)).toBeCloseTo(0.0002112, 12);
  });

  it('throws on a request that is not well-framed protobuf (the receiver answers 400)', () => {
    expect(() => enrichTraces(Uint8Array.from([0x0a, 0x10, 0x01]), new SpanCostEnricher())).toThrow();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, caps at a minute, ignores garbage', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter('86400')).toBe(60_000);
    expect(parseRetryAfter(new Date(Date.now() + 3_600_000).toUTCString())).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('batches shaped against the stage', () => {
  it('prices a request holding a 20,000-span parent chain (depths computed once, parts appended one by one)', () => {
    const spans = Array.from({ length: 20_000 }, (_, i) => ({
      spanId: (i + 1).toString(16).padStart(16, '0'),
      ...(i > 0 ? { parentSpanId: i.toString(16).padStart(16, '0') } : {}),
      attrs: { ...chat, 'gen_ai.usage.output_tokens': 100 + i },
    }));
    const result = enrichTraces(request(spans), new SpanCostEnricher());
    // Every span has its own usage, so none is another's duplicate: all are priced.
    expect(result.enriched).toBe(20_000);
  });
});
