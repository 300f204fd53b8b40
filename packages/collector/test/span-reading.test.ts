/**
 * The stage reads a GenAI span's ids, name, start time and attributes straight from its bytes
 * (events, links and status are skipped unread). These tests hold that reading to what the generated
 * OTLP classes decode from the same bytes, on spans laid out in ways the OpenTelemetry SDKs never
 * write but the protobuf encoding allows, with the exporter's enricher and the bundled price book
 * (gpt-4o-mini: $0.15 input / $0.60 output per million tokens, cached input $0.075).
 */
import { SpanCostEnricher } from '@tokenomics/exporter';
import { describe, expect, it } from 'vitest';
import { readString } from '../src/attributes';
import { otlpMessages, type SpanMessage } from '../src/otlp-messages';
import { enrichTraces, type TraceEnrichment } from '../src/trace-enrichment';

const m = otlpMessages();
const writer = () => m.runtime.Writer.create();

type Value = string | number | boolean;
const anyValue = (value: Value) =>
  typeof value === 'string'
    ? { stringValue: value }
    : typeof value === 'boolean'
      ? { boolValue: value }
      : Number.isInteger(value)
        ? { intValue: value }
        : { doubleValue: value };
const kv = (key: string, value: Value) => ({ key, value: anyValue(value) });

/** Span fields the stage's own message type leaves out (events), encoded by the generated class. */
const encodedSpan = (fields: Record<string, unknown>) => Buffer.from(m.span.encode(fields as SpanMessage).finish());

/** A length-delimited field holding `content`. */
function field(number: number, content: Uint8Array): Buffer {
  return Buffer.concat([
    writer()
      .uint32((number << 3) | 2)
      .uint32(content.length)
      .finish(),
    content,
  ]);
}

/** The encoded `Span.attributes` entries of `entries`, in order. */
function attributeBytes(entries: [string, Value][]): Buffer {
  return Buffer.from(m.span.encode({ attributes: entries.map(([key, value]) => kv(key, value)) }).finish());
}

/** An encoded span: its id fields, then `parts` as they are (attribute entries, other fields). */
function spanBytes(spanId: string, ...parts: Uint8Array[]): Buffer {
  const ids = m.span
    .encode({
      traceId: Buffer.from('abcdefabcdefabcdefabcdefabcdefab', 'hex'),
      spanId: Buffer.from(spanId, 'hex'),
      name: 'chat gpt-4o-mini',
      kind: 3,
      startTimeUnixNano: 1_764_000_000_000_000_000,
    })
    .finish();
  return Buffer.concat([ids, ...parts]);
}

/** A request of one resource and one scope holding `spans`. */
function request(...spans: Uint8Array[]): Buffer {
  const scope = field(1, m.scope.encode({ name: 'test' }).finish());
  const resource = field(1, m.resource.encode({ attributes: [kv('service.name', 'unit')] }).finish());
  return field(1, Buffer.concat([resource, field(2, Buffer.concat([scope, ...spans.map((s) => field(2, s))]))]));
}

/** The same request as the generated classes write it after decoding it. */
function canonical(body: Uint8Array): Buffer {
  return Buffer.from(m.traceRequest.encode(m.traceRequest.decode(body)).finish());
}

/** What an enrichment found, without the bytes: calls, figures, verdicts. */
function readings(result: TraceEnrichment) {
  return {
    enriched: result.enriched,
    unpriced: result.unpriced,
    duplicates: result.duplicates,
    priced: result.priced.map((p) => ({ ...p, breakdown: [...p.breakdown] })),
    unpricedCalls: result.unpricedCalls,
  };
}

function addedAttributes(bytes: Uint8Array) {
  const decoded = m.traceRequest.toObject(m.traceRequest.decode(bytes), { longs: Number }) as {
    resourceSpans: { scopeSpans: { spans: { attributes: { key: string; value: Record<string, unknown> }[] }[] }[] }[];
  };
  return decoded.resourceSpans[0].scopeSpans[0].spans.map((s) => s.attributes);
}

