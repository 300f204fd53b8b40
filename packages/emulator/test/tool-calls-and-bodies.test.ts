import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { countTokens } from '@tokenomics/tokens';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

let emulator: Emulator;
let openai: OpenAI;
let bedrock: BedrockRuntimeClient;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

beforeAll(async () => {
  emulator = await startEmulator();
  openai = new OpenAI({ apiKey: 'sk-test-key', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
  bedrock = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emulator.bedrockEndpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  bedrock.destroy();
  await emulator.close();
});

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('OpenAI chat tool calls', () => {
  it('answers a forced function with a tool call whose arguments are JSON, billed as output', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather please [emulate output_tokens=6]' }],
      tools: [WEATHER],
      tool_choice: 'required',
    });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0] as { id: string; type: string; function: { name: string; arguments: string } };
    expect(call.id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(call.type).toBe('function');
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments);
    expect(Object.keys(args)).toEqual(['city']);
    expect(completion.usage!.completion_tokens).toBe(countTokens(call.function.arguments, 'gpt-4o-mini').tokens);
  });

  it('streams the arguments of a named function in tool_calls deltas and ends with finish_reason stop', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Weather please [emulate output_tokens=6]' }],
      tools: [WEATHER],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const first = chunks[0].choices[0].delta;
    expect(first.role).toBe('assistant');
    expect(first.content).toBeNull();
    expect(first.tool_calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } });
    const pieces = chunks
      .slice(1)
      .flatMap((c) => c.choices.flatMap((ch: any) => ch.delta.tool_calls ?? []).map((t: any) => t.function.arguments));
    expect(pieces.length).toBe(8); // opening, 6 reply tokens, closing
    const args = pieces.join('');
    expect(typeof JSON.parse(args).city).toBe('string');
    const finish = chunks.flatMap((c) => c.choices).find((ch: any) => ch.finish_reason);
    expect(finish.finish_reason).toBe('stop');
    expect(chunks.at(-1).usage.completion_tokens).toBe(countTokens(args, 'gpt-4o-mini').tokens);
  });

  it('answers in text when tool_choice leaves the choice to the model', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi [emulate output_tokens=3]' }],
      tools: [WEATHER],
    });
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
    expect(completion.choices[0].finish_reason).toBe('stop');
  });
});

describe('OpenAI Responses function calls', () => {
  const tools = [
    {
      type: 'function' as const,
      name: 'get_weather',
      strict: false,
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  ];

  it('answers a forced function with a function_call output item, billed as output', async () => {
    const response = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: 'Weather [emulate output_tokens=5]',
      tools,
      tool_choice: 'required',
    });
    expect(response.status).toBe('completed');
    const item = response.output[0] as any;
    expect(item.type).toBe('function_call');
    expect(item.id).toMatch(/^fc_[0-9a-f]{48}$/);
    expect(item.call_id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(item.name).toBe('get_weather');
    expect(Object.keys(JSON.parse(item.arguments))).toEqual(['city']);
    expect(response.usage!.output_tokens).toBe(countTokens(item.arguments, 'gpt-4o-mini').tokens);
  });

  it('streams function_call_arguments deltas, their done event, and response.completed with the item', async () => {
    const stream = await openai.responses.create({
      model: 'gpt-4o-mini',
      input: 'Weather [emulate output_tokens=5]',
      tools,
      tool_choice: { type: 'function', name: 'get_weather' },
      stream: true,
    });
    const events: any[] = [];
    for await (const e of stream) events.push(e);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta');
    expect(deltas).toHaveLength(7); // opening, 5 reply tokens, closing
    const args = deltas.map((e) => e.delta).join('');
    expect(events.find((e) => e.type === 'response.function_call_arguments.done').arguments).toBe(args);
    const completed = events.at(-1);
    expect(completed.type).toBe('response.completed');
    expect(completed.response.output[0].arguments).toBe(args);
    expect(completed.response.usage.output_tokens).toBe(countTokens(args, 'gpt-4o-mini').tokens);
  });
});

describe('Anthropic Messages tool use', () => {
  const tools = [
    {
      name: 'get_weather',
      description: 'Weather in a city',
      input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
    },
  ];

  it('answers a forced tool with a tool_use block and stop_reason tool_use, billed as output', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-0',
      max_tokens: 200,
      messages: [{ role: 'user', content: 'Weather [emulate output_tokens=5]' }],
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    expect(message.stop_reason).toBe('tool_use');
    const block = message.content[0] as any;
    expect(block.type).toBe('tool_use');
    expect(block.id).toMatch(/^toolu_01[A-Za-z0-9]{22}$/);
    expect(Object.keys(block.input)).toEqual(['city']);
    expect(message.usage.output_tokens).toBe(countTokens(JSON.stringify(block.input), 'claude-sonnet-4-0').tokens);
  });

  it('streams the tool input as input_json_delta events after a tool_use content_block_start', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
    const stream = await client.messages.create({
      model: 'claude-sonnet-4-0',
      max_tokens: 200,
      stream: true,
      messages: [{ role: 'user', content: 'Weather [emulate output_tokens=5]' }],
      tools,
      tool_choice: { type: 'any' },
    });
    const events: any[] = [];
    for await (const e of stream) events.push(e);
    expect(events[1]).toMatchObject({ type: 'content_block_start', content_block: { type: 'tool_use', name: 'get_weather', input: {} } });
    const json = events
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => e.delta.partial_json)
      .join('');
    expect(typeof JSON.parse(json).city).toBe('string');
    const delta = events.find((e) => e.type === 'message_delta');
    expect(delta.delta.stop_reason).toBe('tool_use');
    expect(delta.usage.output_tokens).toBe(countTokens(json, 'claude-sonnet-4-0').tokens);
  });
});

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const TOOL_CONFIG = {
  tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } }],
  toolChoice: { tool: { name: 'get_weather' } },
};

