import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation, waitForPendingEstimates } from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { TestTelemetry } from './support/telemetry';

// The instrumentation reads OTEL_SEMCONV_STABILITY_OPT_IN once, when it is created, so this file
// creates its own with the opt-in set. The default (current names only) is asserted in
// anthropic.test.ts and bedrock.test.ts.
describe('OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai/dup with a real @anthropic-ai/sdk client', () => {
  let previous: string | undefined;
  let telemetry: TestTelemetry;
  let instrumentation: AnthropicInstrumentation;
  let emulator: Emulator;
  let client: any;

  beforeAll(async () => {
    previous = process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'http, gen_ai/dup';
    telemetry = new TestTelemetry();
    instrumentation = new AnthropicInstrumentation();
    telemetry.instrument(instrumentation);
    emulator = await startEmulator({ port: 0 });
    const sdk = requireAnthropic(1);
    const Anthropic = sdk.Anthropic ?? sdk.default;
    client = new Anthropic({ apiKey: 'sk-ant-test-secret-key-1234567890', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env.OTEL_SEMCONV_STABILITY_OPT_IN;
    else process.env.OTEL_SEMCONV_STABILITY_OPT_IN = previous;
    instrumentation?.disable();
    await emulator?.close();
    await telemetry?.shutdown();
  });

  it('emits the cache write under both gen_ai.usage.cache_write.input_tokens and the old cache_creation name, priced once', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-0',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: `${'Shared reference text. '.repeat(200)} [emulate cache_read=300 cache_write=200 cache_write_1h=100 output_tokens=10]`,
        },
      ],
    });
    await waitForPendingEstimates(120_000);
    await telemetry.settled();
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    const a = spans[0].attributes;
    const u = message.usage;
    expect(u.cache_creation_input_tokens).toBe(300);
    expect(a['gen_ai.usage.cache_write.input_tokens']).toBe(300);
    expect(a['gen_ai.usage.cache_creation.input_tokens']).toBe(300);
    expect(a['gen_ai.system']).toBe('anthropic');
    expect(a['gen_ai.usage.input_tokens']).toBe(u.input_tokens + 300 + 300);
    expect(a['gen_ai.usage.cost.source']).toBe('local');
    // claude-sonnet-4: $3 input, $0.30 cache read, $3.75 5-minute write, $6 1-hour write, $15 output per million.
    expect(a['tokenomics.cost.cache_write']).toBeCloseTo((200 * 3.75) / 1e6, 12);
    expect(a['tokenomics.cost.cache_write_1h']).toBeCloseTo((100 * 6) / 1e6, 12);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((u.input_tokens * 3 + 300 * 0.3 + 200 * 3.75 + 100 * 6 + 10 * 15) / 1e6, 12);
    expect(await telemetry.counterSum('tokenomics.tokens', { 'tokenomics.token.type': 'cache_write' })).toBe(200);
    expect(await telemetry.counterSum('tokenomics.tokens', { 'tokenomics.token.type': 'cache_write_1h' })).toBe(100);
  });
});
