import { createRequire } from 'node:module';
import { join } from 'node:path';
import { context, createContextKey, trace, type Context } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicInstrumentation,
  CohereInstrumentation,
  GoogleGenAIInstrumentation,
  GroqInstrumentation,
  OllamaInstrumentation,
} from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { requireGoogleGenAI } from './support/load-google-genai';
import { TestTelemetry } from './support/telemetry';

// The context a call runs in, for the clients other than openai's (metrics-only-context.test.ts):
// with no tracer provider (the hook's default set-up) the client runs in the app's own context, so
// that no context is entered and the context manager does not start tracking every promise of the
// process; with a tracer provider, the client's request runs under the call's span.

const APP_KEY = createContextKey('app.request');
const fromTests = createRequire(join(__dirname, '..', '..', '..', 'test', 'package.json'));

interface Client {
  name: string;
  /** One call through the client, to the emulator. */
  call: () => Promise<unknown>;
}

describe('the context a call runs in, for each client', () => {
  let telemetry: TestTelemetry;
  let emulator: Emulator;
  let clients: Client[];
  const instrumentations: Instrumentation[] = [];
  const seen: Context[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    // The clients' own fetch, noting the context each request is sent in (set before the clients
    // are built: some keep the fetch they find then).
    globalThis.fetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      seen.push(context.active());
      return realFetch(input, init);
    };
    for (const instrumentation of [
      new AnthropicInstrumentation(),
      new GoogleGenAIInstrumentation(),
      new GroqInstrumentation(),
      new CohereInstrumentation(),
      new OllamaInstrumentation(),
    ]) {
      // No tracer provider anywhere at first: the span API hands out non-recording spans.
      instrumentation.setMeterProvider(telemetry.meterProvider);
      instrumentation.enable();
      instrumentations.push(instrumentation);
    }
    emulator = await startEmulator({ port: 0 });
    const Anthropic = requireAnthropic(1).Anthropic;
    const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const genai = new (requireGoogleGenAI(2).GoogleGenAI)({ apiKey: 'gemini-test', httpOptions: { baseUrl: emulator.geminiBaseURL } });
    const GroqModule = fromTests('groq-sdk');
    const groq = new (GroqModule.Groq ?? GroqModule.default)({ apiKey: 'gsk-test', baseURL: `${emulator.url}/hosts/groq`, maxRetries: 0 });
    const cohere = new (fromTests('cohere-ai').CohereClientV2)({ token: 'cohere-test', baseUrl: emulator.cohereBaseURL });
    const ollama = new (fromTests('ollama').Ollama)({ host: emulator.ollamaHost });
    const ask = [{ role: 'user', content: 'Hello' }];
    clients = [
      { name: 'anthropic', call: () => anthropic.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 50, messages: ask }) },
      { name: 'google-genai', call: () => genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello' }) },
      { name: 'groq', call: () => groq.chat.completions.create({ model: 'llama-3.1-8b-instant', messages: ask }) },
      { name: 'cohere', call: () => cohere.chat({ model: 'command-r-08-2024', messages: ask }) },
      { name: 'ollama', call: () => ollama.chat({ model: 'llama3.2', messages: ask }) },
    ];
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    for (const instrumentation of instrumentations) instrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  it('metrics only: each client runs in the app context, with no span, and the call is recorded', async () => {
    for (const client of clients) {
      seen.length = 0;
      const appContext = context.active().setValue(APP_KEY, client.name);
      await context.with(appContext, client.call);
      expect(seen.length, client.name).toBeGreaterThan(0);
      for (const ctx of seen) expect(ctx, client.name).toBe(appContext);
      expect(trace.getSpan(seen[0]), client.name).toBeUndefined();
    }
    expect(telemetry.spans()).toHaveLength(0);
    const providers = (await telemetry.points('gen_ai.client.operation.duration')).map((p) => p.attributes['gen_ai.provider.name']);
    expect(new Set(providers)).toEqual(new Set(['anthropic', 'gcp.gemini', 'groq', 'cohere', 'ollama']));
  });

  it("with a tracer provider: each client's request runs under the call's span, in a context that keeps the app's values", async () => {
    for (const instrumentation of instrumentations) instrumentation.setTracerProvider(telemetry.tracerProvider);
    for (const client of clients) {
      seen.length = 0;
      telemetry.reset();
      const appContext = context.active().setValue(APP_KEY, client.name);
      await context.with(appContext, client.call);
      const spans = telemetry.spans();
      expect(spans, client.name).toHaveLength(1);
      expect(seen.length, client.name).toBeGreaterThan(0);
      expect(seen[0].getValue(APP_KEY), client.name).toBe(client.name);
      expect(trace.getSpan(seen[0])?.spanContext().spanId, client.name).toBe(spans[0].spanContext().spanId);
    }
  });
});
