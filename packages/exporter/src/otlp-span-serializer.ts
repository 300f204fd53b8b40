import { diag, type Attributes, type HrTime, type Link, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { decodeTraceServiceResponse } from './otlp-trace-response';

export { decodeTraceServiceResponse, type TracePartialSuccess, type TraceServiceResponse } from './otlp-trace-response';

/**
 * `@tokenomics/exporter/otlp-span-serializer`: an OTLP http/protobuf span serializer for the OTLP
 * trace exporters of `@opentelemetry/otlp-exporter-base` (see {@link fastTraceSerializer}).
 * A subpath of its own, so that only a process that exports spans over http/protobuf loads it.
 *
 * @packageDocumentation
 */

/*
 * The OTLP http/protobuf encoding of a batch of spans (`ExportTraceServiceRequest`), byte for byte
 * what `ProtobufTraceSerializer.serializeRequest` of `@opentelemetry/otlp-transformer` 0.223 writes
 * for the same spans: the same grouping by resource and scope (by identity, in first-seen order),
 * the same fields in the same order, the same choice between int and double values and the same
 * treatment of empty and missing values. It is faster because it does less per attribute:
 *
 * - one pass into one buffer: each nested message gets a length slot sized for its usual length,
 *   and the rare message that needs a longer (or shorter) length moves its bytes once;
 * - an attribute name is encoded to UTF-8 once and then copied as bytes, and so is a short string
 *   value that keeps coming back under the same name (model, provider, operation, units): the whole
 *   `KeyValue` message is copied. Both caches are bounded (see the limits below); a name or value
 *   outside them is encoded as it comes;
 * - a span's attributes come in the order its instrumentation set them, the same span after span: a
 *   name and value at the same position as in the last span (compared with `===`, strings, numbers
 *   and booleans only) are copied as the bytes written for them then, without a look-up, and a run of
 *   such attributes that was the same in the last span is copied at once;
 * - a trace id is decoded from hex by one native call.
 *
 * A batch that this code cannot encode (a span of another shape that makes it throw) is handed to
 * the official serializer, which then gives its own answer or error for it. Responses are read by
 * `otlp-trace-response.ts`, so that a process exporting spans never loads the official one.
 */

/** Most attribute names kept encoded; the cache starts over when it is full. */
export const MAX_CACHED_KEYS = 256;
/** Most `KeyValue` messages (name and string value) kept encoded, over all names. */
export const MAX_CACHED_VALUES = 512;
/** Most values kept encoded for one name. */
const MAX_VALUES_PER_KEY = 8;
/** A name whose values missed the full per-name cache this many times has values that do not repeat. */
const MAX_VALUE_MISSES = 64;
/** Longest name (UTF-16 units) kept encoded. */
const MAX_KEY_CHARS = 128;
/** Longest string value (UTF-16 units) kept encoded. */
const MAX_VALUE_CHARS = 48;

interface KeyEntry {
  /** `KeyValue.key` (tag, length, UTF-8) followed by the tag of `KeyValue.value`. */
  readonly prefix: Uint8Array;
  /** `KeyValue` messages for string values seen under this name; `undefined` once they stop repeating. */
  values: Map<string, Uint8Array> | undefined;
  misses: number;
}

const keyCache = new Map<string, KeyEntry>();
let cachedValues = 0;

/** How much the caches hold: for tests of their bounds. */
export function serializerCacheSize(): { keys: number; values: number } {
  return { keys: keyCache.size, values: cachedValues };
}

/** Empties the caches: for tests. */
export function clearSerializerCache(): void {
  clearKeyCache();
  slots.length = 0;
}

/**
 * Starts the name cache (and the values under its names) over. The span attribute positions keep the
 * entries they hold (still right for their names) and may be in the middle of a span: they stay.
 */
function clearKeyCache(): void {
  keyCache.clear();
  cachedValues = 0;
}

interface Utf8WritingBuffer extends Buffer {
  utf8Write?(value: string, offset: number): number;
  hexWrite?(value: string, offset: number, length: number): number;
}

const EMPTY: Utf8WritingBuffer = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);

