import { context, createContextKey, trace, type Context } from '@opentelemetry/api';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// A call's context in the two set-ups of the hook: metrics only (no tracer provider registered, the
// default) and with spans. With nothing to trace, the client runs in the app's own context (no new
// context is entered, so the context manager does not start tracking every promise); with a tracer
// provider, what the client does inside the call sees the call's span.

const APP_KEY = createContextKey('app.request');
// gpt-4o-mini, USD per million tokens: $0.15 input, $0.075 cached input, $0.60 output.
const costOf = (input: number, cached: number, output: number) => ((input - cached) * 0.15 + cached * 0.075 + output * 0.6) / 1e6;

describe('the context a call runs in', () => {
  let telemetry: TestTelemetry;
  let emulator: Emulator;
  let OpenAI: any;
  let instrumentation: OpenAIInstrumentation;
  const seen: Context[] = [];
  /** A fetch that notes the context the client sends its request in. */
  const fetchInContext = (url: string, init?: RequestInit) => {
    seen.push(context.active());
    return fetch(url, init);
  };

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    // No tracer provider anywhere at first: the span API hands out non-recording spans.
    instrumentation = new OpenAIInstrumentation();
    instrumentation.setMeterProvider(telemetry.meterProvider);
    instrumentation.enable();
    emulator = await startEmulator({ port: 0 });
    OpenAI = requireOpenAI(6).OpenAI;
  });

  afterAll(async () => {
    instrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  it('metrics only: the client runs in the app context, with no span, and the call is still priced exactly', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0, fetch: fetchInContext });
    seen.length = 0;
    const appContext = context.active().setValue(APP_KEY, 'checkout');
    const completion = await context.with(appContext, () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello [emulate cached=1024]' }] }),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(appContext);
    expect(trace.getSpan(seen[0])).toBeUndefined();
    expect(telemetry.spans()).toHaveLength(0);
    const u = completion.usage;
    expect(await telemetry.counterSum('tokenomics.cost', { 'gen_ai.request.model': 'gpt-4o-mini' })).toBeCloseTo(
      costOf(u.prompt_tokens, u.prompt_tokens_details.cached_tokens, u.completion_tokens),
      12,
    );
  });

  it("with a tracer provider: the client's request runs under the call's span, in a context that keeps the app's values", async () => {
    instrumentation.setTracerProvider(telemetry.tracerProvider);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0, fetch: fetchInContext });
    seen.length = 0;
    telemetry.reset();
    const appContext = context.active().setValue(APP_KEY, 'checkout');
    await context.with(appContext, () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }),
    );
    const [span] = telemetry.spans();
    expect(telemetry.spans()).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(seen[0].getValue(APP_KEY)).toBe('checkout');
    expect(trace.getSpan(seen[0])?.spanContext().spanId).toBe(span.spanContext().spanId);
  });
});
