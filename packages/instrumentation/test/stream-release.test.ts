import { context } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRuntimeInstrumentation, GoogleGenAIInstrumentation, OpenAIInstrumentation, waitForPendingEstimates } from '../src';
import { localClientConfig, requireBedrock } from './support/load-bedrock';
import { requireGoogleGenAI } from './support/load-google-genai';
import { requireOpenAI } from './support/load-openai';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A few macrotasks later: the exporter's callback timer has run and the creating job has ended. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 20));

// A stream that ended must not wait for a finaliser to let go of its call: one collection, run
// before any finalisation callback can, must free the span. Only the exporter's copy is dropped
// first; nothing else in the test holds it. No context manager is installed: with one, a pooled
// socket keeps the context (and so the span) of the call that opened it, which is the socket's
// doing, not the stream's.
describe('a stream that ended releases its call at once', () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const meterProvider = new MeterProvider();
  const telemetry = { spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
  let emulator: Emulator;
  const instrumentations = [new OpenAIInstrumentation(), new GoogleGenAIInstrumentation(), new BedrockRuntimeInstrumentation()];

  beforeAll(async () => {
    context.disable();
    for (const i of instrumentations) {
      i.setTracerProvider(tracerProvider);
      i.setMeterProvider(meterProvider);
      i.enable();
    }
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    for (const i of instrumentations) i.disable();
    await emulator.close();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });

  /** Runs `consume` (which must drop everything it made), then the span is freed by one gc(). */
  async function expectReleased(consume: () => Promise<void>): Promise<void> {
    await consume();
    await waitForPendingEstimates(120_000);
    await nextTask();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0].ended).toBe(true);
    const ref = new WeakRef(spans[0]);
    spans.length = 0;
    telemetry.reset();
    await nextTask();
    gc(); // synchronous: no finalisation callback runs before the check below
    expect(ref.deref()).toBeUndefined();
  }

  it('frees the span of an OpenAI chat stream read to its end after one collection', async () => {
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    await expectReleased(async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Hi [emulate output_tokens=4]' }],
      });
      for await (const _ of stream) void _;
    });
  });

  it('frees the span of an OpenAI chat stream the app broke out of after one collection', async () => {
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    await expectReleased(async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Hi [emulate output_tokens=8]' }],
      });
      for await (const _ of stream) break;
    });
  });

  it('frees the span of a Gemini stream read to its end after one collection', async () => {
    const genai = requireGoogleGenAI(2);
    const ai = new genai.GoogleGenAI({ apiKey: 'gemini-test', httpOptions: { baseUrl: emulator.geminiBaseURL } });
    await expectReleased(async () => {
      const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Hi [emulate output_tokens=4]' });
      for await (const _ of stream) void _;
    });
  });

  it('frees the span of a Bedrock ConverseStream read to its end after one collection', async () => {
    const sdk = requireBedrock('current');
    const client = new sdk.BedrockRuntimeClient(localClientConfig(emulator.bedrockEndpoint));
    try {
      await expectReleased(async () => {
        const out = await client.send(
          new sdk.ConverseStreamCommand({
            modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
            messages: [{ role: 'user', content: [{ text: 'Hi [emulate output_tokens=4]' }] }],
          }),
        );
        for await (const _ of out.stream) void _;
      });
    } finally {
      client.destroy();
    }
  });
});
