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
import { GEN_AI_ATTRIBUTE_PREFIX } from '@tokenomics/contract';
import type { GenAiCall, SpanCostEnricher } from '@tokenomics/exporter';
import { toAttributes, toKeyValue } from './attributes';
import * as N from './names';
import { int64ToNumber, otlpMessages, type KeyValueMessage, type ProtoReader, type SpanMessage } from './otlp-messages';
import { fieldsOf, messageFields, pushLengthDelimited, readerOf, type FieldRange } from './wire';

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
  readonly message: SpanMessage;
  readonly view: SpanView;
  depth: number;
  added?: Attributes;
}

/** A read-only span view of a decoded OTLP span: what the exporter's enricher reads. */
class SpanView {
  readonly attributes: Attributes;
  readonly instrumentationScope: { name: string; version?: string };
  readonly startTime: [number, number];
  readonly parentSpanContext: SpanContext | undefined;
  readonly name: string;
  readonly kind: number;
  private readonly context: SpanContext;

  constructor(
    message: SpanMessage,
    scopeName: string,
    readonly traceKey: string,
    readonly spanKey: string,
    readonly parentKey: string,
  ) {
    this.attributes = toAttributes(message.attributes);
    this.instrumentationScope = { name: scopeName };
    const nanos = int64ToNumber(message.startTimeUnixNano);
    const seconds = Math.floor(nanos / 1e9);
    this.startTime = [seconds, Math.max(0, Math.min(999_999_999, Math.round(nanos - seconds * 1e9)))];
    this.context = { traceId: traceKey, spanId: spanKey, traceFlags: 1 };
    this.parentSpanContext = parentKey === '' ? undefined : { traceId: traceKey, spanId: parentKey, traceFlags: 1 };
    this.name = message.name ?? '';
    this.kind = message.kind ?? 0;
  }