const chat: [string, Value][] = [
  ['gen_ai.operation.name', 'chat'],
  ['gen_ai.provider.name', 'openai'],
  ['gen_ai.request.model', 'gpt-4o-mini'],
];

describe('reading GenAI spans from their bytes', () => {
  it('reads attributes split around the other fields of the span, and a later entry of a key replaces an earlier one', () => {
    const span = spanBytes(
      '0000000000000001',
      attributeBytes([...chat, ['gen_ai.usage.input_tokens', 5]]),
      writer()
        .uint32((8 << 3) | 1)
        .fixed64(1_764_000_001_000_000_000)
        .finish(),
      attributeBytes([['gen_ai.usage.output_tokens', 100]]),
      encodedSpan({ events: [{ name: 'e', timeUnixNano: 1 }] }),
      attributeBytes([['gen_ai.usage.input_tokens', 1000]]),
    );
    const result = enrichTraces(request(span), new SpanCostEnricher());
    expect(result.enriched).toBe(1);
    expect(result.priced[0].call.usage).toEqual({ inputTokens: 1000, outputTokens: 100 });
    // 1000 x $0.15 + 100 x $0.60 per million = $0.00021
    expect([...result.priced[0].breakdown.values()].reduce((x, y) => x + y, 0)).toBeCloseTo(0.00021, 12);
    expect(readings(result)).toEqual(readings(enrichTraces(canonical(request(span)), new SpanCostEnricher())));
  });

  it('prices a span carrying 20,000 events and forwards the events byte for byte', () => {
    const events = encodedSpan({ events: Array.from({ length: 20_000 }, (_, i) => ({ name: `token ${i}`, timeUnixNano: i + 1 })) });
    const span = spanBytes(
      '0000000000000002',
      attributeBytes([...chat, ['gen_ai.usage.input_tokens', 1000], ['gen_ai.usage.output_tokens', 100]]),
      events,
    );
    const body = request(span);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.enriched).toBe(1);
    expect(Buffer.from(result.bytes).includes(events)).toBe(true);
    expect(m.traceRequest.decode(result.bytes)).toMatchObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ events: { length: 20_000 } }] }] }],
    });
  });

  it('prices a span whose events hold bytes that do not decode (events are skipped unread) and forwards them as they came', () => {
    // One event entry of one byte: field 1 with wire type 7, which no decoder reads.
    const broken = Buffer.from([(11 << 3) | 2, 0x01, 0x0f]);
    const span = spanBytes(
      '0000000000000007',
      attributeBytes([...chat, ['gen_ai.usage.input_tokens', 1000], ['gen_ai.usage.output_tokens', 100]]),
      broken,
    );
    const result = enrichTraces(request(span), new SpanCostEnricher());
    expect(result.enriched).toBe(1);
    expect(Buffer.from(result.bytes).includes(Buffer.concat([broken, Buffer.from([(9 << 3) | 2])]))).toBe(true);
  });

  it('reads values the way the decoded span reads them: an entry holding two kinds of value, its key after its value, a value of no kind, large and negative integers', () => {
    const entry = (...parts: Uint8Array[]) => field(9, Buffer.concat(parts));
    const key = (k: string) => writer().uint32(10).string(k).finish();
    const value = (...anyParts: Uint8Array[]) => field(2, Buffer.concat(anyParts));
    const span = spanBytes(
      '0000000000000003',
      attributeBytes(chat),
      // an integer then a string in one value: the string is read
      entry(key('gen_ai.usage.input_tokens'), value(writer().uint32(24).int64(7).finish(), writer().uint32(10).string('1000').finish())),
      // the value before the key
      entry(value(writer().uint32(24).int64(100).finish()), key('gen_ai.usage.output_tokens')),
      // a value of no kind, then a map: neither replaces a count
      entry(key('gen_ai.usage.cache_read.input_tokens'), value()),
      entry(
        key('app.big'),
        value(
          writer()
            .uint32(24)
            .int64(2 ** 40)
            .finish(),
        ),
      ),
      entry(key('app.negative'), value(writer().uint32(24).int64(-5).finish())),
      entry(key('app.map'), value(field(6, m.keyValueList.encode({ values: [kv('a', 1)] }).finish()))),
    );
    const body = request(span);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.enriched).toBe(1);
    // the count given as a digit string is read as a number
    expect(result.priced[0].call.usage).toEqual({ inputTokens: 1000, outputTokens: 100 });
    // the cache count entry has no value: no cache share is shown, so the input figure is flagged
    expect(result.priced[0].cacheShareUnknown).toBe(true);
    expect(readings(result)).toEqual(readings(enrichTraces(canonical(body), new SpanCostEnricher())));
  });

  it('replaces an entry of a key the enrichment writes even when that entry has no value', () => {
    const span = spanBytes(
      '0000000000000004',
      attributeBytes([...chat, ['gen_ai.usage.input_tokens', 1000], ['gen_ai.usage.output_tokens', 100]]),
      field(9, writer().uint32(10).string('tokenomics.price_book.version').finish()),
    );
    const [attributes] = addedAttributes(enrichTraces(request(span), new SpanCostEnricher()).bytes);
    const versions = attributes.filter((a) => a.key === 'tokenomics.price_book.version');
    expect(versions).toHaveLength(1);
    expect(typeof versions[0].value.stringValue).toBe('string');
  });

  it('reads a span holding a field of another wire type than declared as the generated class decodes it', () => {
    const span = spanBytes(
      '0000000000000005',
      attributeBytes([...chat, ['gen_ai.usage.input_tokens', 1000]]),
      // the trace state (a string) written as a varint 0, which that class reads as an empty string
      writer()
        .uint32((3 << 3) | 0)
        .uint32(0)
        .finish(),
      // a field the schema does not declare
      writer()
        .uint32((99 << 3) | 0)
        .uint32(5)
        .finish(),
      attributeBytes([['gen_ai.usage.output_tokens', 100]]),
    );
    const body = request(span);
    const result = enrichTraces(body, new SpanCostEnricher());
    expect(result.enriched).toBe(1);
    expect(result.priced[0].call.usage).toEqual({ inputTokens: 1000, outputTokens: 100 });
    expect(readings(result)).toEqual(readings(enrichTraces(canonical(body), new SpanCostEnricher())));
  });
});

