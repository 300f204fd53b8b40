import { createRequire } from 'node:module';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicInstrumentation } from '../src';
import { TestTelemetry } from './support/telemetry';

// `@anthropic-ai/bedrock-sdk` and `@anthropic-ai/vertex-sdk` never load the package entry of
// `@anthropic-ai/sdk`: they subclass `BaseAnthropic` from `@anthropic-ai/sdk/client` and build their
// resources from `@anthropic-ai/sdk/resources/index`. This file loads the SDK the same way, in a
// process where the entry was never loaded, with a client built as those SDKs build theirs.

const here = createRequire(__filename);

// Amazon Bedrock on-demand list price of Claude Sonnet 4 (https://aws.amazon.com/bedrock/pricing/):
// $3 per million input tokens, $15 per million output tokens.
const BEDROCK_SONNET_4 = { input: 3, output: 15 };

describe('@anthropic-ai/sdk loaded by a platform SDK', () => {
  let telemetry: TestTelemetry;
  let instrumentation: AnthropicInstrumentation;
  let emulator: Emulator;
  let client: any;

  beforeAll(async () => {
    telemetry = new TestTelemetry();
    instrumentation = new AnthropicInstrumentation();
    telemetry.instrument(instrumentation);
    emulator = await startEmulator({ port: 0 });
    const { BaseAnthropic } = here('@anthropic-ai/sdk/client');
    const Resources = here('@anthropic-ai/sdk/resources/index');
    class AnthropicBedrock extends BaseAnthropic {
      messages: unknown;
      constructor(opts: Record<string, unknown>) {
        super(opts);
        this._genAIProviderName = 'aws.bedrock';
        this.messages = new Resources.Messages(this);
      }
    }
    client = new AnthropicBedrock({ apiKey: 'not-used', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
  });

  afterAll(async () => {
    instrumentation.disable();
    await emulator.close();
    await telemetry.shutdown();
  });

  it('never loaded the package entry', () => {
    const entry = here.resolve('@anthropic-ai/sdk');
    expect(Object.keys(here.cache)).not.toContain(entry);
  });

  it('records the calls of a platform client under its provider, priced at that provider', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-0',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hello from Bedrock [emulate output_tokens=8]' }],
    });
    const spans = telemetry.spans();
    expect(spans).toHaveLength(1);
    const a = spans[0].attributes;
    expect(a['gen_ai.provider.name']).toBe('aws.bedrock');
    expect(a['gen_ai.usage.input_tokens']).toBe(message.usage.input_tokens);
    expect(a['gen_ai.usage.output_tokens']).toBe(8);
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo(
      (message.usage.input_tokens * BEDROCK_SONNET_4.input + 8 * BEDROCK_SONNET_4.output) / 1e6,
      12,
    );
  });
});
