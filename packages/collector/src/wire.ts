/**
 * Byte ranges of the fields of an encoded protobuf message, found with the protobufjs runtime's
 * `Reader` (tags, lengths and skips are the runtime's; nothing is decoded here). The stage uses
 * them to decode only the spans it may change and to forward every other byte as it came.
 */
import { otlpMessages, type ProtoReader } from './otlp-messages';

/** One field of a message: where its tag starts, where its content starts, where it ends. */
export interface FieldRange {
  readonly field: number;
  readonly wireType: number;
  /** Offset of the tag. */
  readonly start: number;
  /** Offset of the content (after the length, for length-delimited fields). */
  readonly contentStart: number;
  /** Offset just past the field. */
  readonly end: number;
}

const LENGTH_DELIMITED = 2;

/** A Reader over `buf`, shared by the helpers below. */
export function readerOf(buf: Uint8Array): ProtoReader {
  return otlpMessages().runtime.Reader.create(buf);
}

/**
 * The fields of the message in `[start, end)`, in order. Throws (the runtime's range error) when
 * the bytes are not a well-framed message.
 */
export function fieldsOf(reader: ProtoReader, start: number, end: number): FieldRange[] {
  const out: FieldRange[] = [];
  const savedLen = reader.len;
  reader.pos = start;
  reader.len = end;
  try {
    while (reader.pos < end) {
      const tagStart = reader.pos;
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 0) throw new Error(`invalid field number 0 at offset ${tagStart}`);
      if (wireType === LENGTH_DELIMITED) {
        const length = reader.uint32();
        const contentStart = reader.pos;
        reader.skip(length);
        out.push({ field, wireType, start: tagStart, contentStart, end: reader.pos });
      } else {
        reader.skipType(wireType);
        out.push({ field, wireType, start: tagStart, contentStart: reader.pos, end: reader.pos });
      }
    }
    if (reader.pos !== end) throw new Error(`field overruns its message at offset ${reader.pos}`);
  } finally {
    reader.len = savedLen;
  }
  return out;
}

/** The length-delimited fields of a message numbered `field`. */
export function messageFields(ranges: readonly FieldRange[], field: number): FieldRange[] {
  return ranges.filter((r) => r.field === field && r.wireType === LENGTH_DELIMITED);
}

/**
 * Appends a length-delimited field to `out`: its tag and length, then `parts` in order (pushed one
 * by one: a batch may hold more parts than a call can take as arguments).
 */
export function pushLengthDelimited(out: Uint8Array[], field: number, parts: readonly Uint8Array[]): void {
  let length = 0;
  for (const part of parts) length += part.length;
  out.push(
    otlpMessages()
      .runtime.Writer.create()
      .uint32((field << 3) | LENGTH_DELIMITED)
      .uint32(length)
      .finish(),
  );
  for (const part of parts) out.push(part);
}

/**
 * Bytes of the base-128 varint of `value`, a non-negative safe integer (a tag, a length, a count):
 * what the runtime's `Writer.uint32` writes for values below 2^32 and `Writer.int64` for the rest.
 */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes the varint of `value` (a non-negative safe integer) at `pos`; returns the offset after it. */
export function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value >= 128) {
    out[pos++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}
