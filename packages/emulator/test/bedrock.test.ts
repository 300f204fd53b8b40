import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ModelStreamErrorException,
  ThrottlingException,
  ValidationException,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

let emulator: Emulator;
let client: BedrockRuntimeClient;
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const LLAMA = 'meta.llama3-8b-instruct-v1:0';
const decoder = new TextDecoder();

beforeAll(async () => {
  emulator = await startEmulator();
  client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emulator.bedrockEndpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});
beforeEach(() => {
  emulator.requests.length = 0;
});

// Prompts use the chat accounting in o200k_base as a stand-in (derived once with tiktoken):
// 3 per message + role 1 + text + 3, the system prompt as one more message.
// 'Hello, world! [emulate cache_read=2 cache_write=3]' is 16 tokens, 'Be brief.' 3.
describe('Bedrock Converse', () => {
  it('reports inputTokens without cache tokens, the cache fields, and a total that includes them', async () => {
    const response = await client.send(
      new ConverseCommand({
        modelId: HAIKU,
        system: [{ text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ text: 'Hello, world! [emulate cache_read=2 cache_write=3]' }] }],
      }),
    );
    // prompt (3 + 1 + 3) + (3 + 1 + 16) + 3 = 30 = 25 input + 2 read + 3 written; reply 23 tokens
    expect(response.usage).toEqual({
      inputTokens: 25,
      outputTokens: 23,
      totalTokens: 53,
      cacheReadInputTokens: 2,
      cacheWriteInputTokens: 3,
    });
    expect(response.stopReason).toBe('end_turn');
    expect(response.output?.message?.role).toBe('assistant');
    expect(response.output?.message?.content?.[0].text).toBe(
      'Please keep the data in the same format as before. Every request has a cost that we can measure and track.',
    );
    expect(typeof response.metrics?.latencyMs).toBe('number');
    expect(response.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [recorded] = emulator.requests;
    expect(recorded.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(recorded.provider).toBe('bedrock');
    expect(recorded.httpVersion).toBe('2.0');
    expect(recorded.headers.authorization).toBe('[redacted]');
  });

  it('leaves the cache fields out when no cache directive is given', async () => {
    const response = await client.send(
      new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'Hi [emulate output_tokens=3]' }] }] }),
    );
    // 3 + 1 + 9 + 3 = 16
    expect(response.usage).toEqual({ inputTokens: 16, outputTokens: 3, totalTokens: 19 });
  });

  it('stops with max_tokens at inferenceConfig.maxTokens', async () => {
    const response = await client.send(
      new ConverseCommand({
        modelId: HAIKU,
        inferenceConfig: { maxTokens: 4 },
        messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
      }),
    );
    expect(response.stopReason).toBe('max_tokens');
    expect(response.usage?.outputTokens).toBe(4);
  });
});