  spanContext(): SpanContext {
    return this.context;
  }
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
      let scopeName: string | undefined;
      for (const range of ssFields) {
        if (range.field !== SCOPE_SPANS_SPANS || range.wireType !== 2) continue;
        spanCount++;
        if (!mentionsGenAi(buf, range.contentStart, range.end)) continue;
        scopeName ??= decodeScopeName(reader, ssFields);
        const message = decodeAt(reader, range, m.span);
        const traceKey = hex(message.traceId);
        const view = new SpanView(message, scopeName, traceKey, hex(message.spanId), hex(message.parentSpanId));
        candidates.push({ resourceIndex: ri, scopeIndex: si, range, message, view, depth: 0 });
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
  orderChildrenFirst(candidates);
  const views = candidates.map((c) => c.view as unknown as ReadableSpanLike);
  const out = enricher.enrichAttributes(views);
  if (out === undefined) return result;

  const serviceNames = new Map<number, string | undefined>();
  const serviceOf = (ri: number) => {
    if (!serviceNames.has(ri)) serviceNames.set(ri, decodeServiceName(reader, resourceFields[ri]));
    return serviceNames.get(ri);
  };
  const changedSpans = new Map<number, Map<number, Map<number, Candidate>>>();
  for (const [i, enrichment] of out) {
    const c = candidates[i];
    const added = enrichment.attributes;
    let byScope = changedSpans.get(c.resourceIndex);
    if (byScope === undefined) changedSpans.set(c.resourceIndex, (byScope = new Map()));
    let bySpan = byScope.get(c.scopeIndex);
    if (bySpan === undefined) byScope.set(c.scopeIndex, (bySpan = new Map()));
    bySpan.set(c.range.start, c);

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
  if (changedSpans.size === 0) return result;

  const parts: Uint8Array[] = [];
  for (const range of top) {
    const ri = range.field === REQUEST_RESOURCE_SPANS && range.wireType === 2 ? resources.indexOf(range) : -1;
    const byScope = ri >= 0 ? changedSpans.get(ri) : undefined;
    if (byScope === undefined) {
      parts.push(buf.subarray(range.start, range.end));
      continue;
    }
    const rsParts: Uint8Array[] = [];
    const scopes = messageFields(resourceFields[ri], RESOURCE_SPANS_SCOPE_SPANS);
    for (const rsField of resourceFields[ri]) {
      const si = rsField.field === RESOURCE_SPANS_SCOPE_SPANS && rsField.wireType === 2 ? scopes.indexOf(rsField) : -1;
      const bySpan = si >= 0 ? byScope.get(si) : undefined;
      if (bySpan === undefined) {
        rsParts.push(buf.subarray(rsField.start, rsField.end));
        continue;
      }
      const ssParts: Uint8Array[] = [];
      for (const ssField of scopeFields[ri][si]) {
        const c = bySpan.get(ssField.start);
        if (c === undefined || c.added === undefined) ssParts.push(buf.subarray(ssField.start, ssField.end));
        else pushLengthDelimited(ssParts, SCOPE_SPANS_SPANS, spanBytes(buf, c, c.added));
      }
      pushLengthDelimited(rsParts, RESOURCE_SPANS_SCOPE_SPANS, ssParts);
    }
    pushLengthDelimited(parts, REQUEST_RESOURCE_SPANS, rsParts);
  }
  return { ...result, bytes: Buffer.concat(parts) };
}

/**
 * Attributes a priced span no longer carries: the mark of an earlier stage (the generated OTTL)
 * that left the call unpriced for this one.
 */
const STALE_ONCE_PRICED: ReadonlySet<string> = new Set([N.ATTR_TOKENOMICS_UNPRICED_REASON, N.ATTR_TOKENOMICS_UNPRICED]);

/**
 * The span's bytes with `added` attributes: appended, or the span re-encoded when a key is replaced
 * or an unpriced mark goes from a span now priced.
 */
function spanBytes(buf: Buffer, c: Candidate, added: Attributes): Uint8Array[] {
  const m = otlpMessages();
  const existing = c.message.attributes ?? [];
  const priced = typeof added[N.ATTR_GEN_AI_USAGE_COST_AMOUNT] === 'number';
  const dropped = (key: unknown) => typeof key === 'string' && (Object.hasOwn(added, key) || (priced && STALE_ONCE_PRICED.has(key)));
  let replaces = false;
  for (const kv of existing) {
    if (dropped(kv.key)) {
      replaces = true;
      break;
    }
  }
  if (!replaces) {
    const parts: Uint8Array[] = [buf.subarray(c.range.contentStart, c.range.end)];
    let numbers: KeyValueMessage[] | undefined;
    for (const key in added) {
      const value = added[key] as NonNullable<Attributes[string]>;
      if (typeof value === 'string' || typeof value === 'boolean') parts.push(encodedAttribute(key, value));
      else (numbers ??= []).push(toKeyValue(key, value));
    }
    // Figures differ from span to span: encoded together, in one message.
    if (numbers !== undefined) parts.push(m.span.encode({ attributes: numbers }).finish());
    return parts;
  }
  const extra = Object.keys(added).map((key) => toKeyValue(key, added[key] as NonNullable<Attributes[string]>));
  c.message.attributes = existing.filter((kv) => !dropped(kv.key)).concat(extra);
  return [m.span.encode(c.message).finish()];
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
    if (!key.startsWith(N.ATTR_TOKENOMICS_COST_PREFIX)) continue;
    const amount = added[key];
    if (typeof amount === 'number' && Number.isFinite(amount) && amount >= 0)
      out.set(key.slice(N.ATTR_TOKENOMICS_COST_PREFIX.length), amount);
  }
  return out;
}

/**
 * Depth of each candidate among the candidates of its trace; deepest first, stable otherwise. Each
 * depth is computed once (linear in the batch, whatever the shape of the trace), and a cycle of
 * untrusted parent ids ends the chain.
 */
function orderChildrenFirst(candidates: Candidate[]): void {
  if (candidates.length < 2) return;
  const byKey = new Map<string, Candidate>();
  for (const c of candidates) byKey.set(`${c.view.traceKey}/${c.view.spanKey}`, c);
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
      c = c.view.parentKey === '' ? undefined : byKey.get(`${c.view.traceKey}/${c.view.parentKey}`);
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
