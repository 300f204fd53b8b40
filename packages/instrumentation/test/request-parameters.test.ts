import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnthropicInstrumentation,
  BedrockRuntimeInstrumentation,
  GoogleGenAIInstrumentation,
  OpenAIInstrumentation,
  withAttribution,
} from '../src';
import { requireAnthropic } from './support/load-anthropic';
import { localClientConfig, requireBedrock } from './support/load-bedrock';
import { requireGoogleGenAI } from './support/load-google-genai';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

// Request parameters are the app's values, not the provider's: a token limit, temperature, top_p,
// top_k or choice count below zero is not a valid value and is not exported (a span attribute
// must be a finite non-negative number); penalties and seeds may be negative and are exported.
// Each call goes to the emulator through the real client library; whether the emulator accepts the
// values or answers with an error, the span carries the request attributes.

const telemetry = new TestTelemetry();
const instrumentations = [
  new OpenAIInstrumentation(),
  new AnthropicInstrumentation(),
  new GoogleGenAIInstrumentation(),
  new BedrockRuntimeInstrumentation(),
];
let emulator: Emulator;

beforeAll(async () => {
  for (const i of instrumentations) telemetry.instrument(i);
  emulator = await startEmulator({ port: 0 });
});

afterAll(async () => {
  for (const i of instrumentations) i.disable();
  await emulator.close();
  await telemetry.shutdown();
});

async function spanOf(tenant: string, call: () => Promise<unknown>) {
  await withAttribution({ tenant }, () => call().catch(() => undefined));
  await telemetry.settled();
  const spans = telemetry.spans().filter((s) => s.attributes['tokenomics.attribution.tenant'] === tenant);
  expect(spans).toHaveLength(1);
  return spans[0].attributes;
}

const NEGATIVE_KEYS = [
  'gen_ai.request.max_tokens',
  'gen_ai.request.temperature',
  'gen_ai.request.top_p',
  'gen_ai.request.top_k',
  'gen_ai.request.choice.count',
];

describe('negative request parameters', () => {
  it('openai: a negative max_tokens, temperature, top_p or n is not exported; negative penalties and seed are', async () => {
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const attrs = await spanOf('openai-negative', () =>
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: -1,
        temperature: -0.5,
        top_p: -1,
        n: -2,
        frequency_penalty: -1.5,
        presence_penalty: -0.25,
        seed: -7,
      }),
    );
    for (const key of NEGATIVE_KEYS) expect(attrs[key], key).toBeUndefined();
    expect(attrs['gen_ai.request.frequency_penalty']).toBe(-1.5);
    expect(attrs['gen_ai.request.presence_penalty']).toBe(-0.25);
    expect(attrs['gen_ai.request.seed']).toBe(-7);
  });

  it('anthropic: a negative max_tokens, temperature, top_p or top_k is not exported', async () => {
    const { Anthropic } = requireAnthropic(1);
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const attrs = await spanOf('anthropic-negative', () =>
      client.messages.create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: -1,
        temperature: -1,
        top_p: -0.5,
        top_k: -3,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    );
    for (const key of NEGATIVE_KEYS) expect(attrs[key], key).toBeUndefined();
  });

  it('google-genai: a negative maxOutputTokens, temperature, topP, topK or candidateCount is not exported; a negative seed is', async () => {
    const genai = requireGoogleGenAI(2);
    const ai = new genai.GoogleGenAI({ apiKey: 'gemini-test', httpOptions: { baseUrl: emulator.geminiBaseURL } });
    const attrs = await spanOf('gemini-negative', () =>
      ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'Hi',
        config: { maxOutputTokens: -1, temperature: -1, topP: -1, topK: -2, candidateCount: -1, seed: -3 },
      }),
    );
    for (const key of NEGATIVE_KEYS) expect(attrs[key], key).toBeUndefined();
    expect(attrs['gen_ai.request.seed']).toBe(-3);
  });

  it('bedrock: a negative maxTokens, temperature or topP is not exported', async () => {
    const sdk = requireBedrock('current');
    const client = new sdk.BedrockRuntimeClient(localClientConfig(emulator.bedrockEndpoint));
    const attrs = await spanOf('bedrock-negative', () =>
      client.send(
        new sdk.ConverseCommand({
          modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
          messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
          inferenceConfig: { maxTokens: -1, temperature: -1, topP: -1 },
        }),
      ),
    );
    for (const key of NEGATIVE_KEYS) expect(attrs[key], key).toBeUndefined();
  });
});