describe('Bedrock Converse tool use', () => {
  it('answers a forced tool with a toolUse block whose input is an object and stopReason tool_use', async () => {
    const response = await bedrock.send(
      new ConverseCommand({
        modelId: HAIKU,
        messages: [{ role: 'user', content: [{ text: 'Weather [emulate output_tokens=5]' }] }],
        toolConfig: TOOL_CONFIG as any,
      }),
    );
    expect(response.stopReason).toBe('tool_use');
    const toolUse = response.output!.message!.content![0].toolUse!;
    expect(toolUse.name).toBe('get_weather');
    expect(toolUse.toolUseId).toMatch(/^tooluse_[A-Za-z0-9]{22}$/);
    expect(Object.keys(toolUse.input as object)).toEqual(['city']);
  });

  it('streams contentBlockStart with the tool, then toolUse.input pieces, billed as output', async () => {
    const out = await bedrock.send(
      new ConverseStreamCommand({
        modelId: HAIKU,
        messages: [{ role: 'user', content: [{ text: 'Weather [emulate output_tokens=5]' }] }],
        toolConfig: TOOL_CONFIG as any,
      }),
    );
    const events: any[] = [];
    for await (const e of out.stream!) events.push(e);
    expect(events[1].contentBlockStart.start.toolUse.name).toBe('get_weather');
    const input = events
      .filter((e) => e.contentBlockDelta)
      .map((e) => e.contentBlockDelta.delta.toolUse.input)
      .join('');
    expect(typeof JSON.parse(input).city).toBe('string');
    expect(events.find((e) => e.messageStop).messageStop.stopReason).toBe('tool_use');
    expect(events.at(-1).metadata.usage.outputTokens).toBe(countTokens(input, HAIKU).tokens);
  });
});

async function invoke(modelId: string, body: unknown, headers = false) {
  const out = await bedrock.send(
    new InvokeModelCommand({ modelId, body: encoder.encode(JSON.stringify(body)), contentType: 'application/json' }),
  );
  return { body: JSON.parse(decoder.decode(out.body)), headers };
}

describe('Bedrock InvokeModel: Cohere and Mistral bodies (no usage in the body)', () => {
  it('answers Cohere Command with generations[].text and finish_reason', async () => {
    const { body } = await invoke('cohere.command-text-v14', { prompt: 'Write a line [emulate output_tokens=7]', max_tokens: 100 });
    expect(body.generations).toHaveLength(1);
    expect(body.generations[0].finish_reason).toBe('COMPLETE');
    expect(countTokens(body.generations[0].text, 'cohere.command-text-v14').tokens).toBe(7);
    expect(body.prompt).toBe('Write a line [emulate output_tokens=7]');
    expect(body.usage).toBeUndefined();
  });

  it('answers Cohere Command R with text, chat_history and finish_reason, MAX_TOKENS when cut', async () => {
    const { body } = await invoke('cohere.command-r-v1:0', { message: 'Write a line [emulate output_tokens=9]', max_tokens: 4 });
    expect(body.finish_reason).toBe('MAX_TOKENS');
    expect(countTokens(body.text, 'cohere.command-r-v1:0').tokens).toBe(4);
    expect(body.chat_history.at(-1)).toEqual({ role: 'CHATBOT', message: body.text });
  });

  it('answers a Mistral prompt with outputs[].text and stop_reason', async () => {
    const { body } = await invoke('mistral.mistral-7b-instruct-v0:2', {
      prompt: '<s>[INST] Write a line [emulate output_tokens=5] [/INST]',
      max_tokens: 50,
    });
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0].stop_reason).toBe('stop');
    expect(countTokens(body.outputs[0].text, 'mistral.mistral-7b-instruct-v0:2').tokens).toBe(5);
  });

  it('answers Mistral chat messages with choices[].message.content and stop_reason', async () => {
    const { body } = await invoke('mistral.mistral-large-2407-v1:0', {
      messages: [{ role: 'user', content: 'Write a line [emulate output_tokens=6]' }],
      max_tokens: 50,
    });
    expect(body.choices[0].message.role).toBe('assistant');
    expect(body.choices[0].stop_reason).toBe('stop');
    expect(countTokens(body.choices[0].message.content, 'mistral.mistral-large-2407-v1:0').tokens).toBe(6);
  });

  it('leaves out the token-count headers with token_headers=0, and sends them otherwise', async () => {
    const seen: Array<Record<string, string>> = [];
    const capture = (next: any) => async (args: any) => {
      const result = await next(args);
      seen.push(result.response.headers);
      return result;
    };
    bedrock.middlewareStack.add(capture, { step: 'deserialize', name: 'captureHeaders' });
    try {
      await invoke('mistral.mistral-7b-instruct-v0:2', { prompt: 'Hi [emulate output_tokens=3]' });
      await invoke('mistral.mistral-7b-instruct-v0:2', { prompt: 'Hi [emulate output_tokens=3 token_headers=0]' });
    } finally {
      bedrock.middlewareStack.remove('captureHeaders');
    }
    expect(seen[0]['x-amzn-bedrock-output-token-count']).toBe('3');
    expect(seen[1]['x-amzn-bedrock-output-token-count']).toBeUndefined();
    expect(seen[1]['x-amzn-bedrock-input-token-count']).toBeUndefined();
  });
});
