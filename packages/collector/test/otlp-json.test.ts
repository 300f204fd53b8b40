import { describe, expect, it } from 'vitest';
import { jsonToProtobuf } from '../src/otlp-json';
import { otlpMessages } from '../src/otlp-messages';

// OTLP/JSON bodies are the sender's: a key is read as an OTLP field only when it is one.

const span = (name: string) => ({
  traceId: 'abcdefabcdefabcdefabcdefabcdefab',
  spanId: '0123456789abcdef',
  name,
  kind: 3,
  startTimeUnixNano: '1764000000000000000',
  endTimeUnixNano: '1764000001000000000',
  attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } }],
});

/** The decoded request of an OTLP/JSON traces body written as `text`. */
function decode(text: string): any {
  const bytes = jsonToProtobuf('traces', Buffer.from(text));
  return otlpMessages().traceRequest.toObject(otlpMessages().traceRequest.decode(bytes), { longs: String });
}

describe('OTLP/JSON to protobuf', () => {
  it('converts hex ids and keeps the fields of a well-formed body', () => {
    const out = decode(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('chat gpt-4o-mini')] }] }] }));
    const spans = out.resourceSpans[0].scopeSpans[0].spans;
    expect(spans).toHaveLength(1);
    expect(spans[0].name).toBe('chat gpt-4o-mini');
    expect(Buffer.from(spans[0].spanId).toString('hex')).toBe('0123456789abcdef');
  });

  it('drops a `__proto__` key instead of letting the message inherit the fields under it', () => {
    // As JSON.parse reads it, `__proto__` is an own key like any other: not an OTLP field.
    const top = decode(`{"__proto__": {"resourceSpans": [{"scopeSpans": [{"spans": [${JSON.stringify(span('injected'))}]}]}]}}`);
    expect(top.resourceSpans ?? []).toHaveLength(0);
    const nested = decode(
      `{"resourceSpans": [{"scopeSpans": [{"spans": [{"__proto__": ${JSON.stringify(span('injected'))}, "name": "own"}]}]}]}`,
    );
    const spans = nested.resourceSpans[0].scopeSpans[0].spans;
    expect(spans).toHaveLength(1);
    expect(spans[0].name).toBe('own');
    expect(spans[0].attributes ?? []).toHaveLength(0);
  });
});
