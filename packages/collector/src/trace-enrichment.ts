/**
 * Prices the GenAI spans of one OTLP `ExportTraceServiceRequest` with the exporter's enrichment
 * (`SpanCostEnricher` from `@tokenomics/exporter`: the same readers, de-duplication and price book
 * calls as the exporter, so both price every span identically), and writes the request back.
 *
 * Bytes the stage does not change are forwarded as they came: resource blocks without a changed span
 * are copied whole, and a changed span keeps its original bytes with the cost attributes appended as
 * further `attributes` entries (a repeated protobuf field may be continued later in a message; the
 * receiver reads one attribute list). Only spans whose bytes mention a GenAI name are decoded.
 */
import type { Attributes, SpanContext } from '@opentelemetry/api';
import { GEN_AI_ATTRIBUTE_PREFIX } from '@tokenomics/contract/attributes';
import type { GenAiCall, SpanCostEnricher } from '@tokenomics/exporter';
import { AttributeBytes, readAttribute, readString, toAttributes, toKeyValue, UNUSUAL } from './attributes';
import * as N from './names';
import { int64ToNumber, otlpMessages, type ProtoReader, type SpanMessage } from './otlp-messages';
import { fieldsOf, messageFields, readerOf, varintLength, writeVarint, type FieldRange } from './wire';

type ReadableSpanLike = Parameters<SpanCostEnricher['enrich']>[0][number];

/** Field numbers from the OTLP trace protos. */
const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_RESOURCE = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const SCOPE_SPANS_SCOPE = 1;
const SCOPE_SPANS_SPANS = 2;

/**
 * Byte strings whose presence makes a span worth decoding: the attribute prefixes of every GenAI
 * dialect the exporter reads (semconv and OpenLLMetry `gen_ai.*`/`llm.*`, OpenInference `llm.*`,
 * the Vercel AI SDK's `ai.*`).
 */
const MARKERS = [GEN_AI_ATTRIBUTE_PREFIX, 'llm.', 'ai.usage.', 'ai.model.'].map((s) => Buffer.from(s, 'latin1'));

/** One priced call, for the cost metrics. */
export interface PricedCall {
  readonly serviceName: string | undefined;
  readonly call: GenAiCall;
  /** USD by billing unit, as written to the span. */
  readonly breakdown: ReadonlyMap<string, number>;
  /**
   * The span shows no cache counts and the model's cached input is priced differently: the input
   * figure (priced uncached, an upper bound) might not equal the bill, so it is counted estimated.
   */
  readonly cacheShareUnknown: boolean;
}

/** One unpriced call, for the unpriced-calls metric. */
export interface UnpricedCall {
  readonly serviceName: string | undefined;
  readonly attributes: Attributes;
  readonly reason: string;
}

/** What enriching one request did. */
export interface TraceEnrichment {
  /** The request to forward: the input itself when nothing changed. */
  readonly bytes: Uint8Array;
  readonly spans: number;
  readonly enriched: number;
  readonly unpriced: number;
  readonly duplicates: number;
  readonly priced: readonly PricedCall[];
  readonly unpricedCalls: readonly UnpricedCall[];
}

interface Candidate {
  readonly resourceIndex: number;
  readonly scopeIndex: number;
  readonly range: FieldRange;
  readonly view: SpanView;
  depth: number;
  added?: Attributes;
  /** When written: the span's new content length, and where its added attributes are. */
  length: number;
  addedStart: number;
  addedEnd: number;
  /** When written: the span re-encoded (a key replaced), instead of its bytes plus the added ones. */
  replacement?: Uint8Array;
}

/**
 * A read-only span view of an OTLP span: what the exporter's enricher reads. It is its own span
 * context (trace id, span id, flags), so a span is one object more, not two.
 */
class SpanView implements SpanContext {
  readonly startTime: [number, number];
  readonly parentSpanContext: SpanContext | undefined;
  readonly traceFlags = 1;

