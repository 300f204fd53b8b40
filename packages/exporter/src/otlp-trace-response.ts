/*
 * The OTLP http/protobuf answer to an export of spans (`ExportTraceServiceResponse`), read the way
 * `ProtobufTraceSerializer.deserializeResponse` of `@opentelemetry/otlp-transformer` 0.223 reads
 * it, without loading that package:
 *
 *   ExportTraceServiceResponse  field 1 partial_success (message)
 *   ExportTracePartialSuccess   field 1 rejected_spans (int64, varint), field 2 error_message (string)
 *
 * Other fields are skipped; a field that comes more than once keeps its last value; a field of the
 * wrong wire type is skipped. The bytes come from the backend and are not trusted: anything the
 * official reader rejects (a varint or a length running past the end, a wire type that cannot be
 * skipped) and a varint longer than the ten bytes protobuf allows make the whole answer `{}` (the
 * official reader throws, and its exporter logs that it could not read the answer). The work is
 * one pass over the bytes; nothing here throws.
 */

/** What the backend reported about spans it did not accept. */
export interface TracePartialSuccess {
  /** Spans the backend rejected. */
  rejectedSpans?: number;
  /** Why, in the backend's words. */
  errorMessage?: string;
}

/** A decoded `ExportTraceServiceResponse`: the shape `deserializeExportTraceServiceResponse` returns. */
export interface TraceServiceResponse {
  partialSuccess?: TracePartialSuccess;
}

/** Longest varint protobuf allows (a 64-bit value). */
const MAX_VARINT_BYTES = 10;

const textDecoder = new TextDecoder();

/** Thrown inside the reader only, for bytes it cannot read; never leaves this module. */
class Malformed extends Error {}

class Reader {
  pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as a number, with the arithmetic of the official reader (exact below 2^53). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES && this.pos < this.end; i++) {
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Malformed();
  }

  /** The bounds of a length-delimited field's bytes; the reader moves past them. */
  lengthDelimited(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    if (length > this.end - start) throw new Malformed();
    this.pos = start + length;
    return [start, this.pos];
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        // The official reader moves past fixed-size fields without a bound; the next read ends.
        this.pos += 8;
        return;
      case 2:
        this.lengthDelimited();
        return;
      case 5:
        this.pos += 4;
        return;
      default:
        throw new Malformed();
    }
  }
}

function partialSuccess(bytes: Uint8Array, start: number, end: number): TracePartialSuccess {
  const reader = new Reader(bytes, start, end);
  const result: TracePartialSuccess = {};
  while (!reader.atEnd()) {
    const tag = reader.varint();
    const field = tag >>> 3;
    const wireType = tag & 0x7;
    if (field === 1 && wireType === 0) result.rejectedSpans = reader.varint();
    else if (field === 2 && wireType === 2) {
      const [from, to] = reader.lengthDelimited();
      result.errorMessage = textDecoder.decode(bytes.subarray(from, to));
    } else reader.skip(wireType);
  }
  return result;
}

/**
 * Reads the backend's answer to an OTLP http/protobuf export of spans. Returns `{}` for bytes that
 * are not a well-formed `ExportTraceServiceResponse`; never throws.
 *
 * @param data - the response body
 * @returns the partial success the backend reported, if any, as the official deserializer returns it
 */
export function decodeTraceServiceResponse(data: Uint8Array): TraceServiceResponse {
  try {
    const reader = new Reader(data, 0, data.length);
    const result: TraceServiceResponse = {};
    while (!reader.atEnd()) {
      const tag = reader.varint();
      const field = tag >>> 3;
      const wireType = tag & 0x7;
      if (field === 1 && wireType === 2) {
        const [from, to] = reader.lengthDelimited();
        result.partialSuccess = partialSuccess(data, from, to);
      } else reader.skip(wireType);
    }
    return result;
  } catch {
    return {};
  }
}