// The writer: one batch is encoded at a time (the encoding is synchronous), into `buf` at `pos`.
let buf: Utf8WritingBuffer = EMPTY;
let view = EMPTY_VIEW;
let pos = 0;
/** Bytes per span of the last batch, for sizing the next one's buffer. */
let bytesPerSpan = 1_280;
/** Most bytes set aside for a batch before it is written: a larger one grows its buffer as it goes. */
const MAX_FIRST_ALLOCATION = 1 << 20;
/** Bounds of the bytes per span used for sizing, whatever the last batch held. */
const MIN_BYTES_PER_SPAN = 64;
const MAX_BYTES_PER_SPAN = 16 << 10;

const nativeUtf8Write = typeof (Buffer.prototype as Utf8WritingBuffer).utf8Write === 'function';
const nativeHexWrite = typeof (Buffer.prototype as Utf8WritingBuffer).hexWrite === 'function';
/** Fewest bytes of a hex id decoded by one native call: below it, the loop over the digits is cheaper. */
const MIN_NATIVE_HEX_BYTES = 16;

/** Writes `value` as UTF-8 at `offset` (room for 3 bytes per UTF-16 unit assured); returns the byte count. */
function utf8At(value: string, offset: number): number {
  return nativeUtf8Write ? buf.utf8Write!(value, offset) : buf.write(value, offset, 'utf8');
}

function allocate(size: number): void {
  buf = Buffer.allocUnsafe(size);
  view = new DataView(buf.buffer, buf.byteOffset, buf.length);
}

function ensure(room: number): void {
  if (pos + room > buf.length) grow(room);
}

function grow(room: number): void {
  let size = Math.max(buf.length * 2, 1_024);
  while (size < pos + room) size *= 2;
  const old = buf;
  allocate(size);
  old.copy(buf, 0, 0, pos);
}

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/**
 * A varint of any number as the official writer encodes it: integers of 32 bits directly, others
 * (negative, larger, or not a number at all) through their low and high 32-bit halves.
 * Room for 10 bytes must be assured.
 */
function varint(value: number): void {
  if (value >= 0 && value <= 0xffffffff) {
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    return;
  }
  let low: number;
  let high: number;
  if (value >= 0) {
    low = value >>> 0;
    high = (value / 0x100000000) >>> 0;
  } else {
    const abs = Math.abs(value);
    low = ~(abs >>> 0) >>> 0;
    high = ~((abs / 0x100000000) >>> 0) >>> 0;
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
  }
  while (high > 0 || low > 0x7f) {
    buf[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  buf[pos++] = low & 0x7f;
}

/** A one-byte tag followed by a varint. */
function tagged(tag: number, value: number): void {
  ensure(11);
  buf[pos++] = tag;
  varint(value);
}

/** Reserves `size` bytes for the length of the message that starts after them; returns where. */
function openLength(size: number): number {
  ensure(size);
  const at = pos;
  pos += size;
  return at;
}

/** Writes the length of the message opened at `at` with `reserved` bytes, moving it if it needs another number of bytes. */
function closeLength(at: number, reserved: number): void {
  const length = pos - at - reserved;
  const size = varintSize(length);
  if (size !== reserved) {
    if (size > reserved) ensure(size - reserved);
    buf.copyWithin(at + size, at + reserved, pos);
    pos += size - reserved;
  }
  let v = length;
  while (v > 0x7f) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at] = v;
}

/** A length-delimited UTF-8 string (no tag). */
function string(value: string): void {
  const n = value.length;
  if (n <= 42) {
    // At most 126 bytes: a one-byte length.
    ensure(n * 3 + 1);
    const start = pos;
    let p = start + 1;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0x80) {
        p = start + 1 + utf8At(value, start + 1);
        break;
      }
      buf[p++] = c;
    }
    buf[start] = p - start - 1;
    pos = p;
    return;
  }
  ensure(n * 3 + 5);
  const guess = varintSize(n);
  const written = utf8At(value, pos + guess);
  const size = varintSize(written);
  if (size !== guess) buf.copyWithin(pos + size, pos + guess, pos + guess + written);
  let v = written;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  pos += written;
}

/** A one-byte tag and a string. */
function taggedString(tag: number, value: string): void {
  ensure(1);
  buf[pos++] = tag;
  string(value);
}