  constructor(
    readonly attributes: Attributes,
    /** Keys of entries the attributes leave out (no usable value); they still count as present. */
    readonly keysWithoutValue: readonly string[] | undefined,
    readonly instrumentationScope: { readonly name: string },
    startNanos: number,
    readonly traceKey: string,
    readonly spanKey: string,
    readonly parentKey: string,
    readonly name: string,
    readonly kind: number,
  ) {
    const seconds = Math.floor(startNanos / 1e9);
    this.startTime = [seconds, Math.max(0, Math.min(999_999_999, Math.round(startNanos - seconds * 1e9)))];
    this.parentSpanContext = parentKey === '' ? undefined : { traceId: traceKey, spanId: parentKey, traceFlags: 1 };
  }

  get traceId(): string {
    return this.traceKey;
  }

  get spanId(): string {
    return this.spanKey;
  }

  spanContext(): SpanContext {
    return this;
  }

  /** Whether the span holds an attribute entry of `key` (with a usable value or not). */
  hasKey(key: string): boolean {
    return Object.hasOwn(this.attributes, key) || (this.keysWithoutValue !== undefined && this.keysWithoutValue.includes(key));
  }
}

/** `Span` field numbers, and the wire type each is declared with. */
const SPAN_TRACE_ID = 1;
const SPAN_SPAN_ID = 2;
const SPAN_PARENT_SPAN_ID = 4;
const SPAN_NAME = 5;
const SPAN_KIND = 6;
const SPAN_START_TIME = 7;
const SPAN_ATTRIBUTES = 9;
const SPAN_WIRE_TYPES: readonly number[] = [-1, 2, 2, 2, 2, 2, 0, 1, 1, 2, 0, 2, 0, 2, 0, 2, 5];

/**
 * The view of the span at `range`, read field by field with the runtime's `Reader`: ids, name,
 * kind, start time and attributes; events, links and status are skipped unread. Reads what the
 * generated `Span` class decodes from the same bytes (then {@link toAttributes}); `undefined` when a
 * field is not in the shape that class reads alike (a declared field with another wire type, an
 * entry that overruns) or the bytes do not read: the caller then decodes the span with the class.
 */
function readSpan(reader: ProtoReader, range: FieldRange, scope: { readonly name: string }): SpanView | undefined {
  try {
    return readSpanFields(reader, range, scope);
  } catch {
    return undefined;
  }
}

function readSpanFields(reader: ProtoReader, range: FieldRange, scope: { readonly name: string }): SpanView | undefined {
  const buf = reader.buf as Buffer;
  const end = range.end;
  reader.pos = range.contentStart;
  let traceStart = 0;
  let traceEnd = 0;
  let spanStart = 0;
  let spanEnd = 0;
  let parentStart = 0;
  let parentEnd = 0;
  let name = '';
  let kind = 0;
  let startNanos = 0;
  const attributes: Attributes = {};
  let keysWithoutValue: string[] | undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field < SPAN_WIRE_TYPES.length && field > 0 && SPAN_WIRE_TYPES[field] !== wireType) return undefined;
    switch (field) {
      case SPAN_TRACE_ID:
        traceEnd = reader.uint32() + (traceStart = reader.pos);
        reader.skip(traceEnd - traceStart);
        break;
      case SPAN_SPAN_ID:
        spanEnd = reader.uint32() + (spanStart = reader.pos);
        reader.skip(spanEnd - spanStart);
        break;
      case SPAN_PARENT_SPAN_ID:
        parentEnd = reader.uint32() + (parentStart = reader.pos);
        reader.skip(parentEnd - parentStart);
        break;
      case SPAN_NAME:
        name = readString(reader);
        break;
      case SPAN_KIND:
        kind = reader.int32();
        break;
      case SPAN_START_TIME: {
        // fixed64, unsigned: what int64ToNumber makes of the runtime's value.
        const low = reader.fixed32();
        startNanos = low + reader.fixed32() * 4294967296;
        break;
      }
      case SPAN_ATTRIBUTES: {
        const left = readAttribute(reader, reader.uint32(), attributes);
        if (left === UNUSUAL) return undefined;
        if (left !== undefined) (keysWithoutValue ??= []).push(left);
        break;
      }
      default:
        reader.skipType(wireType);
    }
  }
  if (reader.pos !== end) return undefined;
  const traceKey = traceEnd > traceStart ? buf.toString('hex', traceStart, traceEnd) : '';
  return new SpanView(
    attributes,
    keysWithoutValue,
    scope,
    startNanos,
    traceKey,
    spanEnd > spanStart ? buf.toString('hex', spanStart, spanEnd) : '',
    parentEnd > parentStart ? buf.toString('hex', parentStart, parentEnd) : '',
    name,
    kind,
  );
}

