import type { Context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanLimits,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// The attributes a call's end sets on a span of the trace SDK are stored into the span's attribute
// object directly when nothing could be cut or dropped, else through `setAttribute`: the span ends
// the same either way, and its attribute count stays the one the SDK keeps.

/** Adds `count` attributes of its own to each span as it ends, before it is exported. */
class LateAttributes implements SpanProcessor {
  constructor(private readonly count: number) {}
  onStart(_span: Span, _context: Context): void {}
  onEnding(span: Span): void {
    for (let i = 0; i < this.count; i++) span.setAttribute(`test.late.${i}`, i);
  }
  onEnd(_span: ReadableSpan): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

const telemetry = new TestTelemetry();
const instrumentation = new OpenAIInstrumentation();
const providers: BasicTracerProvider[] = [];
let emulator: Emulator;
let client: { chat: { completions: { create(body: unknown): Promise<unknown> } } };

beforeAll(async () => {
  telemetry.instrument(instrumentation);
  emulator = await startEmulator({ port: 0 });
  const { OpenAI } = requireOpenAI(6);
  client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
});

afterAll(async () => {
  instrumentation.disable();
  await emulator.close();
  await Promise.all(providers.map((p) => p.shutdown()));
  await telemetry.shutdown();
});

const REQUEST = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 64, temperature: 0.5 };

/** The span of one plain chat call made with a tracer provider of `spanLimits`, with `late` attributes added as it ends. */
async function spanOfCall(spanLimits: SpanLimits, late = 0): Promise<ReadableSpan> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanLimits, spanProcessors: [new LateAttributes(late), new SimpleSpanProcessor(exporter)] });
  providers.push(provider);
  instrumentation.setTracerProvider(provider);
  await client.chat.completions.create(REQUEST);
  await telemetry.settled();
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0];
}

/** The span's attributes in order, the response id (new for each call) left out. */
function withoutResponseId(span: ReadableSpan): Array<[string, unknown]> {
  return Object.entries(span.attributes).filter(([key]) => key !== 'gen_ai.response.id');
}

describe('the attributes of a call end on its span', () => {
  it('are the same, in the same order, whether stored directly (default limits) or through setAttribute (a value length limit that cuts nothing)', async () => {
    const direct = await spanOfCall({});
    const throughSetAttribute = await spanOfCall({ attributeValueLengthLimit: 1000 });

    expect(withoutResponseId(direct)).toEqual(withoutResponseId(throughSetAttribute));
    expect(direct.attributes).toMatchObject({
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.cost.currency': 'USD',
      'gen_ai.usage.cost.source': 'local',
      'tokenomics.usage.estimated': false,
    });
    expect(typeof direct.attributes['gen_ai.response.id']).toBe('string');
    expect(direct.droppedAttributesCount).toBe(0);
  });

  it('count toward the span attribute count limit as through setAttribute: attributes added after them past the limit are dropped', async () => {
    const own = Object.keys((await spanOfCall({})).attributes).length;
    // Room for the late ones past the call's own: enough that the call's are stored directly.
    const limit = own + 20;

    const span = await spanOfCall({ attributeCountLimit: limit }, 25);

    const keys = Object.keys(span.attributes);
    expect(keys).toHaveLength(limit);
    expect(keys.filter((k) => k.startsWith('test.late.'))).toEqual([...Array(20).keys()].map((i) => `test.late.${i}`));
    expect(span.droppedAttributesCount).toBe(5);
  });

  it('are cut to the span attribute value length limit, as setAttribute cuts them', async () => {
    const span = await spanOfCall({ attributeValueLengthLimit: 6 });

    expect(span.attributes['gen_ai.response.model']).toBe('gpt-4o');
    expect(span.attributes['gen_ai.usage.cost.currency']).toBe('USD');
  });
});