describe('Bedrock ConverseStream', () => {
  it('streams messageStart, one contentBlockDelta per token, contentBlockStop, messageStop and metadata with usage', async () => {
    const response = await client.send(
      new ConverseStreamCommand({
        modelId: 'us.meta.llama3-1-8b-instruct-v1:0',
        messages: [{ role: 'user', content: [{ text: 'Hi [emulate output_tokens=3]' }] }],
      }),
    );
    const events: ConverseStreamOutput[] = [];
    for await (const event of response.stream ?? []) events.push(event);
    expect(events.map((event) => Object.keys(event)[0])).toEqual([
      'messageStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(events[0].messageStart).toEqual({ role: 'assistant' });
    expect(events[5].messageStop).toEqual({ stopReason: 'end_turn' });
    expect(events[6].metadata?.usage).toEqual({ inputTokens: 16, outputTokens: 3, totalTokens: 19 });
    expect(typeof events[6].metadata?.metrics?.latencyMs).toBe('number');
  });

  it('sends a modelStreamErrorException after stream_error_after deltas', async () => {
    const response = await client.send(
      new ConverseStreamCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'Hi [emulate stream_error_after=1]' }] }] }),
    );
    const kinds: string[] = [];
    const error = await (async () => {
      for await (const event of response.stream ?? []) kinds.push(Object.keys(event)[0]);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect((error as ModelStreamErrorException).originalStatusCode).toBe(500);
    expect(kinds).toEqual(['messageStart', 'contentBlockDelta']);
  });

  it('stalls after stall_after deltas until the client aborts', async () => {
    const controller = new AbortController();
    const response = await client.send(
      new ConverseStreamCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'Hi [emulate stall_after=1]' }] }] }),
      { abortSignal: controller.signal },
    );
    let deltas = 0;
    await (async () => {
      for await (const event of response.stream ?? []) {
        if (event.contentBlockDelta !== undefined) {
          deltas += 1;
          setTimeout(() => controller.abort(), 30);
        }
      }
    })().catch(() => undefined);
    expect(deltas).toBe(1);
    await expect.poll(() => emulator.requests[0]?.clientAborted).toBe(true);
  });

  it('writes frames the event-stream codec decodes, with :event-type, :content-type and :message-type headers', async () => {
    const response = await fetch(`${emulator.bedrockEndpoint}/model/${encodeURIComponent(HAIKU)}/converse-stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Hi [emulate output_tokens=1]' }] }] }),
    });
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const bytes = new Uint8Array(await response.arrayBuffer());
    const codec = new EventStreamCodec(
      (input) => decoder.decode(input),
      (input) => new TextEncoder().encode(input),
    );
    const types: string[] = [];
    let offset = 0;
    while (offset < bytes.length) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0);
      const message = codec.decode(bytes.subarray(offset, offset + length));
      expect(message.headers[':message-type'].value).toBe('event');
      expect(message.headers[':content-type'].value).toBe('application/json');
      types.push(String(message.headers[':event-type'].value));
      offset += length;
    }
    expect(types).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
  });
});

describe('Bedrock InvokeModel', () => {
  it('answers an Anthropic Messages body with a Claude message and its usage', async () => {
    const response = await client.send(
      new InvokeModelCommand({
        modelId: HAIKU,
        contentType: 'application/json',
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'Hello, world!' }],
        }),
      }),
    );
    const message = JSON.parse(decoder.decode(response.body)) as Record<string, unknown>;
    expect(message.id).toMatch(/^msg_bdrk_01/);
    expect(message.model).toBe('claude-3-haiku-20240307');
    expect(message.stop_reason).toBe('end_turn');
    // 3 + 1 + 'Hello, world!' 4 + 3 = 11; the reply is 25 tokens
    expect(message.usage).toEqual({ input_tokens: 11, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 25 });
  });

  it('sends the token counts in x-amzn-bedrock-*-token-count headers', async () => {
    const response = await fetch(`${emulator.bedrockEndpoint}/model/${encodeURIComponent(HAIKU)}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hello [emulate output_tokens=4 cache_write=6]' }],
      }),
    });
    // 3 + 1 + 13 + 3 = 20 prompt tokens, 6 of them written to the cache
    expect(response.headers.get('x-amzn-bedrock-input-token-count')).toBe('14');
    expect(response.headers.get('x-amzn-bedrock-output-token-count')).toBe('4');
    expect(Number(response.headers.get('x-amzn-bedrock-invocation-latency'))).toBeGreaterThanOrEqual(0);
    const message = (await response.json()) as { usage: Record<string, number> };
    expect(message.usage).toEqual({ input_tokens: 14, cache_creation_input_tokens: 6, cache_read_input_tokens: 0, output_tokens: 4 });
  });

  it('answers a Meta Llama prompt with generation and its token counts', async () => {
    const response = await client.send(
      new InvokeModelCommand({ modelId: LLAMA, body: JSON.stringify({ prompt: 'Hi [emulate output_tokens=2]', max_gen_len: 50 }) }),
    );
    const answer = JSON.parse(decoder.decode(response.body)) as Record<string, unknown>;
    expect(answer).toEqual({ generation: 'Please keep', prompt_token_count: 9, generation_token_count: 2, stop_reason: 'stop' });
  });

  it('stops a Llama generation at max_gen_len with stop_reason length', async () => {
    const response = await client.send(
      new InvokeModelCommand({ modelId: LLAMA, body: JSON.stringify({ prompt: 'Hello', max_gen_len: 3 }) }),
    );
    const answer = JSON.parse(decoder.decode(response.body)) as Record<string, unknown>;
    expect(answer.generation_token_count).toBe(3);
    expect(answer.stop_reason).toBe('length');
  });

  it('rejects a Claude body without anthropic_version with a ValidationException', async () => {
    const error = await client
      .send(
        new InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify({ max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }) }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).$metadata.httpStatusCode).toBe(400);
    expect((error as ValidationException).message).toContain('required key [anthropic_version] not found');
  });
});

