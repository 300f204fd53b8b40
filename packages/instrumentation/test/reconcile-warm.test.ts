import type { Histogram } from '@opentelemetry/sdk-metrics';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { stopTokenWorker, tokenWorkerRunning } from '@tokenomics/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation } from '../src';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// Reconciled calls are counted in the token worker: with a reconciliation sample, the worker is
// started (and loads tiktoken) when the instrumentation is created, not on the first sampled call.
describe('token worker started for reconciliation', () => {
  const telemetry = new TestTelemetry();
  let emulator: Emulator;

  beforeAll(async () => {
    await stopTokenWorker();
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    await emulator.close();
    await telemetry.shutdown();
    await stopTokenWorker();
  });

  it('is not started without a reconciliation sample', () => {
    new OpenAIInstrumentation({ enabled: false, reconcileSample: 0 });
    expect(tokenWorkerRunning()).toBe(false);
  });

  it('is started when the instrumentation is created with one, and the first sampled call is reconciled', async () => {
    const instrumentation = telemetry.instrument(new OpenAIInstrumentation({ reconcileSample: 1 }));
    expect(tokenWorkerRunning()).toBe(true);
    try {
      const { OpenAI } = requireOpenAI(6);
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello there' }] });
      await telemetry.settled();
      const points = await telemetry.points('tokenomics.reconciliation.input_tokens');
      expect(points.map((p) => [p.attributes['gen_ai.request.model'], (p.value as Histogram).count])).toEqual([['gpt-4o', 1]]);
    } finally {
      instrumentation.disable();
    }
  });
});
