import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { countTokens, estimateRequestTokens } from '@tokenomics/tokens';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BedrockRuntimeInstrumentation, OpenAIInstrumentation } from '../src';
import { localClientConfig, requireBedrock } from './support/load-bedrock';
import { requireOpenAI } from './support/load-openai';
import { TestTelemetry } from './support/telemetry';

type Obj = Record<string, any>;

/** The one span, once it has ended (an estimate may end the call a little after the stream). */
async function onlySpan(telemetry: TestTelemetry): Promise<ReadableSpan> {
  for (let i = 0; i < 200 && telemetry.spans().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const spans = telemetry.spans();
  expect(spans).toHaveLength(1);
  return spans[0];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const WEATHER = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('output estimates count every generated piece', () => {
  const telemetry = new TestTelemetry();
  // No usage asked for on the app's behalf: the output of these streams can only be estimated.
  const openaiInstrumentation = new OpenAIInstrumentation({ injectStreamUsage: false });
  const bedrockInstrumentation = new BedrockRuntimeInstrumentation();
  let emulator: Emulator;
  let sdk: any;
  let bedrock: any;

  beforeAll(async () => {
    telemetry.instrument(openaiInstrumentation);
    telemetry.instrument(bedrockInstrumentation);
    emulator = await startEmulator({ port: 0 });
    sdk = requireBedrock('current');
    bedrock = new sdk.BedrockRuntimeClient(localClientConfig(emulator.bedrockEndpoint));
  });

  afterEach(async () => {
    await telemetry.settled();
    telemetry.reset();
  });

  afterAll(async () => {
    openaiInstrumentation.disable();
    bedrockInstrumentation.disable();
    bedrock.destroy();
    await emulator.close();
    await telemetry.shutdown();
  });

  for (const major of [6, 5, 4] as const) {
    it(`estimates a chat stream's output from its text and tool-call arguments (openai ${major}.x)`, async () => {
      const { OpenAI } = requireOpenAI(major);
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'Weather in Paris? [emulate output_tokens=9]' }],
        tools: [WEATHER],
        tool_choice: 'required',
      });
      let text = '';
      let args = '';
      for await (const chunk of stream) {
        for (const choice of chunk.choices) {
          text += choice.delta.content ?? '';
          for (const call of choice.delta.tool_calls ?? []) args += call.function?.arguments ?? '';
        }
      }
      expect(args.length).toBeGreaterThan(0);
      const a = (await onlySpan(telemetry)).attributes;
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(text + args, 'gpt-4o-mini').tokens);
    });
  }

  it('counts the function-call argument deltas of an interrupted Responses stream in its output estimate', async () => {
    const { OpenAI } = requireOpenAI(6);
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
    const stream = await client.responses.create({
      model: 'gpt-4o-mini',
      stream: true,
      input: 'Weather in Paris? [emulate output_tokens=10 stream_error_after=6]',
      tools: [
        { type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      ],
      tool_choice: 'required',
    });
    let deltas = 0;
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.function_call_arguments.delta') deltas++;
    }
    // The stream broke off with an error event: no response.completed, so no usage. Responses
    // streams expect usage, so their text is not kept: a stream cut short is estimated at one
    // token per streamed delta, argument deltas included.
    expect(types.at(-1)).toBe('error');
    expect(deltas).toBe(6);
    const a = (await onlySpan(telemetry)).attributes;
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.output_tokens']).toBe(6);
  });

  it("estimates an interrupted ConverseStream's output from its tool input", async () => {
    const response = await bedrock.send(
      new sdk.ConverseStreamCommand({
        modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        messages: [{ role: 'user', content: [{ text: 'Weather in Paris? [emulate output_tokens=12 stream_error_after=7]' }] }],
        toolConfig: {
          tools: [
            { toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } },
          ],
          toolChoice: { tool: { name: 'get_weather' } },
        },
      }),
    );
    let input = '';
    await expect(
      (async () => {
        for await (const event of response.stream) input += event.contentBlockDelta?.delta?.toolUse?.input ?? '';
      })(),
    ).rejects.toThrow();
    expect(input.length).toBeGreaterThan(0);
    const a = (await onlySpan(telemetry)).attributes;
    expect(a['tokenomics.stream.outcome']).toBe('error');
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(input, 'anthropic.claude-3-5-haiku-20241022-v1:0').tokens);
  });

  it("estimates an interrupted Claude-on-Bedrock response stream's output from its input_json_delta tool input", async () => {
    const modelId = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    const out = await bedrock.send(
      new sdk.InvokeModelWithResponseStreamCommand({
        modelId,
        contentType: 'application/json',
        body: encoder.encode(
          JSON.stringify({
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: 256,
            messages: [{ role: 'user', content: 'Weather in Paris? [emulate output_tokens=12 stream_error_after=8]' }],
            tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
            tool_choice: { type: 'tool', name: 'get_weather' },
          }),
        ),
      }),
    );
    let json = '';
    await expect(
      (async () => {
        for await (const event of out.body) {
          const inner = JSON.parse(decoder.decode(event.chunk.bytes));
          if (inner.delta?.type === 'input_json_delta') json += inner.delta.partial_json;
        }
      })(),
    ).rejects.toThrow();
    expect(json.length).toBeGreaterThan(0);
    const a = (await onlySpan(telemetry)).attributes;
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(json, modelId).tokens);
  });

  async function invoke(modelId: string, body: Obj): Promise<Obj> {
    const out = await bedrock.send(
      new sdk.InvokeModelCommand({ modelId, body: encoder.encode(JSON.stringify(body)), contentType: 'application/json' }),
    );
    return JSON.parse(decoder.decode(out.body));
  }

  const withoutUsage: Array<[string, string, Obj, (body: Obj) => string, (body: Obj) => string]> = [
    [
      'Cohere Command',
      'cohere.command-text-v14',
      { prompt: 'Write a line [emulate output_tokens=7 token_headers=0]', max_tokens: 64 },
      (b) => b.prompt,
      (r) => r.generations[0].text,
    ],
    [
      'Cohere Command R',
      'cohere.command-r-v1:0',
      { message: 'Write a line [emulate output_tokens=8 token_headers=0]' },
      (b) => b.message,
      (r) => r.text,
    ],
    [
      'Mistral text',
      'mistral.mistral-7b-instruct-v0:2',
      { prompt: '<s>[INST] Write a line [emulate output_tokens=6 token_headers=0] [/INST]' },
      (b) => b.prompt,
      (r) => r.outputs[0].text,
    ],
  ];
  for (const [family, modelId, request, promptOf, textOf] of withoutUsage) {
    it(`estimates a ${family} InvokeModel answer without usage from its generated text`, async () => {
      const body = await invoke(modelId, request);
      const a = (await onlySpan(telemetry)).attributes;
      expect(a['tokenomics.usage.estimated']).toBe(true);
      expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(textOf(body), modelId).tokens);
      expect(a['gen_ai.usage.input_tokens']).toBe(estimateRequestTokens({ prompt: promptOf(request) }, modelId).tokens);
    });
  }

  it('estimates a Mistral chat InvokeModel answer without usage from choices[].message.content', async () => {
    const modelId = 'mistral.mistral-large-2407-v1:0';
    const messages = [{ role: 'user', content: 'Write a line [emulate output_tokens=5 token_headers=0]' }];
    const body = await invoke(modelId, { messages, max_tokens: 64 });
    const a = (await onlySpan(telemetry)).attributes;
    expect(a['tokenomics.usage.estimated']).toBe(true);
    expect(a['gen_ai.usage.output_tokens']).toBe(countTokens(body.choices[0].message.content, modelId).tokens);
    expect(a['gen_ai.usage.input_tokens']).toBe(estimateRequestTokens({ messages }, modelId).tokens);
  });

  it('records the model an Anthropic-on-Bedrock InvokeModel body names, priced as the profile invoked', async () => {
    // A global cross-region profile: billed at the global rate, not at the regional rate the bare
    // model name would resolve to.
    const modelId = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const body = await invoke(modelId, {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi [emulate output_tokens=4]' }],
    });
    const a = (await onlySpan(telemetry)).attributes;
    expect(body.model).toBe('claude-sonnet-4-5-20250929');
    expect(a['gen_ai.response.model']).toBe(body.model);
    expect(a['gen_ai.response.id']).toBe(body.id);
    // Claude Sonnet 4.5 through a global profile on Bedrock: $3 input, $15 output per million tokens.
    expect(a['gen_ai.usage.cost.amount']).toBeCloseTo((body.usage.input_tokens * 3 + 4 * 15) / 1e6, 15);
  });

  it('records the model of an Anthropic-on-Bedrock response stream from message_start', async () => {
    const modelId = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const out = await bedrock.send(
      new sdk.InvokeModelWithResponseStreamCommand({
        modelId,
        body: encoder.encode(
          JSON.stringify({
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: 64,
            messages: [{ role: 'user', content: 'Hi [emulate output_tokens=4]' }],
          }),
        ),
        contentType: 'application/json',
      }),
    );
    let model: string | undefined;
    for await (const event of out.body) {
      const inner = JSON.parse(decoder.decode(event.chunk.bytes));
      if (inner.type === 'message_start') model = inner.message.model;
    }
    const a = (await onlySpan(telemetry)).attributes;
    expect(model).toBe('claude-3-5-haiku-20241022');
    expect(a['gen_ai.response.model']).toBe(model);
    expect(a['tokenomics.usage.estimated']).toBe(false);
  });
});
