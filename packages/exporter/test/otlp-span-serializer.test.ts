import { createRequire } from 'node:module';
import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  trace,
  type Attributes,
  type HrTime,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type TimedEvent,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_CACHED_KEYS,
  MAX_CACHED_VALUES,
  clearSerializerCache,
  fastTraceSerializer,
  serializeSpans,
  serializerCacheSize,
  type TraceSerializer,
} from '../src/otlp-span-serializer';

// The official serializer, of the `@opentelemetry/otlp-transformer` version the OTLP exporters of
// `@tokenomics/node` use (packages/node/test/otlp-span-exporter.test.ts checks that they agree).
const require = createRequire(import.meta.url);
const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer') as { ProtobufTraceSerializer: TraceSerializer };
const transformerVersion = (require('@opentelemetry/otlp-transformer/package.json') as { version: string }).version;

function official(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array);
}

function ours(spans: ReadableSpan[]): Buffer {
  return Buffer.from(serializeSpans(spans));
}

// --- Arbitrary spans -------------------------------------------------------------------------

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
/** Strings of every kind: ASCII, any code point, lone surrogates, long ones, empty. */
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary', minLength: 40, maxLength: 300 }),
  fc.string({ minLength: 120, maxLength: 20_000 }),
  fc.constantFrom(
    '',
    '\ud800',
    'a\udc00b',
    '\ud83d\ude00',
    'é'.repeat(43),
    '€'.repeat(42),
    '€'.repeat(43),
    '\ud800'.repeat(43),
    '😀'.repeat(22),
    'x'.repeat(127),
    'x'.repeat(128),
    'ü'.repeat(64),
  ),
);
/** A small pool of names and values, repeated across spans as a GenAI instrumentation repeats them. */
const POOL_KEYS = Array.from({ length: 30 }, (_, i) => `gen_ai.pool.key_${i}`);
const POOL_VALUES = ['openai', 'chat', 'gpt-4o-mini', 'USD', 'local', 'input', 'output', 'résumé', '', 'x'.repeat(48), 'y'.repeat(49)];
const key = fc.oneof(fc.constantFrom(...POOL_KEYS), anyString);
const integer = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -0, -1, 127, 128, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, 2 ** 62, -(2 ** 63), 2 ** 63, 2 ** 64, -(2 ** 64)),
);
const double = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0.5, -0.25, 1e308, Number.MIN_VALUE));
const primitive = fc.oneof(
  anyString,
  fc.constantFrom(...POOL_VALUES),
  fc.boolean(),
  integer,
  double,
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(null, undefined),
);
const { value: attributeValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.oneof(integer, double, fc.boolean()), { maxLength: 200 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
const attributes = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(key, attributeValue, { maxKeys: 30 }) },
  { weight: 1, arbitrary: fc.constant(undefined) },
) as fc.Arbitrary<Attributes | undefined>;
const hrTime = fc.tuple(fc.integer({ min: 0, max: 18_000_000_000 }), fc.integer({ min: 0, max: 999_999_999 })) as fc.Arbitrary<HrTime>;
const traceState = fc.option(fc.constantFrom('vendor=value', 'a=1,b=2', 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'), { nil: undefined });
const spanContext = fc.record({
  traceId: hex(16),
  spanId: hex(8),
  traceFlags: fc.constantFrom(TraceFlags.NONE, TraceFlags.SAMPLED, 0xff, 0x1ff),
  isRemote: fc.option(fc.boolean(), { nil: undefined }),
  traceState,
});

function toContext(c: {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote: boolean | undefined;
  traceState: string | undefined;
}): SpanContext {
  const out: SpanContext = { traceId: c.traceId, spanId: c.spanId, traceFlags: c.traceFlags };
  if (c.isRemote !== undefined) out.isRemote = c.isRemote;
  if (c.traceState !== undefined) out.traceState = new TraceState(c.traceState);
  return out;
}

const event = fc.record({ time: hrTime, name: anyString, attributes, droppedAttributesCount: fc.option(fc.nat(), { nil: undefined }) });
const link = fc.record({ context: spanContext, attributes, droppedAttributesCount: fc.option(fc.nat(), { nil: undefined }) });

const spanShape = fc.record({
  name: anyString,
  kind: fc.option(fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER), {
    nil: undefined,
  }),
  context: spanContext,
  parent: fc.option(spanContext, { nil: undefined }),
  startTime: hrTime,
  endTime: hrTime,
  attributes,
  events: fc.array(event, { maxLength: 3 }),
  links: fc.array(link, { maxLength: 3 }),
  status: fc.record({
    code: fc.constantFrom(SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR),
    message: fc.option(anyString, { nil: undefined }),
  }),
  dropped: fc.tuple(fc.nat(), fc.nat({ max: 300 }), fc.constantFrom(0, 1, 2 ** 31, 2 ** 33)),
  resource: fc.nat({ max: 2 }),
  scope: fc.nat({ max: 3 }),
});

/** An instrumentation scope with what the SDK's may carry besides name, version and schema URL. */
interface Scope {
  name: string;
  version?: string;
  schemaUrl?: string;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

const batch = fc.record({
  resources: fc.array(
    fc.record({ attributes: fc.dictionary(key, attributeValue, { maxKeys: 8 }), schemaUrl: fc.option(anyString, { nil: undefined }) }),
    { minLength: 3, maxLength: 3 },
  ),
  scopes: fc.array(
    fc.record({
      name: anyString,
      version: fc.option(anyString, { nil: undefined }),
      schemaUrl: fc.option(anyString, { nil: undefined }),
      attributes,
      droppedAttributesCount: fc.option(fc.nat(), { nil: undefined }),
    }),
    { minLength: 4, maxLength: 4 },
  ),
  spans: fc.array(spanShape, { maxLength: 8 }),
});

type Batch = typeof batch extends fc.Arbitrary<infer T> ? T : never;

function readableSpans(b: Batch): ReadableSpan[] {
  const resources: Resource[] = b.resources.map((r) =>
    r.schemaUrl === undefined
      ? resourceFromAttributes(r.attributes as Attributes)
      : resourceFromAttributes(r.attributes as Attributes, { schemaUrl: r.schemaUrl }),
  );
  const scopes: Scope[] = b.scopes.map((s) => {
    const scope: Scope = { name: s.name };
    if (s.version !== undefined) scope.version = s.version;
    if (s.schemaUrl !== undefined) scope.schemaUrl = s.schemaUrl;
    if (s.attributes !== undefined) scope.attributes = s.attributes;
    if (s.droppedAttributesCount !== undefined) scope.droppedAttributesCount = s.droppedAttributesCount;
    return scope;
  });
  return b.spans.map((s) => {
    const ctx = toContext(s.context);
    const events: TimedEvent[] = s.events.map((e) => {
      const out: TimedEvent = { time: e.time, name: e.name };
      if (e.attributes !== undefined) out.attributes = e.attributes;
      if (e.droppedAttributesCount !== undefined) out.droppedAttributesCount = e.droppedAttributesCount;
      return out;
    });
    const links: Link[] = s.links.map((l) => {
      const out: Link = { context: toContext(l.context) };
      if (l.attributes !== undefined) out.attributes = l.attributes;
      if (l.droppedAttributesCount !== undefined) out.droppedAttributesCount = l.droppedAttributesCount;
      return out;
    });
    const status = s.status.message === undefined ? { code: s.status.code } : { code: s.status.code, message: s.status.message };
    return {
      name: s.name,
      kind: s.kind as SpanKind,
      spanContext: () => ctx,
      ...(s.parent === undefined ? {} : { parentSpanContext: toContext(s.parent) }),
      startTime: s.startTime,
      endTime: s.endTime,
      status,
      attributes: s.attributes as Attributes,
      links,
      events,
      duration: [0, 0],
      ended: true,
      resource: resources[s.resource]!,
      instrumentationScope: scopes[s.scope]!,
      droppedAttributesCount: s.dropped[0],
      droppedEventsCount: s.dropped[1],
      droppedLinksCount: s.dropped[2],
    } satisfies ReadableSpan;
  });
}

/**
 * Batches of spans that set their attributes in the same order with values that keep coming back, as
 * an instrumentation's spans do: a value at a position is copied from the last span's bytes, so
 * every change (a value, its type, a name, a missing name, more names than positions kept) is tried.
 */
const ORDERED_KEYS = Array.from({ length: 70 }, (_, i) => `gen_ai.ordered.${i}`);
const REPEATING_VALUES: unknown[] = [
  'chat',
  'openai',
  '1',
  '',
  'é',
  'x'.repeat(300),
  'y'.repeat(100),
  0,
  -0,
  1,
  Number.NaN,
  0.1,
  2 ** 40,
  -5,
  true,
  false,
  ['stop'],
  new Uint8Array([1, 2]),
];
const repeatingAttributes = fc
  .tuple(
    fc.integer({ min: 0, max: ORDERED_KEYS.length }),
    fc.array(fc.integer({ min: 0, max: REPEATING_VALUES.length - 1 }), { minLength: ORDERED_KEYS.length, maxLength: ORDERED_KEYS.length }),
    fc.nat({ max: 9 }),
  )
  .map(([count, values, skip]) => {
    const attrs: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) if (skip === 0 || i % 10 !== skip) attrs[ORDERED_KEYS[i]!] = REPEATING_VALUES[values[i]!];
    return attrs as Attributes;
  });
/** Runs of spans: the same attributes a few times, then others. */
const repeatingBatch = fc.array(fc.tuple(repeatingAttributes, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 6 });

function spansWith(attributeSets: Attributes[], traceId = '0af7651916cd43dd8448eb211c80319c'): ReadableSpan[] {
  const resource = resourceFromAttributes({ 'service.name': 'ordered' });
  const scope = { name: 'ordered' };
  return attributeSets.map((attrs, i) => {
    const ctx: SpanContext = { traceId, spanId: (0x1000 + i).toString(16).padStart(16, '0'), traceFlags: 1 };
    return {
      name: 'ordered',
      kind: SpanKind.CLIENT,
      spanContext: () => ctx,
      startTime: [1_700_000_000, i],
      endTime: [1_700_000_001, i],
      status: { code: SpanStatusCode.UNSET },
      attributes: attrs,
      links: [],
      events: [],
      duration: [1, 0],
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    } satisfies ReadableSpan;
  });
}

beforeEach(() => clearSerializerCache());

describe('OTLP span serialiser', () => {
  it(`writes the same bytes as ProtobufTraceSerializer of @opentelemetry/otlp-transformer ${transformerVersion} for random batches of spans`, () => {
    expect(transformerVersion).toMatch(/^0\.223\./);
    fc.assert(
      fc.property(batch, (b) => {
        const spans = readableSpans(b);
        expect(ours(spans).equals(official(spans))).toBe(true);
        // Again, now with names and values cached from the first pass.
        expect(ours(spans).equals(official(spans))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same bytes as the official serialiser for spans of the real SDK: parents, remote parents with trace state, events, links, status, arrays', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'service.instance.id': 'é-1' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('scope-a', '1.2.3');
    const other = provider.getTracer('scope-b');
    const remote = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('congo=t61rcWkgMzE'),
    });
    for (let i = 0; i < 40; i++) {
      const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER }, remote);
      const child = (i % 2 ? other : tracer).startSpan(
        'chat gpt-4o-mini',
        {
          kind: SpanKind.CLIENT,
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 1200 + i, 'gen_ai.usage.cost.amount': 0.000123 * i },
          links: [{ context: parent.spanContext(), attributes: { why: 'follows' } }],
        },
        trace.setSpan(context.active(), parent),
      );
      child.setAttribute('tags', ['a', 'b', 'ü']);
      child.setAttribute('counts', [1, 2, 3]);
      child.addEvent('first token', { 'gen_ai.token.position': 1 });
      child.setStatus(i % 3 ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: 'rate limited' });
      child.end();
      parent.end();
    }
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(80);
    expect(ours(spans).equals(official(spans))).toBe(true);
    expect(ours(spans).equals(official(spans))).toBe(true);
    expect(ours([]).equals(official([]))).toBe(true);
  });

  it('writes the same bytes as the official serialiser for spans whose attributes come in the same order with repeating values (names, values and types changing at a position, more than 64 names)', () => {
    fc.assert(
      fc.property(repeatingBatch, (runs) => {
        const sets: Attributes[] = [];
        for (const [attrs, times] of runs) for (let i = 0; i < times; i++) sets.push(i % 2 ? { ...attrs } : attrs);
        const spans = spansWith(sets);
        expect(ours(spans).equals(official(spans))).toBe(true);
        // Again, with the last batch's values remembered.
        expect(ours(spans).equals(official(spans))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes what the official serialiser writes for a trace id with a pair that is not hex, upper-case hex and ids of other lengths', () => {
    for (const traceId of [
      '0af7651916cd43dd8448eb211c80319g',
      'zz0af7651916cd43dd8448eb211c8031',
      '0AF7651916CD43DD8448EB211C80319C',
      '0af7651916cd43dd8448eb211c80319c0af7651916cd43dd',
      '0af7651916cd43dd8448eb211c80319c'.repeat(5),
      '',
    ]) {
      const spans = spansWith([{ a: 1 }], traceId);
      expect(ours(spans).equals(official(spans))).toBe(true);
    }
  });

  it('writes the same bytes when the name cache fills up in the middle of a run of repeated attributes', () => {
    const sets: Attributes[] = [];
    for (let n = 0; n < MAX_CACHED_KEYS * 3; n++) sets.push({ a: 'x', b: 1, c: true, [`fresh.${n}`]: n, d: 'y' });
    for (let from = 0; from < sets.length; from += 100) {
      const spans = spansWith(sets.slice(from, from + 100));
      expect(ours(spans).equals(official(spans))).toBe(true);
    }
  });

  it('keeps at most MAX_CACHED_KEYS names and MAX_CACHED_VALUES values however many distinct ones it meets, and still writes the same bytes', () => {
    let peakKeys = 0;
    let peakValues = 0;
    for (let round = 0; round < 40; round++) {
      const sets: Attributes[] = [];
      for (let s = 0; s < 10; s++) {
        const attrs: Attributes = {};
        for (let k = 0; k < 30; k++) attrs[`key.${round}.${s}.${k % 7 === 0 ? 'same' : k}`] = `value ${round * 300 + s * 30 + k}`;
        for (let k = 0; k < 20; k++) attrs[`repeated.${k}`] = `v${(round * 10 + s) % 13}`;
        sets.push(attrs);
      }
      const spans = spansWith(sets);
      expect(ours(spans).equals(official(spans))).toBe(true);
      const size = serializerCacheSize();
      peakKeys = Math.max(peakKeys, size.keys);
      peakValues = Math.max(peakValues, size.values);
    }
    // 40 × 10 × 50 names and 12,000 distinct values went through.
    expect(peakKeys).toBeGreaterThan(MAX_CACHED_KEYS / 2);
    expect(peakKeys).toBeLessThanOrEqual(MAX_CACHED_KEYS);
    expect(peakValues).toBeGreaterThan(0);
    expect(peakValues).toBeLessThanOrEqual(MAX_CACHED_VALUES);
    expect(serializerCacheSize().keys).toBeLessThanOrEqual(MAX_CACHED_KEYS);
  });

  it('writes a batch larger than the buffer it sets aside (a 3 MB value, then 3,000 spans) whole and identically', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('large');
    tracer.startSpan('huge', { attributes: { prompt: 'é'.repeat(1_500_000) } }).end();
    const huge = exporter.getFinishedSpans();
    expect(ours(huge).equals(official(huge))).toBe(true);
    exporter.reset();
    for (let i = 0; i < 3_000; i++) tracer.startSpan(`span ${i}`, { attributes: { i, text: 'x'.repeat(i % 300) } }).end();
    const many = exporter.getFinishedSpans();
    expect(ours(many).equals(official(many))).toBe(true);
  });

  it('hands a batch it cannot encode to the official serialiser, loaded then and only once, which answers for it', () => {
    let loads = 0;
    const serializer = fastTraceSerializer(() => {
      loads++;
      return ProtobufTraceSerializer;
    });
    const exporter = new InMemorySpanExporter();
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('plain').startSpan('plain').end();
    const plain = exporter.getFinishedSpans();
    expect(Buffer.from(serializer.serializeRequest(plain) as Uint8Array).equals(official(plain))).toBe(true);
    expect(loads).toBe(0);
    const resource = resourceFromAttributes({});
    const odd: ReadableSpan = {
      name: 'odd ids',
      kind: SpanKind.INTERNAL,
      spanContext: () => ({ traceId: 'abc', spanId: '12345', traceFlags: 1 }),
      startTime: [1, 0],
      endTime: [2, 0],
      status: { code: SpanStatusCode.UNSET },
      attributes: {},
      links: [],
      events: [],
      duration: [1, 0],
      ended: true,
      resource,
      instrumentationScope: { name: 'odd' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    expect(() => serializeSpans([odd])).toThrow(RangeError);
    expect(Buffer.from(serializer.serializeRequest([odd]) as Uint8Array).equals(official([odd]))).toBe(true);
    expect(Buffer.from(serializer.serializeRequest([odd]) as Uint8Array).equals(official([odd]))).toBe(true);
    expect(loads).toBe(1);
    // The official serializer given as it is serves the same way.
    expect(Buffer.from(fastTraceSerializer(ProtobufTraceSerializer).serializeRequest([odd]) as Uint8Array).equals(official([odd]))).toBe(
      true,
    );
  });
});
