import { isSpanContextValid, propagation, trace, type Context, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation } from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { TestTelemetry } from './support/telemetry';

// @anthropic-ai/sdk 1.x traces its own API calls whenever a tracer provider is registered with the
// OpenTelemetry API: these tests register one, as an app with an OpenTelemetry SDK does.

const SDK_SCOPE = 'com.anthropic.sdk.typescript';
const MODEL = 'claude-sonnet-4-0';

/** W3C `traceparent` injection, as the app's registered propagator writes it. */
const traceparent: TextMapPropagator = {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter) {
    const sc = trace.getSpanContext(ctx);
    if (!sc || !isSpanContextValid(sc)) return;
    setter.set(carrier, 'traceparent', `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags}`);
  },
  extract: (ctx: Context) => ctx,
  fields: () => ['traceparent'],
};

function ask(content: string, extra: Record<string, unknown> = {}) {
  return { model: MODEL, max_tokens: 128, messages: [{ role: 'user', content }], ...extra };
}

const priced = (spans: ReadableSpan[]) => spans.filter((s) => s.attributes['gen_ai.usage.cost.amount'] !== undefined);
const fromSdk = (spans: ReadableSpan[]) => spans.filter((s) => s.instrumentationScope.name === SDK_SCOPE);

describe('@anthropic-ai/sdk 1.x own spans', () => {
  let telemetry: TestTelemetry;
  let instrumentation: AnthropicInstrumentation;
  let emulator: Emulator;
  let client: any;

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
    propagation.setGlobalPropagator(traceparent);
    instrumentation = new AnthropicInstrumentation();
    telemetry.instrument(instrumentation);
    emulator = await startEmulator({ port: 0 });
    const { Anthropic } = requireAnthropic(1);
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
  });

  afterEach(async () => {
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    instrumentation.disable();
    propagation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  it('emits its own anthropic.messages.create span when the instrumentation is disabled (the case we guard against)', async () => {
    instrumentation.disable();
    try {
      await client.messages.create(ask('Without instrumentation'));
    } finally {
      instrumentation.enable();
    }
    const spans = telemetry.spans();
    expect(spans.map((s) => [s.instrumentationScope.name, s.name])).toEqual([[SDK_SCOPE, 'anthropic.messages.create']]);
    expect(spans[0].attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });

  it('leaves exactly one span, ours and priced, for a message', async () => {
    await client.messages.create(ask('One span please'));
    const spans = telemetry.spans();
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`]);
    expect(priced(spans)).toHaveLength(1);
    expect(fromSdk(spans)).toHaveLength(0);
  });

  it('leaves exactly one priced span for a streamed message', async () => {
    for await (const _ of await client.messages.create(ask('Stream [emulate output_tokens=5]', { stream: true }))) void _;
    const spans = telemetry.spans();
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`]);
    expect(priced(spans)).toHaveLength(1);
    expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(5);
  });

  it('leaves exactly one priced span for the stream() helper, on a fresh client too', async () => {
    const { Anthropic } = requireAnthropic(1);
    const fresh = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const final = await fresh.messages.stream(ask('Helper [emulate output_tokens=6]')).finalMessage();
    expect(final.usage.output_tokens).toBe(6);
    await new Promise((r) => setTimeout(r, 20));
    const spans = telemetry.spans();
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`]);
    expect(priced(spans)).toHaveLength(1);
    expect(spans[0].attributes['gen_ai.usage.output_tokens']).toBe(6);
  });

  it('leaves exactly one priced span for beta.messages', async () => {
    await client.beta.messages.create(ask('Beta'));
    await client.beta.messages.stream(ask('Beta helper [emulate output_tokens=3]')).finalMessage();
    const spans = telemetry.spans();
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`, `chat ${MODEL}`]);
    expect(priced(spans)).toHaveLength(2);
  });

  it('sends the trace context of our span with the request, as the SDK would of its own', async () => {
    await client.messages.create(ask('Propagate'));
    const span = telemetry.spans()[0];
    const sent = emulator.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);

    telemetry.reset();
    await client.messages.stream(ask('Propagate the helper')).finalMessage();
    const helperSpan = telemetry.spans()[0];
    expect(emulator.requests.at(-1)!.headers.traceparent).toBe(
      `00-${helperSpan.spanContext().traceId}-${helperSpan.spanContext().spanId}-01`,
    );
  });

  it('records the conversation id the app gives the SDK for its spans', async () => {
    await client.messages.create(ask('In a conversation'), { openTelemetry: { conversationId: 'conv-42' } });
    const spans = telemetry.spans();
    expect(spans.map((s) => s.name)).toEqual([`chat ${MODEL}`]);
    expect(spans[0].attributes['gen_ai.conversation.id']).toBe('conv-42');
  });

  it('keeps the SDK span of calls it does not record, such as token counting', async () => {
    await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'count me' }] });
    const spans = telemetry.spans();
    expect(spans.map((s) => [s.instrumentationScope.name, s.name])).toEqual([[SDK_SCOPE, 'anthropic.messages.count_tokens']]);
    expect(priced(spans)).toHaveLength(0);
  });

  it('gives the SDK its own call spans back once the instrumentation is disabled, on clients it has seen', async () => {
    instrumentation.disable();
    try {
      await client.messages.create(ask('After disable'));
    } finally {
      instrumentation.enable();
    }
    expect(telemetry.spans().map((s) => s.name)).toEqual(['anthropic.messages.create']);
  });
});