/** The view of a span decoded by the generated `Span` class (for spans {@link readSpan} leaves). */
function viewOfMessage(message: SpanMessage, scope: { readonly name: string }): SpanView {
  let keysWithoutValue: string[] | undefined;
  const attributes = toAttributes(message.attributes);
  for (const kv of message.attributes ?? []) {
    if (typeof kv.key === 'string' && kv.key !== '' && !Object.hasOwn(attributes, kv.key)) (keysWithoutValue ??= []).push(kv.key);
  }
  return new SpanView(
    attributes,
    keysWithoutValue,
    scope,
    int64ToNumber(message.startTimeUnixNano),
    hex(message.traceId),
    hex(message.spanId),
    hex(message.parentSpanId),
    message.name ?? '',
    message.kind ?? 0,
  );
}

/**
 * Enriches the traces of one request. Throws when the request is not well-framed protobuf (the
 * caller answers 400); never changes a span it cannot read. A priced call whose span shows no cache
 * count while the model's cached input is priced differently is flagged estimated by the enricher
 * (`SpanEnrichment.cacheShareUnknown`, the exporter's one rule), and its input counters with it, as
 * the histogram conversion flags the same figure.
 */
export function enrichTraces(body: Uint8Array, enricher: SpanCostEnricher): TraceEnrichment {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const m = otlpMessages();
  const reader = readerOf(buf);
  const top = fieldsOf(reader, 0, buf.length);
  const resources = messageFields(top, REQUEST_RESOURCE_SPANS);
  const resourceFields: FieldRange[][] = [];
  const scopeFields: FieldRange[][][] = [];
  const candidates: Candidate[] = [];
  let spanCount = 0;

  for (let ri = 0; ri < resources.length; ri++) {
    const rsFields = fieldsOf(reader, resources[ri].contentStart, resources[ri].end);
    resourceFields.push(rsFields);
    const scopes = messageFields(rsFields, RESOURCE_SPANS_SCOPE_SPANS);
    const perScope: FieldRange[][] = [];
    scopeFields.push(perScope);
    for (let si = 0; si < scopes.length; si++) {
      const ssFields = fieldsOf(reader, scopes[si].contentStart, scopes[si].end);
      perScope.push(ssFields);
      let scope: { readonly name: string } | undefined;
      for (const range of ssFields) {
        if (range.field !== SCOPE_SPANS_SPANS || range.wireType !== 2) continue;
        spanCount++;
        if (!mentionsGenAi(buf, range.contentStart, range.end)) continue;
        // One scope object for the spans of a scope: the enricher reads its name only.
        scope ??= { name: decodeScopeName(reader, ssFields) };
        const view = readSpan(reader, range, scope) ?? viewOfMessage(decodeAt(reader, range, m.span), scope);
        candidates.push({ resourceIndex: ri, scopeIndex: si, range, view, depth: 0, length: 0, addedStart: 0, addedEnd: 0 });
      }
    }
  }

  const result = {
    bytes: body,
    spans: spanCount,
    enriched: 0,
    unpriced: 0,
    duplicates: 0,
    priced: [] as PricedCall[],
    unpricedCalls: [] as UnpricedCall[],
  };
  if (candidates.length === 0) return result;

  // Children before parents: a framework span and the client span inside it describe one call,
  // and the lowest span (the client's) is the one that carries the cost.
  const inDocumentOrder = candidates.slice();
  orderChildrenFirst(candidates);
  const views = candidates.map((c) => c.view as unknown as ReadableSpanLike);
  const out = enricher.enrichAttributes(views);
  if (out === undefined) return result;

  const serviceNames = new Map<number, string | undefined>();
  const serviceOf = (ri: number) => {
    if (!serviceNames.has(ri)) serviceNames.set(ri, decodeServiceName(reader, resourceFields[ri]));
    return serviceNames.get(ri);
  };
  /** Per resource, per scope: whether a span of it changes. */
  const changedScopes: (boolean[] | undefined)[] = [];
  for (const [i, enrichment] of out) {
    const c = candidates[i];
    const added = enrichment.attributes;
    (changedScopes[c.resourceIndex] ??= [])[c.scopeIndex] = true;

    if (typeof added[N.ATTR_GEN_AI_USAGE_COST_AMOUNT] === 'number') {
      result.enriched++;
      if (enrichment.call !== undefined) {
        const cacheShareUnknown = enrichment.cacheShareUnknown === true;
        result.priced.push({
          serviceName: serviceOf(c.resourceIndex),
          call: enrichment.call,
          breakdown: breakdownOf(added),
          cacheShareUnknown,
        });
      }
    } else if (added[N.ATTR_TOKENOMICS_UNPRICED] === true) {
      result.unpriced++;
      result.unpricedCalls.push({
        serviceName: serviceOf(c.resourceIndex),
        attributes: c.view.attributes,
        reason: String(added[N.ATTR_TOKENOMICS_UNPRICED_REASON] ?? 'unknown'),
      });
    } else if (added[N.ATTR_TOKENOMICS_DUPLICATE_OF] !== undefined) {
      result.duplicates++;
    }
    c.added = added;
  }
  if (changedScopes.length === 0) return result;
  return { ...result, bytes: rewrite(buf, reader, top, resourceFields, scopeFields, inDocumentOrder, changedScopes) };
}

