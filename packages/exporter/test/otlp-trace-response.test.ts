import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTraceServiceResponse, fastTraceSerializer } from '../src/otlp-span-serializer';

// The official reader of the same answer, of the `@opentelemetry/otlp-transformer` version the
// span serialiser is checked against.
const require = createRequire(import.meta.url);
const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer') as {
  ProtobufTraceSerializer: { deserializeResponse(data: Uint8Array): unknown };
};

/** What the official reader returns, or `{}` where it throws (its exporter then only logs). */
function official(bytes: Uint8Array): unknown {
  try {
    return ProtobufTraceSerializer.deserializeResponse(bytes);
  } catch {
    return {};
  }
}

/**
 * Whether `bytes` hold ten bytes in a row with the continuation bit: only there can a varint run
 * past ten bytes, which the official deserializer reads and this reader refuses (`{}`).
 */
function mayHoldOverlongVarint(bytes: Uint8Array): boolean {
  let run = 0;
  for (const b of bytes) {
    run = b & 0x80 ? run + 1 : 0;
    if (run >= 10) return true;
  }
  return false;
}

// --- Writing answers -------------------------------------------------------------------------

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const tag = (field: number, wireType: number) => varint((BigInt(field) << 3n) | BigInt(wireType));
const delimited = (field: number, body: readonly number[]) => [...tag(field, 2), ...varint(BigInt(body.length)), ...body];

/** A field of any number and wire type with a payload of its type (3, 4, 6 and 7 have none the reader can skip). */
const anyField = fc
  .record({
    field: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 ** 29 - 1 })),
    wireType: fc.integer({ min: 0, max: 7 }),
    value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    bytes: fc.uint8Array({ maxLength: 12 }),
  })
  .map(({ field, wireType, value, bytes }) => {
    switch (wireType) {
      case 0:
        return [...tag(field, 0), ...varint(value)];
      case 1:
        return [...tag(field, 1), ...Array.from({ length: 8 }, (_, i) => bytes[i] ?? i)];
      case 2:
        return delimited(field, [...bytes]);
      case 5:
        return [...tag(field, 5), ...Array.from({ length: 4 }, (_, i) => bytes[i] ?? i)];
      default:
        return tag(field, wireType);
    }
  });

/** UTF-8 of any string, or bytes that are not UTF-8 at all. */
const message = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => [...Buffer.from(s, 'utf8')]),
  fc.constantFrom([0xef, 0xbb, 0xbf, 0x41], [0xc3], [0xff, 0xfe], []),
  fc.uint8Array({ maxLength: 16 }).map((b) => [...b]),
);

/** `ExportTracePartialSuccess`: counts of any int64, messages, repeats, fields of the wrong type and unknown ones. */
const partialSuccess = fc
  .array(
    fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).map((n) => [...tag(1, 0), ...varint(n)]),
      fc.nat({ max: 10_000 }).map((n) => [...tag(1, 0), ...varint(BigInt(n))]),
      message.map((m) => delimited(2, m)),
      anyField,
    ),
    { maxLength: 5 },
  )
  .map((fields) => fields.flat());

/** `ExportTraceServiceResponse`: partial successes (repeated, or none) among other fields. */
const response = fc
  .array(
    fc.oneof(
      partialSuccess.map((body) => delimited(1, body)),
      anyField,
    ),
    { maxLength: 4 },
  )
  .map((fields) => fields.flat());

/** An answer as sent, cut short, or with one byte changed. */
const damaged = fc
  .tuple(response, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('whole', 'cut', 'flip'))
  .map(([bytes, at, byte, how]) => {
    if (how === 'whole' || bytes.length === 0) return Uint8Array.from(bytes);
    const i = at % bytes.length;
    if (how === 'cut') return Uint8Array.from(bytes.slice(0, i));
    const flipped = [...bytes];
    flipped[i] = byte;
    return Uint8Array.from(flipped);
  });