function copy(bytes: Uint8Array): void {
  const n = bytes.length;
  ensure(n);
  // One native copy: cheaper than a loop over the bytes even for a few dozen of them.
  buf.set(bytes, pos);
  pos += n;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

/** {@link hexDigit} of the codes below 128, looked up instead of compared. */
const HEX_DIGITS = Int8Array.from({ length: 128 }, (_, code) => hexDigit(code));

function hexValue(code: number): number {
  return code < 128 ? HEX_DIGITS[code]! : hexDigit(code);
}

/** A one-byte tag and the bytes a hex id stands for. */
function taggedHexId(tag: number, hex: string): void {
  const n = hex.length;
  if ((n & 1) !== 0) throw new RangeError('odd-length hex id');
  const bytes = n >>> 1;
  ensure(bytes + 6);
  buf[pos++] = tag;
  if (bytes < 0x80) buf[pos++] = bytes;
  else varint(bytes);
  // A trace id in one native call; it stops at a pair that is not hex, and then the loop below writes
  // what the official writer writes for such a pair.
  if (bytes >= MIN_NATIVE_HEX_BYTES && nativeHexWrite && buf.hexWrite!(hex, pos, bytes) === bytes) {
    pos += bytes;
    return;
  }
  let p = pos;
  for (let i = 0; i < n; i += 2) buf[p++] = (hexValue(hex.charCodeAt(i)) << 4) | hexValue(hex.charCodeAt(i + 1));
  pos = p;
}

/** A one-byte tag and an `HrTime` as nanoseconds in a fixed64, with the official writer's arithmetic. */
function taggedTime(tag: number, time: HrTime): void {
  const seconds = time[0];
  const nanos = time[1];
  const lowerSeconds = seconds & 0xffff;
  const upperSeconds = (seconds / 0x10000) >>> 0;
  const fromLower = lowerSeconds * 1_000_000_000;
  const fromUpper = upperSeconds * 1_000_000_000;
  const lowSum = (fromLower >>> 0) + (((fromUpper & 0xffff) * 0x10000) >>> 0) + nanos;
  const low = lowSum >>> 0;
  const high = (Math.floor(fromLower / 0x100000000) + ((fromUpper / 0x10000) >>> 0) + Math.floor(lowSum / 0x100000000)) >>> 0;
  ensure(9);
  buf[pos++] = tag;
  fixed32(low);
  fixed32(high);
}

function fixed32(value: number): void {
  const v = value >>> 0;
  buf[pos++] = v & 0xff;
  buf[pos++] = (v >>> 8) & 0xff;
  buf[pos++] = (v >>> 16) & 0xff;
  buf[pos++] = (v >>> 24) & 0xff;
}

/** The tag of a `flags` field (one or two bytes), then the span flags in a fixed32. */
function spanFlags(tag: number, traceFlags: number, isRemote: boolean | undefined): void {
  let flags = (traceFlags & 0xff) | 0x100;
  if (isRemote) flags |= 0x200;
  ensure(6);
  if (tag > 0x7f) {
    buf[pos++] = (tag & 0x7f) | 0x80;
    buf[pos++] = tag >>> 7;
  } else {
    buf[pos++] = tag;
  }
  fixed32(flags);
}

const hasOwnProperty = Object.prototype.hasOwnProperty;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

function keyEntry(key: string): KeyEntry | undefined {
  const hit = keyCache.get(key);
  if (hit !== undefined || key.length > MAX_KEY_CHARS) return hit;
  if (keyCache.size >= MAX_CACHED_KEYS) clearKeyCache();
  const encoded = Buffer.from(key, 'utf8');
  const size = varintSize(encoded.length);
  const prefix = new Uint8Array(1 + size + encoded.length + 1);
  prefix[0] = 0x0a;
  prefix.set(encoded, varintInto(prefix, 1, encoded.length));
  prefix[prefix.length - 1] = 0x12;
  const entry: KeyEntry = { prefix, values: new Map(), misses: 0 };
  keyCache.set(key, entry);
  return entry;
}

/** Writes `v` as a varint into `bytes` at `at`; returns where it ends. */
function varintInto(bytes: Uint8Array, at: number, v: number): number {
  while (v > 0x7f) {
    bytes[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  bytes[at++] = v;
  return at;
}

/**
 * The whole `KeyValue` message, after its length, for a short string value under a cached name, when
 * it is (now) cached.
 */
function cachedKeyValue(entry: KeyEntry, value: string): Uint8Array | undefined {
  const values = entry.values;
  if (values === undefined || value.length > MAX_VALUE_CHARS) return undefined;
  const hit = values.get(value);
  if (hit !== undefined) return hit;
  if (values.size >= MAX_VALUES_PER_KEY || cachedValues >= MAX_CACHED_VALUES) {
    if (++entry.misses >= MAX_VALUE_MISSES) {
      cachedValues -= values.size;
      entry.values = undefined;
    }
    return undefined;
  }
  const encoded = Buffer.from(value, 'utf8');
  // The name's prefix, the AnyValue's length, its string tag, the string's length and UTF-8.
  const anyLength = 1 + varintSize(encoded.length) + encoded.length;
  const kvLength = entry.prefix.length + varintSize(anyLength) + anyLength;
  const bytes = new Uint8Array(varintSize(kvLength) + kvLength);
  let at = varintInto(bytes, 0, kvLength);
  bytes.set(entry.prefix, at);
  at = varintInto(bytes, at + entry.prefix.length, anyLength);
  bytes[at++] = 0x0a;
  at = varintInto(bytes, at, encoded.length);
  bytes.set(encoded, at);
  values.set(value, bytes);
  cachedValues++;
  return bytes;
}

/** Repeated `KeyValue` under the one-byte tag `tag`, in the order `for...in` gives own keys. */
function attributes(tag: number, attrs: Attributes): void {
  for (const key in attrs) {
    if (!hasOwnProperty.call(attrs, key)) continue;
    keyValue(tag, key, keyEntry(key), attrs[key]);
  }
}

/**
 * One `KeyValue` under the one-byte tag `tag`. Returns the cached bytes it copied (the message after
 * its length, see {@link cachedKeyValue}) when it copied them.
 */
function keyValue(tag: number, key: string, entry: KeyEntry | undefined, value: unknown): Uint8Array | undefined {
  if (entry !== undefined) {
    if (typeof value === 'string') {
      const whole = cachedKeyValue(entry, value);
      if (whole !== undefined) {
        ensure(1);
        buf[pos++] = tag;
        copy(whole);
        return whole;
      }
    } else if (typeof value === 'number' && numberKeyValue(tag, entry.prefix, value)) {
      return undefined;
    }
  }
  ensure(3);
  buf[pos++] = tag;
  const kv = openLength(1);
  if (entry !== undefined) {
    copy(entry.prefix);
  } else {
    taggedString(0x0a, key);
    ensure(1);
    buf[pos++] = 0x12;
  }
  const any = openLength(1);
  anyValue(value);
  closeLength(any, 1);
  closeLength(kv, 1);
  return undefined;
}

/**
 * What the span attributes at one position (in `for...in` order) held in the last span: spans of one
 * instrumentation set their attributes in the same order, and most values come back span after span.
 */
interface Slot {
  key: string;
  entry: KeyEntry | undefined;
  /** The last value (a string, number or boolean short enough to keep), or {@link NO_VALUE}. */
  value: unknown;
  /** The `KeyValue` for `value` after its tag (its length, then the message), once `value` came twice. */
  bytes: Uint8Array | undefined;
  /**
   * The slots' `bytes` of the last run of repeated attributes that began at this position, each
   * after its tag, as one array (`run`) and one by one (`runParts`, to tell that the run is the same).
   */
  run: Uint8Array | undefined;
  runParts: Uint8Array[] | undefined;
}

/** Most span attribute positions remembered. */
const MAX_SLOTS = 64;
/** Longest `KeyValue` (bytes) and string value (UTF-16 units) a slot keeps. */
const MAX_SLOT_BYTES = 256;
/** Longest run of repeated attributes (bytes) kept as one array. */
const MAX_RUN_BYTES = 4_096;
const NO_VALUE: unique symbol = Symbol('no value');
const slots: Slot[] = [];

/**
 * Writes the repeated attributes of slots `from` to `to` (excluded), each its tag and its `bytes`: as
 * one copy when the same run was written in the last span, else one by one, keeping the run.
 */
function writeRun(from: number, to: number): void {
  const first = slots[from]!;
  const count = to - from;
  const parts = first.runParts;
  if (parts !== undefined && parts.length === count) {
    let same = true;
    for (let k = 0; k < count; k++) {
      if (slots[from + k]!.bytes !== parts[k]) {
        same = false;
        break;
      }
    }
    if (same) {
      copy(first.run!);
      return;
    }
  }
  const start = pos;
  for (let k = from; k < to; k++) {
    const bytes = slots[k]!.bytes!;
    ensure(1);
    buf[pos++] = 0x4a;
    copy(bytes);
  }
  if (count > 1 && pos - start <= MAX_RUN_BYTES) {
    first.run = new Uint8Array(buf.subarray(start, pos));
    first.runParts = slots.slice(from, to).map((slot) => slot.bytes!);
  } else {
    first.run = undefined;
    first.runParts = undefined;
  }
}

/**
 * The attributes of a span: as {@link attributes}, but a name and value at the same position as in the
 * last span are copied as one run of bytes, without a look-up in the caches.
 */
function spanAttributes(attrs: Attributes): void {
  let i = 0;
  /** The first slot of the repeated attributes not written yet (they are written as one run), or -1. */
  let run = -1;
  for (const key in attrs) {
    if (!hasOwnProperty.call(attrs, key)) continue;
    const value = attrs[key];
    if (i >= MAX_SLOTS) {
      if (run >= 0) {
        writeRun(run, i);
        run = -1;
      }
      keyValue(0x4a, key, keyEntry(key), value);
      continue;
    }
    let slot = slots[i];
    if (slot === undefined) {
      slot = { key, entry: keyEntry(key), value: NO_VALUE, bytes: undefined, run: undefined, runParts: undefined };
      slots.push(slot);
    } else if (slot.key !== key) {
      slot.key = key;
      slot.entry = keyEntry(key);
      slot.value = NO_VALUE;
      slot.bytes = undefined;
    } else if (slot.value === value && slot.bytes !== undefined) {
      if (run < 0) run = i;
      i++;
      continue;
    }
    if (run >= 0) {
      writeRun(run, i);
      run = -1;
    }
    i++;
    const start = pos + 1;
    const whole = keyValue(0x4a, key, slot.entry, value);
    const type = typeof value;
    if (type !== 'string' && type !== 'number' && type !== 'boolean') {
      slot.value = NO_VALUE;
      slot.bytes = undefined;
    } else if (whole !== undefined) {
      slot.value = value;
      slot.bytes = whole;
    } else if (slot.value === value) {
      // The second time in a row: keep the bytes (once) for the spans that follow.
      // A copy: the batch's bytes may still move (a longer length before them) and belong to its request.
      if (pos - start <= MAX_SLOT_BYTES) slot.bytes = new Uint8Array(buf.subarray(start, pos));
    } else {
      slot.value = type === 'string' && (value as string).length > MAX_SLOT_BYTES ? NO_VALUE : value;
      slot.bytes = undefined;
    }
  }
  if (run >= 0) writeRun(run, i);
}

/**
 * A whole `KeyValue` for a number that is a double or an integer of 32 bits, whose lengths are known
 * before it is written; `false` (nothing written) for other integers.
 */
function numberKeyValue(tag: number, prefix: Uint8Array, value: number): boolean {
  let anyLength: number;
  if (!Number.isInteger(value)) anyLength = 9;
  else if (value >= 0 && value <= 0xffffffff) anyLength = 1 + varintSize(value >>> 0);
  else return false;
  const length = prefix.length + 1 + anyLength;
  ensure(length + 6);
  buf[pos++] = tag;
  varint(length);
  buf.set(prefix, pos);
  pos += prefix.length;
  buf[pos++] = anyLength;
  if (anyLength === 9) {
    doubleValue(value);
  } else {
    buf[pos++] = 0x18;
    varint(value);
  }
  return true;
}

/** `AnyValue.double_value` (field 4, fixed64); the caller has ensured 9 bytes. */
function doubleValue(n: number): void {
  buf[pos++] = 0x21;
  view.setFloat64(pos, n, true);
  pos += 8;
}

/** The fields of an `AnyValue` for an attribute value (nothing for a value of no supported type). */
function anyValue(value: unknown): void {
  const type = typeof value;
  if (type === 'string') {
    taggedString(0x0a, value as string);
  } else if (type === 'boolean') {
    ensure(2);
    buf[pos++] = 0x10;
    buf[pos++] = value ? 1 : 0;
  } else if (type === 'number') {
    const n = value as number;
    if (Number.isInteger(n) && n >= MIN_INT64 && n < MAX_INT64) {
      tagged(0x18, n);
    } else {
      ensure(9);
      doubleValue(n);
    }
  } else if (value instanceof Uint8Array) {
    ensure(11 + value.length);
    buf[pos++] = 0x3a;
    varint(value.length);
    buf.set(value, pos);
    pos += value.length;
  } else if (Array.isArray(value)) {
    ensure(1);
    buf[pos++] = 0x2a;
    const array = openLength(1);
    for (const item of value as unknown[]) {
      ensure(1);
      buf[pos++] = 0x0a;
      const at = openLength(1);
      anyValue(item);
      closeLength(at, 1);
    }
    closeLength(array, 1);
  } else if (type === 'object' && value !== null) {
    ensure(1);
    buf[pos++] = 0x32;
    const list = openLength(1);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      if (!hasOwnProperty.call(record, key)) continue;
      ensure(1);
      buf[pos++] = 0x0a;
      const kv = openLength(1);
      taggedString(0x0a, key);
      ensure(1);
      buf[pos++] = 0x12;
      const any = openLength(1);
      anyValue(record[key]);
      closeLength(any, 1);
      closeLength(kv, 1);
    }
    closeLength(list, 1);
  }
}

function event(e: TimedEvent): void {
  ensure(1);
  buf[pos++] = 0x5a;
  const at = openLength(1);
  taggedTime(0x09, e.time);
  taggedString(0x12, e.name);
  if (e.attributes) attributes(0x1a, e.attributes);
  tagged(0x20, e.droppedAttributesCount || 0);
  closeLength(at, 1);
}

function link(l: Link): void {
  ensure(1);
  buf[pos++] = 0x6a;
  const at = openLength(1);
  const context: SpanContext = l.context;
  taggedHexId(0x0a, context.traceId);
  taggedHexId(0x12, context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) taggedString(0x1a, traceState);
  if (l.attributes) attributes(0x22, l.attributes);
  tagged(0x28, l.droppedAttributesCount || 0);
  spanFlags(0x35, context.traceFlags, context.isRemote);
  closeLength(at, 1);
}

function span(s: ReadableSpan): void {
  ensure(1);
  buf[pos++] = 0x12;
  const at = openLength(2);
  const ctx = s.spanContext();
  taggedHexId(0x0a, ctx.traceId);
  taggedHexId(0x12, ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) taggedString(0x1a, traceState);
  const parent = s.parentSpanContext;
  if (parent?.spanId) taggedHexId(0x22, parent.spanId);
  taggedString(0x2a, s.name);
  // The API has no value for an unset kind; OTLP's kinds are the API's plus one.
  const kind = s.kind === null || s.kind === undefined ? 0 : s.kind + 1;
  if (kind !== 0) tagged(0x30, kind);
  taggedTime(0x39, s.startTime);
  taggedTime(0x41, s.endTime);
  if (s.attributes) spanAttributes(s.attributes);
  tagged(0x50, s.droppedAttributesCount);
  for (const e of s.events) event(e);
  tagged(0x60, s.droppedEventsCount);
  for (const l of s.links) link(l);
  tagged(0x70, s.droppedLinksCount);
  ensure(1);
  buf[pos++] = 0x7a;
  const status = openLength(1);
  if (s.status.message) taggedString(0x12, s.status.message);
  tagged(0x18, s.status.code);
  closeLength(status, 1);
  spanFlags((16 << 3) | 5, ctx.traceFlags, parent?.isRemote);
  closeLength(at, 2);
}

/** What the SDK's instrumentation scope may carry besides name, version and schema URL. */
interface Scope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

function scopeSpans(scope: Scope, spans: readonly ReadableSpan[]): void {
  ensure(1);
  buf[pos++] = 0x12;
  const at = openLength(3);
  ensure(1);
  buf[pos++] = 0x0a;
  const scopeAt = openLength(1);
  taggedString(0x0a, scope.name);
  if (scope.version) taggedString(0x12, scope.version);
  if (scope.attributes) attributes(0x1a, scope.attributes);
  if (scope.droppedAttributesCount) tagged(0x20, scope.droppedAttributesCount);
  closeLength(scopeAt, 1);
  for (const s of spans) span(s);
  if (scope.schemaUrl) taggedString(0x1a, scope.schemaUrl);
  closeLength(at, 3);
}

type Resource = ReadableSpan['resource'];

function resourceSpans(resource: Resource, scopes: Map<unknown, ReadableSpan[]>): void {
  ensure(1);
  buf[pos++] = 0x0a;
  const at = openLength(3);
  ensure(1);
  buf[pos++] = 0x0a;
  const resourceAt = openLength(2);
  const attrs = resource.attributes;
  if (attrs) attributes(0x0a, attrs);
  ensure(2);
  buf[pos++] = 0x10;
  buf[pos++] = 0;
  closeLength(resourceAt, 2);
  for (const spans of scopes.values()) scopeSpans((spans[0] as ReadableSpan).instrumentationScope as Scope, spans);
  if (resource.schemaUrl) taggedString(0x1a, resource.schemaUrl);
  closeLength(at, 3);
}

/**
 * The `ExportTraceServiceRequest` for `spans` in the protobuf encoding, identical to what
 * `ProtobufTraceSerializer.serializeRequest` of `@opentelemetry/otlp-transformer` 0.223 returns.
 * Throws what the encoding meets on a span it cannot read (the caller falls back then).
 */
export function serializeSpans(spans: readonly ReadableSpan[]): Uint8Array {
  const resources = new Map<Resource, Map<unknown, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = resources.get(s.resource);
    if (scopes === undefined) resources.set(s.resource, (scopes = new Map()));
    const records = scopes.get(s.instrumentationScope);
    if (records === undefined) scopes.set(s.instrumentationScope, [s]);
    else records.push(s);
  }
  allocate(Math.min(Math.ceil(spans.length * bytesPerSpan * 1.125) + 512, MAX_FIRST_ALLOCATION));
  pos = 0;
  try {
    for (const [resource, scopes] of resources) resourceSpans(resource, scopes);
    const out = new Uint8Array(buf.buffer, buf.byteOffset, pos);
    if (spans.length > 0) bytesPerSpan = Math.min(Math.max(Math.ceil(pos / spans.length), MIN_BYTES_PER_SPAN), MAX_BYTES_PER_SPAN);
    return out;
  } finally {
    // The batch's buffer belongs to the request now.
    buf = EMPTY;
    view = EMPTY_VIEW;
    pos = 0;
  }
}

/** The serializer interface of the OTLP exporters of `@opentelemetry/otlp-exporter-base`. */
export interface TraceSerializer {
  serializeRequest(request: ReadableSpan[]): Uint8Array | undefined;
  deserializeResponse(data: Uint8Array): unknown;
}

let fallbackReported = false;

/**
 * A serializer for the OTLP http/protobuf trace exporter: requests are encoded by
 * {@link serializeSpans}, responses (partial success) read by {@link decodeTraceServiceResponse}.
 * A batch {@link serializeSpans} cannot encode goes to `fallback` (reported once through `diag`),
 * which is then asked for, so that the official serializer is loaded only on that rare path.
 *
 * @param fallback - the official serializer (`ProtobufTraceSerializer` of
 *   `@opentelemetry/otlp-transformer`), or a function that loads it when first needed
 * @returns a serializer that writes the same bytes as the official one for every batch
 */
export function fastTraceSerializer(fallback: TraceSerializer | (() => TraceSerializer)): TraceSerializer {
  let official = typeof fallback === 'function' ? undefined : fallback;
  return {
    serializeRequest(request: ReadableSpan[]): Uint8Array | undefined {
      try {
        return serializeSpans(request);
      } catch (err) {
        if (!fallbackReported) {
          fallbackReported = true;
          diag.debug('@tokenomics/exporter: a span batch the OTLP serialiser could not encode goes to the official serializer', err);
        }
        official ??= (fallback as () => TraceSerializer)();
        return official.serializeRequest(request);
      }
    },
    deserializeResponse(data: Uint8Array): unknown {
      return decodeTraceServiceResponse(data);
    },
  };
}