/** The added attributes of the spans of the request being written, reused from request to request. */
const addedBytes = new AttributeBytes();

/**
 * The request with each changed span's attributes added: the new bytes are measured first and
 * written into one buffer, every unchanged byte range copied as it came.
 */
function rewrite(
  buf: Buffer,
  reader: ProtoReader,
  top: readonly FieldRange[],
  resourceFields: readonly (readonly FieldRange[])[],
  scopeFields: readonly (readonly (readonly FieldRange[])[])[],
  inDocumentOrder: readonly Candidate[],
  changedScopes: readonly (readonly boolean[] | undefined)[],
): Buffer {
  addedBytes.reset();
  for (const c of inDocumentOrder) if (c.added !== undefined) spanBytes(reader, c, c.added);

  // Measure: each changed scope's and resource's new content length, in document order.
  const lengths: number[] = [];
  let total = 0;
  let k = 0;
  let ri = 0;
  for (const range of top) {
    if (range.field !== REQUEST_RESOURCE_SPANS || range.wireType !== 2) {
      total += range.end - range.start;
      continue;
    }
    const byScope = changedScopes[ri];
    if (byScope === undefined) {
      total += range.end - range.start;
      ri++;
      continue;
    }
    const rsAt = lengths.push(0) - 1;
    let rsLength = 0;
    let si = 0;
    for (const rsField of resourceFields[ri]) {
      if (rsField.field !== RESOURCE_SPANS_SCOPE_SPANS || rsField.wireType !== 2) {
        rsLength += rsField.end - rsField.start;
        continue;
      }
      if (byScope[si] !== true) {
        rsLength += rsField.end - rsField.start;
        si++;
        continue;
      }
      let ssLength = 0;
      for (const ssField of scopeFields[ri][si]) {
        while (k < inDocumentOrder.length && inDocumentOrder[k].range.start < ssField.start) k++;
        const c = k < inDocumentOrder.length && inDocumentOrder[k].range === ssField ? inDocumentOrder[k] : undefined;
        if (c === undefined || c.added === undefined) ssLength += ssField.end - ssField.start;
        else ssLength += 1 + varintLength(c.length) + c.length;
      }
      lengths.push(ssLength);
      rsLength += 1 + varintLength(ssLength) + ssLength;
      si++;
    }
    lengths[rsAt] = rsLength;
    total += 1 + varintLength(rsLength) + rsLength;
    ri++;
  }

  // Write, walking the request in the same order.
  const outBytes = Buffer.allocUnsafe(total);
  let pos = 0;
  let at = 0;
  k = 0;
  ri = 0;
  for (const range of top) {
    if (range.field !== REQUEST_RESOURCE_SPANS || range.wireType !== 2 || changedScopes[ri] === undefined) {
      pos += buf.copy(outBytes, pos, range.start, range.end);
      if (range.field === REQUEST_RESOURCE_SPANS && range.wireType === 2) ri++;
      continue;
    }
    const byScope = changedScopes[ri] as readonly boolean[];
    outBytes[pos++] = (REQUEST_RESOURCE_SPANS << 3) | 2;
    pos = writeVarint(outBytes, pos, lengths[at++]);
    let si = 0;
    for (const rsField of resourceFields[ri]) {
      const isScope = rsField.field === RESOURCE_SPANS_SCOPE_SPANS && rsField.wireType === 2;
      if (!isScope || byScope[si] !== true) {
        pos += buf.copy(outBytes, pos, rsField.start, rsField.end);
        if (isScope) si++;
        continue;
      }
      outBytes[pos++] = (RESOURCE_SPANS_SCOPE_SPANS << 3) | 2;
      pos = writeVarint(outBytes, pos, lengths[at++]);
      for (const ssField of scopeFields[ri][si]) {
        while (k < inDocumentOrder.length && inDocumentOrder[k].range.start < ssField.start) k++;
        const c = k < inDocumentOrder.length && inDocumentOrder[k].range === ssField ? inDocumentOrder[k] : undefined;
        if (c === undefined || c.added === undefined) {
          pos += buf.copy(outBytes, pos, ssField.start, ssField.end);
          continue;
        }
        outBytes[pos++] = (SCOPE_SPANS_SPANS << 3) | 2;
        pos = writeVarint(outBytes, pos, c.length);
        if (c.replacement !== undefined) {
          outBytes.set(c.replacement, pos);
          pos += c.replacement.length;
        } else {
          pos += buf.copy(outBytes, pos, c.range.contentStart, c.range.end);
          pos = addedBytes.copyTo(outBytes, pos, c.addedStart, c.addedEnd);
        }
      }
      si++;
    }
    ri++;
  }
  if (pos !== total) throw new Error(`@tokenomics/collector: wrote ${pos} bytes of ${total}`);
  return outBytes;
}