describe('OTLP trace export response reader', () => {
  it('reads a partial success as the official deserializer does: rejected spans and the message', () => {
    const bytes = Uint8Array.from(delimited(1, [...tag(1, 0), ...varint(3n), ...delimited(2, [...Buffer.from('quota exceeded')])]));
    expect(decodeTraceServiceResponse(bytes)).toStrictEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'quota exceeded' } });
    expect(decodeTraceServiceResponse(bytes)).toStrictEqual(official(bytes));
  });

  it('reads an empty answer and an empty partial success as the official deserializer does', () => {
    expect(decodeTraceServiceResponse(new Uint8Array())).toStrictEqual({});
    expect(official(new Uint8Array())).toStrictEqual({});
    const empty = Uint8Array.from(delimited(1, []));
    expect(decodeTraceServiceResponse(empty)).toStrictEqual({ partialSuccess: {} });
    expect(official(empty)).toStrictEqual({ partialSuccess: {} });
  });

  it('reads a negative int64 count as the official deserializer does (a finite number near 2^64)', () => {
    const bytes = Uint8Array.from(delimited(1, [...tag(1, 0), ...varint(-1n)]));
    expect(decodeTraceServiceResponse(bytes)).toStrictEqual(official(bytes));
    expect(decodeTraceServiceResponse(bytes)).toStrictEqual({ partialSuccess: { rejectedSpans: 2 ** 64 } });
  });

  it('returns {} for a varint longer than ten bytes, which the official deserializer reads as a number that can reach Infinity', () => {
    const overlong = (bytes: number) => Uint8Array.from(delimited(1, [...tag(1, 0), ...new Array<number>(bytes - 1).fill(0xff), 0x01]));
    expect(decodeTraceServiceResponse(overlong(11))).toStrictEqual({});
    expect(official(overlong(11))).toStrictEqual({ partialSuccess: { rejectedSpans: 2 ** 71 } });
    expect(decodeTraceServiceResponse(overlong(200))).toStrictEqual({});
    expect(official(overlong(200))).toStrictEqual({ partialSuccess: { rejectedSpans: Infinity } });
  });

  it('returns {} for answers the official deserializer throws on: a length or varint past the end, an unskippable wire type', () => {
    const cases = [[0x0a, 0x05, 0x08], [0x0a, 0x80], [0x0b], [0x0a, 0x02, 0x0c, 0x00], [0x0a, 0x03, 0x12, 0x05, 0x41]].map((bytes) =>
      Uint8Array.from(bytes),
    );
    for (const bytes of cases) {
      expect(() => ProtobufTraceSerializer.deserializeResponse(bytes)).toThrow();
      expect(decodeTraceServiceResponse(bytes)).toStrictEqual({});
    }
  });

  it('gives what the official deserializer gives (or {} where it throws) for well-formed, cut and altered answers', () => {
    fc.assert(
      fc.property(damaged, (bytes) => {
        const ours = decodeTraceServiceResponse(bytes);
        if (mayHoldOverlongVarint(bytes) && JSON.stringify(ours) === '{}') return;
        expect(ours).toStrictEqual(official(bytes));
      }),
      { numRuns: 3_000 },
    );
  });

  it('gives what the official deserializer gives (or {} where it throws) for random bytes, and {} or that for bytes that may hold an overlong varint', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        const ours = decodeTraceServiceResponse(bytes);
        if (mayHoldOverlongVarint(bytes) && JSON.stringify(ours) === '{}') return;
        expect(ours).toStrictEqual(official(bytes));
      }),
      { numRuns: 5_000 },
    );
  });

  it('is what the fast serializer reads responses with', () => {
    const serializer = fastTraceSerializer(() => {
      throw new Error('the official serializer is not needed to read a response');
    });
    const bytes = Uint8Array.from(delimited(1, [...tag(1, 0), ...varint(7n)]));
    expect(serializer.deserializeResponse(bytes)).toStrictEqual({ partialSuccess: { rejectedSpans: 7 } });
  });
});