describe('Bedrock InvokeModelWithResponseStream', () => {
  it('wraps Claude stream events in chunk bytes, with invocation metrics on message_stop', async () => {
    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: HAIKU,
        body: JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'Hi [emulate output_tokens=2]' }],
        }),
      }),
    );
    const events: Array<Record<string, unknown>> = [];
    for await (const part of response.body ?? []) {
      events.push(JSON.parse(decoder.decode(part.chunk?.bytes)) as Record<string, unknown>);
    }
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect((events[0].message as { usage: unknown }).usage).toEqual({
      input_tokens: 16,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 1,
    });
    expect(events[5].usage).toEqual({ output_tokens: 2 });
    expect(events[6]['amazon-bedrock-invocationMetrics']).toMatchObject({ inputTokenCount: 16, outputTokenCount: 2 });
  });

  it('streams Llama generation chunks with the prompt count first and the totals last', async () => {
    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({ modelId: LLAMA, body: JSON.stringify({ prompt: 'Hi [emulate output_tokens=2]' }) }),
    );
    const chunks: Array<Record<string, unknown>> = [];
    for await (const part of response.body ?? []) chunks.push(JSON.parse(decoder.decode(part.chunk?.bytes)) as Record<string, unknown>);
    expect(chunks.map(({ 'amazon-bedrock-invocationMetrics': _metrics, ...chunk }) => chunk)).toEqual([
      { generation: 'Please', prompt_token_count: 9, generation_token_count: 1, stop_reason: null },
      { generation: ' keep', prompt_token_count: null, generation_token_count: 2, stop_reason: null },
      { generation: '', prompt_token_count: null, generation_token_count: 2, stop_reason: 'stop' },
    ]);
    expect(chunks[2]['amazon-bedrock-invocationMetrics']).toMatchObject({ inputTokenCount: 9, outputTokenCount: 2 });
  });
});

describe('Bedrock errors', () => {
  it('answers error=429 with a ThrottlingException', async () => {
    const error = await client
      .send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'Hi [emulate error=429]' }] }] }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(429);
  });

  it('answers error=401 as AWS does for a bad signature: 403 UnrecognizedClientException', async () => {
    const error = (await client
      .send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'Hi [emulate error=401]' }] }] }))
      .catch((caught: unknown) => caught)) as { name: string; $metadata: { httpStatusCode: number } };
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('rejects an InvokeModel body for an unsupported model family, naming the model and what is accepted', async () => {
    const error = await client
      .send(new InvokeModelCommand({ modelId: 'amazon.titan-text-express-v1', body: JSON.stringify({ inputText: 'Hi' }) }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).message).toBe(
      'The emulator\'s InvokeModel accepts Anthropic Claude (anthropic.*), Meta Llama (meta.*), Cohere Command (cohere.*) and Mistral (mistral.*) request bodies; got model "amazon.titan-text-express-v1"',
    );
  });
});
