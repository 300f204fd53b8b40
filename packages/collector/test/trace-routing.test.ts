/**
 * How a traces request is shared between the stage's workers: by trace ID, each span whole, every
 * span with its own resource and scope.
 */
import { describe, expect, it } from 'vitest';
import { jsonToProtobuf } from '../src/otlp-json';
import { otlpMessages } from '../src/otlp-messages';
import { routeTraces } from '../src/trace-routing';

const kv = (key: string, value: string | number) =>
  typeof value === 'string' ? { key, value: { stringValue: value } } : { key, value: { intValue: String(value) } };
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

const chat = { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 };

function request(resources: { service: string; scopes: { name: string; spans: { trace: number; span: number; genai: boolean }[] }[] }[]) {
  return jsonToProtobuf(
    'traces',
    Buffer.from(
      JSON.stringify({
        resourceSpans: resources.map((r) => ({
          resource: { attributes: [kv('service.name', r.service)] },
          scopeSpans: r.scopes.map((s) => ({
            scope: { name: s.name },
            spans: s.spans.map((sp) => ({
              traceId: hex(sp.trace, 32),
              spanId: hex(sp.span, 16),
              name: 'op',
              kind: 1,
              attributes: Object.entries(sp.genai ? chat : { 'http.route': '/' }).map(([k, v]) => kv(k, v)),
            })),
          })),
        })),
      }),
    ),
  );
}

/** Every span of a request with its service and scope, and its own bytes. */
function spansOf(bytes: Uint8Array) {
  const m = otlpMessages();
  const decoded = m.traceRequest.toObject(m.traceRequest.decode(bytes), { longs: String, bytes: String }) as {
    resourceSpans?: {
      resource: { attributes: { key: string; value: { stringValue: string } }[] };
      scopeSpans?: { scope: { name: string }; spans?: { traceId: string; spanId: string }[] }[];
    }[];
  };
  return (decoded.resourceSpans ?? []).flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({
        service: rs.resource.attributes[0].value.stringValue,
        scope: ss.scope.name,
        trace: span.traceId,
        span: JSON.stringify(span),
      })),
    ),
  );
}

describe('routeTraces', () => {
  it('cuts a request of many traces so that each trace is on one worker, every span kept whole with its resource and scope', () => {
    const spans = (from: number) => Array.from({ length: 40 }, (_, i) => ({ trace: from + (i % 20), span: from + i, genai: i % 3 !== 0 }));
    const body = request([
      {
        service: 'checkout',
        scopes: [
          { name: 'openai', spans: spans(100) },
          { name: 'http', spans: spans(300) },
        ],
      },
      { service: 'search', scopes: [{ name: 'langchain', spans: spans(500) }] },
    ]);
    const route = routeTraces(body, 2);
    if (route.kind !== 'split') throw new Error(`expected a split, got ${route.kind}`);
    expect(route.parts.map((p) => p.worker).sort()).toEqual([0, 1]);
    const parts = route.parts.map((p) => spansOf(p.bytes));
    const key = (s: { service: string; scope: string; span: string }) => `${s.service}|${s.scope}|${s.span}`;
    expect(parts.flat().map(key).sort()).toEqual(spansOf(body).map(key).sort());
    const [a, b] = parts.map((list) => new Set(list.map((s) => s.trace)));
    expect([...a].filter((t) => b.has(t))).toEqual([]);
    expect(a.size + b.size).toBe(60);
  });

  it('sends a request whole when its spans belong to one worker, or when it mentions no GenAI name', () => {
    const oneTrace = request([
      { service: 'a', scopes: [{ name: 's', spans: [1, 2, 3].map((i) => ({ trace: 7, span: i, genai: true })) }] },
    ]);
    const route = routeTraces(oneTrace, 2);
    expect(route.kind).toBe('whole');
    expect(route.kind === 'whole' ? route.worker : -1).toBeGreaterThanOrEqual(0);
    const plain = request([{ service: 'a', scopes: [{ name: 's', spans: [1, 2, 3].map((i) => ({ trace: i, span: i, genai: false })) }] }]);
    expect(routeTraces(plain, 2)).toEqual({ kind: 'whole', worker: undefined });
    expect(routeTraces(oneTrace, 1)).toEqual({ kind: 'whole', worker: 0 });
  });

  it('keeps a scope block without spans in a request that is cut', () => {
    const spans = Array.from({ length: 20 }, (_, i) => ({ trace: i, span: i + 1, genai: true }));
    const body = request([
      {
        service: 'a',
        scopes: [
          { name: 'empty', spans: [] },
          { name: 'openai', spans },
        ],
      },
    ]);
    const route = routeTraces(body, 2);
    if (route.kind !== 'split') throw new Error('expected a split');
    const m = otlpMessages();
    const scopes = route.parts.flatMap(
      (p) =>
        (m.traceRequest.toObject(m.traceRequest.decode(p.bytes)) as { resourceSpans: { scopeSpans: { scope: { name: string } }[] }[] })
          .resourceSpans[0].scopeSpans,
    );
    expect(scopes.filter((s) => s.scope.name === 'empty')).toHaveLength(1);
  });

  it('refuses a request that is not well-framed protobuf', () => {
    expect(() => routeTraces(Buffer.from([0x0a, 0x05, 0x01]), 2)).toThrow();
  });
});
