/**
 * Sends decoded spans (as the test receiver keeps them) again as an OTLP/HTTP JSON export request:
 * for feeding the spans a real app produced through another pipeline, with attributes changed.
 */
import type { OtlpAttributes, OtlpSpan, OtlpValue } from '../../support/otlp-receiver';

type JsonValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: JsonValue[] } };

function anyValue(v: OtlpValue): JsonValue | undefined {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'bigint') return { intValue: v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue).filter((x): x is JsonValue => x !== undefined) } };
  return undefined;
}

function keyValues(attrs: OtlpAttributes): { key: string; value: JsonValue }[] {
  const out: { key: string; value: JsonValue }[] = [];
  for (const [key, v] of Object.entries(attrs)) {
    const value = anyValue(v);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

/**
 * An OTLP/JSON `ExportTraceServiceRequest` holding `spans`, one resource and scope block per span
 * (resource and scope as received). Integer-valued doubles (a cost of exactly $0.0001 is still a
 * double) are kept as doubles for the keys in `doubles`.
 */
export function otlpJsonRequest(spans: OtlpSpan[], doubles: ReadonlySet<string> = new Set()): string {
  return JSON.stringify({
    resourceSpans: spans.map((s) => ({
      resource: { attributes: keyValues(s.resource) },
      scopeSpans: [
        {
          scope: { name: s.scope.name, ...(s.scope.version === undefined ? {} : { version: s.scope.version }) },
          spans: [
            {
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: s.startTimeUnixNano.toString(),
              endTimeUnixNano: s.endTimeUnixNano.toString(),
              attributes: keyValues(s.attributes).map((kv) =>
                doubles.has(kv.key) && 'intValue' in kv.value ? { key: kv.key, value: { doubleValue: Number(kv.value.intValue) } } : kv,
              ),
              status: { code: s.status.code, ...(s.status.message === undefined ? {} : { message: s.status.message }) },
            },
          ],
        },
      ],
    })),
  });
}

/** POSTs an OTLP/JSON trace export request; rejects unless the answer is 2xx. */
export async function postTraces(baseUrl: string, body: string): Promise<void> {
  const res = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (!res.ok) throw new Error(`POST ${baseUrl}/v1/traces: ${res.status} ${await res.text()}`);
}
