import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { int64ToNumber, otlpMessages, type AnyValueMessage, type KeyValueMessage, type ProtoReader } from './otlp-messages';
import { varintLength, writeVarint } from './wire';

/**
 * Decoded OTLP attributes as an OpenTelemetry `Attributes` object: strings, booleans, numbers and
 * homogeneous arrays of them. Values of other kinds (maps, bytes) are left out: no reader of GenAI
 * usage looks at them. Readers look up fixed GenAI names only, so a plain object is safe.
 */
export function toAttributes(list: readonly KeyValueMessage[] | null | undefined): Attributes {
  const out: Attributes = {};
  if (!list) return out;
  for (const kv of list) {
    const key = kv.key;
    // `__proto__` would set the object's prototype rather than an own property: never a GenAI key.
    if (typeof key !== 'string' || key === '' || key === '__proto__' || !kv.value) continue;
    const value = toAttributeValue(kv.value);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** A decoded OTLP `AnyValue` as an attribute value, as {@link toAttributes} reads it; `undefined` for maps and bytes. */
export function toAttributeValue(v: AnyValueMessage): AttributeValue | undefined {
  if (present(v.stringValue)) return v.stringValue;
  if (present(v.boolValue)) return v.boolValue;
  if (present(v.intValue)) return int64ToNumber(v.intValue);
  if (present(v.doubleValue)) return v.doubleValue;
  if (present(v.arrayValue)) {
    const values = v.arrayValue.values ?? [];
    const out: (string | number | boolean)[] = [];
    for (const item of values) {
      const x = toAttributeValue(item);
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push(x);
    }
    return out as AttributeValue;
  }
  return undefined;
}

/** Wire types, and the field numbers of `KeyValue` and `AnyValue`. */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const KEY_VALUE_KEY = 1;
const KEY_VALUE_VALUE = 2;
const ANY_STRING = 1;
const ANY_BOOL = 2;
const ANY_INT = 3;
const ANY_DOUBLE = 4;
const ANY_ARRAY = 5;
const ANY_KVLIST = 6;
const ANY_BYTES = 7;

/** What {@link readAttribute} returns when the bytes are not in the shape the generated classes read alike. */
export const UNUSUAL = Symbol('unusual');

/**
 * Reads one encoded `KeyValue` of `length` bytes at the reader's position into `out`, as
 * {@link toAttributes} would read it once decoded by the generated class (same values, a later
 * entry of a key replacing an earlier one, the same entries left out), without building the
 * decoded messages: scalars are read with the runtime's `Reader`, arrays and maps decoded by the
 * generated classes. Returns the key when the entry was left out (no usable value), `undefined`
 * when it was read, or {@link UNUSUAL} when a field has a wire type other than its declared one or
 * overruns the entry: the generated class would read such bytes differently, so the caller decodes
 * the whole span with it instead.
 */
export function readAttribute(reader: ProtoReader, length: number, out: Attributes): string | undefined | typeof UNUSUAL {
  const end = reader.pos + length;
  let key = '';
  let hasValue = false;
  let value: AttributeValue | undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === KEY_VALUE_KEY) {
      if (wireType !== LENGTH_DELIMITED) return UNUSUAL;
      key = readString(reader);
    } else if (field === KEY_VALUE_VALUE) {
      if (wireType !== LENGTH_DELIMITED) return UNUSUAL;
      const read = readAnyValue(reader, reader.uint32());
      if (read === UNUSUAL) return UNUSUAL;
      hasValue = true;
      value = read;
    } else {
      reader.skipType(wireType);
    }
  }
  if (reader.pos !== end) return UNUSUAL;
  // `__proto__` would set the object's prototype rather than an own property: never a GenAI key.
  if (key === '' || key === '__proto__') return undefined;
  if (hasValue && value !== undefined) {
    out[key] = value;
    return undefined;
  }
  return key;
}