/**
 * Attributes a priced span no longer carries: the mark of an earlier stage (the generated OTTL)
 * that left the call unpriced for this one.
 */
const STALE_ONCE_PRICED: ReadonlySet<string> = new Set([N.ATTR_TOKENOMICS_UNPRICED_REASON, N.ATTR_TOKENOMICS_UNPRICED]);

/**
 * The span's new bytes with `added` attributes: appended (to {@link addedBytes}: strings and
 * booleans first, then the figures, each in the order of `added`), or the span re-encoded when a
 * key is replaced or an unpriced mark goes from a span now priced. Sets the candidate's length.
 */
function spanBytes(reader: ProtoReader, c: Candidate, added: Attributes): void {
  const priced = typeof added[N.ATTR_GEN_AI_USAGE_COST_AMOUNT] === 'number';
  let replaces = false;
  for (const key in added) {
    if (c.view.hasKey(key)) {
      replaces = true;
      break;
    }
  }
  if (!replaces && priced) for (const key of STALE_ONCE_PRICED) if (c.view.hasKey(key)) replaces = true;
  if (!replaces) {
    c.addedStart = addedBytes.pos;
    let numbers = false;
    for (const key in added) {
      const value = added[key] as NonNullable<Attributes[string]>;
      if (typeof value === 'string' || typeof value === 'boolean') addedBytes.appendEncoded(encodedAttribute(key, value));
      else numbers = true;
    }
    // Figures differ from span to span: written after the repeated values, as they always were.
    if (numbers) {
      for (const key in added) {
        const value = added[key] as NonNullable<Attributes[string]>;
        if (typeof value !== 'string' && typeof value !== 'boolean') addedBytes.append(key, value);
      }
    }
    c.addedEnd = addedBytes.pos;
    c.length = c.range.end - c.range.contentStart + (c.addedEnd - c.addedStart);
    return;
  }
  const m = otlpMessages();
  const message = decodeAt(reader, c.range, m.span);
  const dropped = (key: unknown) => typeof key === 'string' && (Object.hasOwn(added, key) || (priced && STALE_ONCE_PRICED.has(key)));
  const extra = Object.keys(added).map((key) => toKeyValue(key, added[key] as NonNullable<Attributes[string]>));
  message.attributes = (message.attributes ?? []).filter((kv) => !dropped(kv.key)).concat(extra);
  c.replacement = m.span.encode(message).finish();
  c.length = c.replacement.length;
}