describe('readString', () => {
  it('returns what the runtime reads for the same bytes, told apart byte by byte from strings read before', () => {
    const values = [
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.input_tokenz',
      'gen_ai.usage.input_tokens',
      '',
      'x',
      'é\u{1F600}',
      'k'.repeat(64),
      'k'.repeat(65),
      'k'.repeat(64),
      'gpt-4o',
      'gpt-4o',
    ];
    const strings = Array.from({ length: 3000 }, (_, i) => `model-${i % 1500}`);
    const all = [...values, ...strings, ...values];
    const bytes = Buffer.from(all.reduce((w, s) => w.string(s), writer()).finish());
    // invalid UTF-8, twice
    const invalid = Buffer.from([0x03, 0x61, 0xff, 0x62, 0x03, 0x61, 0xff, 0x62]);
    const read = (buf: Buffer, count: number) => {
      const reader = m.runtime.Reader.create(buf);
      const out: string[] = [];
      for (let i = 0; i < count; i++) out.push(readString(reader));
      expect(reader.pos).toBe(buf.length);
      return out;
    };
    const byRuntime = (buf: Buffer, count: number) => {
      const reader = m.runtime.Reader.create(buf);
      return Array.from({ length: count }, () => reader.string());
    };
    expect(read(bytes, all.length)).toEqual(all);
    expect(read(invalid, 2)).toEqual(byRuntime(invalid, 2));
  });
});