/** One encoded `AnyValue` as {@link toAttributeValue} reads it decoded, or {@link UNUSUAL}. */
function readAnyValue(reader: ProtoReader, length: number): AttributeValue | undefined | typeof UNUSUAL {
  const end = reader.pos + length;
  // Every field is read where it stands (a later one of the same number replaces it), and the
  // value is then picked in the order toAttributeValue picks it.
  let stringValue: string | undefined;
  let boolValue: boolean | undefined;
  let intValue: number | undefined;
  let doubleValue: number | undefined;
  let arrayValue: AttributeValue | undefined;
  let hasArray = false;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    switch (field) {
      case ANY_STRING:
        if (wireType !== LENGTH_DELIMITED) return UNUSUAL;
        stringValue = readString(reader);
        break;
      case ANY_BOOL:
        if (wireType !== VARINT) return UNUSUAL;
        boolValue = reader.bool();
        break;
      case ANY_INT:
        if (wireType !== VARINT) return UNUSUAL;
        intValue = readInt64(reader);
        break;
      case ANY_DOUBLE:
        if (wireType !== FIXED64) return UNUSUAL;
        doubleValue = reader.double();
        break;
      case ANY_ARRAY:
        if (wireType !== LENGTH_DELIMITED) return UNUSUAL;
        arrayValue = toAttributeValue({ arrayValue: otlpMessages().arrayValue.decode(reader, reader.uint32()) });
        hasArray = true;
        break;
      case ANY_KVLIST:
        if (wireType !== LENGTH_DELIMITED) return UNUSUAL;
        // Decoded (and dropped) as the generated class decodes it: a malformed map fails alike.
        otlpMessages().keyValueList.decode(reader, reader.uint32());
        break;
      case ANY_BYTES:
        if (wireType !== LENGTH_DELIMITED) return UNUSUAL;
        reader.skip(reader.uint32());
        break;
      default:
        reader.skipType(wireType);
    }
  }
  if (reader.pos !== end) return UNUSUAL;
  if (stringValue !== undefined) return stringValue;
  if (boolValue !== undefined) return boolValue;
  if (intValue !== undefined) return intValue;
  if (doubleValue !== undefined) return doubleValue;
  return hasArray ? arrayValue : undefined;
}

const STRINGS_SLOTS = 1024;
const STRINGS_MAX_BYTES = 64;
/** Short strings read before, with their bytes, in slots by a hash of their bytes (one per slot). */
const stringBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(STRINGS_SLOTS).fill(undefined);
const strings: string[] = new Array<string>(STRINGS_SLOTS).fill('');

/**
 * A length-delimited string at the reader's position, as the runtime's `Reader.string` reads it.
 * Attribute keys and most values (operation, provider and model names) repeat from span to span: a
 * string of at most 64 bytes read before from the same bytes is returned again (the runtime's own
 * result for those bytes then), without decoding or allocating.
 */
export function readString(reader: ProtoReader): string {
  const at = reader.pos;
  const length = reader.uint32();
  const start = reader.pos;
  const buf = reader.buf;
  if (length === 0 || length > STRINGS_MAX_BYTES || start + length > reader.len) {
    reader.pos = at;
    return reader.string();
  }
  const end = start + length;
  const slot = (length * 31 + buf[start] * 7 + buf[end - 1] * 131 + buf[start + (length >>> 1)] * 17) & (STRINGS_SLOTS - 1);
  const known = stringBytes[slot];
  if (known !== undefined && known.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (known[i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      reader.pos = end;
      return strings[slot];
    }
  }
  reader.pos = at;
  const value = reader.string();
  // A copy of its own (not a view of a pooled slab the cache would keep alive).
  stringBytes[slot] = new Uint8Array(buf.subarray(start, end));
  strings[slot] = value;
  return value;
}

/**
 * An `int64` varint as a number, as {@link int64ToNumber} reads the runtime's 64-bit value: one
 * that ends within its first four bytes (below 2^28, every token count) is read as a `uint32`,
 * the same number without the 64-bit objects; any other through the runtime's `int64`.
 */
function readInt64(reader: ProtoReader): number {
  const buf = reader.buf;
  const p = reader.pos;
  if (p + 4 <= reader.len && (buf[p] < 128 || buf[p + 1] < 128 || buf[p + 2] < 128 || buf[p + 3] < 128)) return reader.uint32();
  return int64ToNumber(reader.int64());
}

/**
 * An attribute as an OTLP `KeyValue`, the way the OpenTelemetry JS OTLP exporters write it
 * (integers as `intValue`, other numbers as `doubleValue`), so that a span the stage prices reads
 * the same as one the hook priced.
 */
export function toKeyValue(key: string, value: AttributeValue): KeyValueMessage {
  return { key, value: toAnyValue(value) };
}

function toAnyValue(value: AttributeValue): AnyValueMessage {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
  const values: AnyValueMessage[] = [];
  for (const item of value as ReadonlyArray<unknown>) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') values.push(toAnyValue(item));
  }
  return { arrayValue: { values } };
}