/**
 * One attribute as a `Span.attributes` entry (field, length, KeyValue), encoded by the generated
 * `Span` class. String and boolean values repeat from span to span (price-book version, matched
 * model, currency, source, verdicts), so their encodings are kept, up to a bound.
 */
function encodedAttribute(key: string, value: string | boolean): Uint8Array {
  let byValue = encodedAttributes.get(key);
  if (byValue === undefined) {
    byValue = new Map();
    if (encodedAttributes.size < ENCODED_KEYS_LIMIT) encodedAttributes.set(key, byValue);
  }
  const hit = byValue.get(value);
  if (hit !== undefined) return hit;
  const bytes = otlpMessages()
    .span.encode({ attributes: [toKeyValue(key, value)] })
    .finish();
  if (byValue.size < ENCODED_VALUES_LIMIT) byValue.set(value, bytes);
  return bytes;
}

const ENCODED_KEYS_LIMIT = 64;
const ENCODED_VALUES_LIMIT = 512;
/** Encoded attribute entries by key, then by value; at most 64 x 512 small entries. */
const encodedAttributes = new Map<string, Map<string | boolean, Uint8Array>>();

function breakdownOf(added: Attributes): Map<string, number> {
  const out = new Map<string, number>();
  for (const key in added) {
    const unit = unitOf(key);
    if (unit === undefined) continue;
    const amount = added[key];
    if (typeof amount === 'number' && Number.isFinite(amount) && amount >= 0) out.set(unit, amount);
  }
  return out;
}

const UNITS_LIMIT = 256;
/** The billing unit of a `tokenomics.cost.<unit>` key, or `null` for other keys, by key. */
const units = new Map<string, string | null>();

function unitOf(key: string): string | undefined {
  let unit = units.get(key);
  if (unit === undefined) {
    unit = key.startsWith(N.ATTR_TOKENOMICS_COST_PREFIX) ? key.slice(N.ATTR_TOKENOMICS_COST_PREFIX.length) : null;
    if (units.size < UNITS_LIMIT) units.set(key, unit);
  }
  return unit ?? undefined;
}