function present<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

/** `Span.attributes` (field 9), length-delimited. */
const SPAN_ATTRIBUTES_TAG = (9 << 3) | 2;
/** `KeyValue.value` (field 2), length-delimited. */
const KEY_VALUE_VALUE_TAG = (2 << 3) | 2;
/** `AnyValue.int_value` (field 3), varint. */
const ANY_VALUE_INT_TAG = (3 << 3) | 0;
/** `AnyValue.double_value` (field 4), 64-bit. */
const ANY_VALUE_DOUBLE_TAG = (4 << 3) | 1;

/**
 * Encoded `Span.attributes` entries, appended one after another into one reusable buffer: the
 * attributes the stage adds to the spans of one request. Numbers are written straight into the
 * buffer (a finite double as `doubleValue`, a non-negative safe integer as `intValue`, the bytes the
 * generated `Span` class writes for them, with the key's field encoded by that class once per key);
 * any other value is encoded by the generated class. Synchronous use only: the bytes are valid
 * until the next {@link reset}.
 */
export class AttributeBytes {
  private buf: Buffer;
  /** Offset just past the last entry. */
  pos = 0;

  constructor(private readonly initialSize = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Starts over; a buffer grown past 4 times its initial size for a large request is let go. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > 4 * this.initialSize) this.buf = Buffer.allocUnsafe(this.initialSize);
  }

  /** Copies `[start, end)` of the entries to `out` at `at`; returns the offset after them. */
  copyTo(out: Buffer, at: number, start: number, end: number): number {
    return at + this.buf.copy(out, at, start, end);
  }

  /** Appends bytes encoded elsewhere (whole `Span.attributes` entries). */
  appendEncoded(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Appends the entry of one attribute, written as {@link toKeyValue} maps it. */
  append(key: string, value: AttributeValue): void {
    if (typeof value === 'number' && Number.isFinite(value)) {
      const keyField = keyFieldOf(key);
      if (!Number.isInteger(value)) {
        const anyLength = 9;
        const entry = keyField.length + 2 + anyLength;
        this.reserve(1 + varintLength(entry) + entry);
        let pos = writeVarint(this.buf, this.pos, SPAN_ATTRIBUTES_TAG);
        pos = writeVarint(this.buf, pos, entry);
        this.buf.set(keyField, pos);
        pos += keyField.length;
        this.buf[pos++] = KEY_VALUE_VALUE_TAG;
        this.buf[pos++] = anyLength;
        this.buf[pos++] = ANY_VALUE_DOUBLE_TAG;
        this.pos = this.buf.writeDoubleLE(value, pos);
        return;
      }
      if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) {
        // -0 is an integer too: written as 0, as the runtime's int64 writes it.
        const int = value === 0 ? 0 : value;
        const anyLength = 1 + varintLength(int);
        const entry = keyField.length + 1 + varintLength(anyLength) + anyLength;
        this.reserve(1 + varintLength(entry) + entry);
        let pos = writeVarint(this.buf, this.pos, SPAN_ATTRIBUTES_TAG);
        pos = writeVarint(this.buf, pos, entry);
        this.buf.set(keyField, pos);
        pos += keyField.length;
        pos = writeVarint(this.buf, pos, KEY_VALUE_VALUE_TAG);
        pos = writeVarint(this.buf, pos, anyLength);
        pos = writeVarint(this.buf, pos, ANY_VALUE_INT_TAG);
        this.pos = writeVarint(this.buf, pos, int);
        return;
      }
    }
    this.appendEncoded(
      otlpMessages()
        .span.encode({ attributes: [toKeyValue(key, value)] })
        .finish(),
    );
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

const KEY_FIELDS_LIMIT = 256;
/** `KeyValue.key` fields (tag, length, UTF-8 bytes) as the generated class encodes them, by key. */
const keyFields = new Map<string, Uint8Array>();

function keyFieldOf(key: string): Uint8Array {
  const hit = keyFields.get(key);
  if (hit !== undefined) return hit;
  const bytes = otlpMessages().keyValue.encode({ key }).finish();
  if (keyFields.size < KEY_FIELDS_LIMIT) keyFields.set(key, bytes);
  return bytes;
}