/**
 * Depth of each candidate among the candidates of its trace; deepest first, stable otherwise. Each
 * depth is computed once (linear in the batch, whatever the shape of the trace), and a cycle of
 * untrusted parent ids ends the chain.
 */
function orderChildrenFirst(candidates: Candidate[]): void {
  if (candidates.length < 2) return;
  let parented = false;
  for (const c of candidates) if (c.view.parentKey !== '') parented = true;
  if (!parented) return;
  // By span id (the strings the spans already hold); by trace and span id only when two traces of
  // the batch share a span id. The latest of equal keys wins.
  let bySpanId = new Map<string, Candidate>();
  let byTrace = false;
  for (const c of candidates) {
    const same = bySpanId.get(c.view.spanKey);
    if (same !== undefined && same.view.traceKey !== c.view.traceKey) {
      byTrace = true;
      break;
    }
    bySpanId.set(c.view.spanKey, c);
  }
  if (byTrace) {
    bySpanId = new Map();
    for (const c of candidates) bySpanId.set(`${c.view.traceKey}/${c.view.spanKey}`, c);
  }
  const parentOf = (c: Candidate): Candidate | undefined => {
    if (byTrace) return bySpanId.get(`${c.view.traceKey}/${c.view.parentKey}`);
    const parent = bySpanId.get(c.view.parentKey);
    return parent !== undefined && parent.view.traceKey === c.view.traceKey ? parent : undefined;
  };
  const UNKNOWN = -1;
  const VISITING = -2;
  for (const c of candidates) c.depth = UNKNOWN;
  let nested = false;
  const chain: Candidate[] = [];
  for (const start of candidates) {
    if (start.depth !== UNKNOWN) continue;
    // Walk up until a span whose depth is known, a root, or a cycle; then assign on the way down.
    let c: Candidate | undefined = start;
    let base = 0;
    while (c !== undefined) {
      if (c.depth >= 0) {
        base = c.depth + 1;
        break;
      }
      if (c.depth === VISITING) break;
      c.depth = VISITING;
      chain.push(c);
      c = c.view.parentKey === '' ? undefined : parentOf(c);
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      chain[k].depth = base++;
      if (chain[k].depth > 0) nested = true;
    }
    chain.length = 0;
  }
  if (!nested) return;
  const indexed = candidates.map((c, i) => ({ c, i }));
  indexed.sort((a, b) => b.c.depth - a.c.depth || a.i - b.i);
  for (let i = 0; i < indexed.length; i++) candidates[i] = indexed[i].c;
}

function mentionsGenAi(buf: Buffer, start: number, end: number): boolean {
  const view = buf.subarray(start, end);
  for (const marker of MARKERS) if (view.indexOf(marker) !== -1) return true;
  return false;
}

function decodeAt<T>(reader: ProtoReader, range: FieldRange, type: { decode(r: ProtoReader, length?: number): T }): T {
  reader.pos = range.contentStart;
  return type.decode(reader, range.end - range.contentStart);
}

function decodeScopeName(reader: ProtoReader, ssFields: readonly FieldRange[]): string {
  const scope = ssFields.find((f) => f.field === SCOPE_SPANS_SCOPE && f.wireType === 2);
  if (scope === undefined) return '';
  const decoded = decodeAt(reader, scope, otlpMessages().scope);
  return typeof decoded.name === 'string' ? decoded.name : '';
}

function decodeServiceName(reader: ProtoReader, rsFields: readonly FieldRange[]): string | undefined {
  const range = rsFields.find((f) => f.field === RESOURCE_SPANS_RESOURCE && f.wireType === 2);
  if (range === undefined) return undefined;
  const resource = decodeAt(reader, range, otlpMessages().resource);
  const value = toAttributes(resource.attributes)[N.ATTR_SERVICE_NAME];
  return typeof value === 'string' ? value : undefined;
}

function hex(bytes: Uint8Array | null | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  if (Buffer.isBuffer(bytes)) return bytes.toString('hex');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
