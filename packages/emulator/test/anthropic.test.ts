import Anthropic, { APIError, AuthenticationError, BadRequestError, InternalServerError, RateLimitError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

let emulator: Emulator;
let client: Anthropic;

beforeAll(async () => {
  emulator = await startEmulator();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: emulator.anthropicBaseURL, maxRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.requests.length = 0;
});

// Claude's tokenizer is not public: the emulator counts prompts with the chat accounting in
// o200k_base (derived once with tiktoken): 3 per message + role 1 + text + 3 reply priming,
// the system prompt as one more message. 'Hello, world!' is 4 tokens, so one user message is 11.
describe('Anthropic Messages API (non-streaming)', () => {
  it('returns a message with text content and usage that excludes cache tokens from input_tokens', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Cache me [emulate cache_write=5 cache_write_1h=4 cache_read=6 output_tokens=2]' }],
    });
    expect(message.id).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('claude-sonnet-4-5-20250929');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.stop_sequence).toBeNull();
    expect(message.content).toHaveLength(1);
    expect(message.content[0].type).toBe('text');
    // prompt: (3 + 1 + 'You are terse.' 4) + (3 + 1 + directive text 25) + 3 = 40 = 25 input + 6 read + 5 + 4 written
    expect(message.usage).toEqual({
      input_tokens: 25,
      cache_creation_input_tokens: 9,
      cache_read_input_tokens: 6,
      cache_creation: { ephemeral_5m_input_tokens: 5, ephemeral_1h_input_tokens: 4 },
      output_tokens: 2,
      service_tier: 'standard',
    });
  });

  it('reports web search requests under server_tool_use', async () => {
    const message = await client.messages.create({
      model: 'claude-opus-4-1-20250805',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hello, world! [emulate cache_read=3 cache_write=2 web_search=1]' }],
    });
    expect(message.model).toBe('claude-opus-4-1-20250805');
    // 3 + 1 + 20 + 3 = 27 prompt tokens: 22 input + 3 read + 2 written
    expect(message.usage.input_tokens).toBe(22);
    expect(message.usage.server_tool_use).toEqual({ web_search_requests: 1 });
    // the reply for this prompt is two corpus sentences of 25 tokens
    expect(message.usage.output_tokens).toBe(25);
  });

  it('stops with max_tokens when the reply reaches the limit', async () => {
    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 3,
      messages: [{ role: 'user', content: 'Hello, world!' }],
    });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.output_tokens).toBe(3);
    expect(message.usage.input_tokens).toBe(11);
  });

  it('counts tokens with count_tokens the same way as the message input', async () => {
    const counted = await client.messages.countTokens({
      model: 'claude-sonnet-4-0',
      messages: [{ role: 'user', content: 'Hello, world!' }],
    });
    expect(counted).toEqual({ input_tokens: 11 });
    expect(emulator.requests[0].path).toBe('/v1/messages/count_tokens');
  });

  it('records the request with the API key redacted', async () => {
    await client.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    expect(emulator.requests[0].provider).toBe('anthropic');
    expect(emulator.requests[0].headers['x-api-key']).toBe('[redacted]');
    expect(emulator.requests[0].headers['anthropic-version']).toBe('2023-06-01');
  });
});

describe('Anthropic Messages API (streaming)', () => {
  it('sends message_start, content_block_start, ping, deltas, content_block_stop, message_delta and message_stop', async () => {
    const response = await fetch(`${emulator.anthropicBaseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-0',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'Hello [emulate output_tokens=3]' }],
      }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = (await response.text())
      .split('\n\n')
      .filter((event) => event.length > 0)
      .map((event) => {
        const [eventLine, dataLine] = event.split('\n');
        return { event: eventLine.replace('event: ', ''), data: JSON.parse(dataLine.replace('data: ', '')) as Record<string, unknown> };
      });
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const event of events) expect(event.data.type).toBe(event.event);
    // 3 + 1 + 'Hello [emulate output_tokens=3]' 9 + 3 = 16
    expect((events[0].data.message as { usage: unknown }).usage).toEqual({
      input_tokens: 16,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: 1,
      service_tier: 'standard',
    });
    expect(events[7].data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 16, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 3 },
    });
  });

  it('lets the SDK stream helper build the final message with the cumulative usage', async () => {
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-0',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hello [emulate output_tokens=3 cache_read=4]' }],
    });
    const text: string[] = [];
    stream.on('text', (delta) => text.push(delta));
    const final = await stream.finalMessage();
    expect(text).toHaveLength(3);
    expect((final.content[0] as Anthropic.TextBlock).text).toBe(text.join(''));
    // 'Hello [emulate output_tokens=3 cache_read=4]' is 13 tokens: 3 + 1 + 13 + 3 = 20 = 16 input + 4 read
    expect(final.usage.input_tokens).toBe(16);
    expect(final.usage.cache_read_input_tokens).toBe(4);
    expect(final.usage.output_tokens).toBe(3);
  });

  it('sends an error event after stream_error_after deltas that the SDK raises as an APIError', async () => {
    const stream = await client.messages.create({
      model: 'claude-sonnet-4-0',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'Hi [emulate stream_error_after=2]' }],
    });
    const types: string[] = [];
    const error = await (async () => {
      for await (const event of stream) types.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('overloaded_error');
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta']);
  });

  it('stalls after stall_after deltas until the client aborts', async () => {
    const controller = new AbortController();
    const stream = await client.messages.create(
      { model: 'claude-sonnet-4-0', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi [emulate stall_after=1]' }] },
      { signal: controller.signal },
    );
    let deltas = 0;
    await (async () => {
      for await (const event of stream) {
        if (event.type === 'content_block_delta') {
          deltas += 1;
          setTimeout(() => controller.abort(), 30);
        }
      }
    })().catch(() => undefined);
    expect(deltas).toBe(1);
    await expect.poll(() => emulator.requests[0]?.clientAborted).toBe(true);
  });
});

describe('Anthropic errors', () => {
  it('answers error=401 with an AuthenticationError of type authentication_error', async () => {
    const error = await client.messages
      .create({ model: 'claude-sonnet-4-0', max_tokens: 10, messages: [{ role: 'user', content: 'Hi [emulate error=401]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).type).toBe('authentication_error');
  });

  it('answers error=429 with a RateLimitError, retry-after and rate-limit headers', async () => {
    const retrying = new Anthropic({ apiKey: 'k', baseURL: emulator.anthropicBaseURL, maxRetries: 1 });
    const error = await retrying.messages
      .create({ model: 'claude-sonnet-4-0', max_tokens: 10, messages: [{ role: 'user', content: 'Hi [emulate error=429]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.type).toBe('rate_limit_error');
    expect(rateLimit.headers?.get('retry-after')).toBe('0');
    expect(rateLimit.headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(rateLimit.requestID).toMatch(/^req_011C/);
    expect(emulator.requests).toHaveLength(2);
  });

  it('answers error=529 with an overloaded_error the SDK treats as a server error', async () => {
    const error = await client.messages
      .create({ model: 'claude-sonnet-4-0', max_tokens: 10, messages: [{ role: 'user', content: 'Hi [emulate error=529]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(529);
    expect((error as InternalServerError).type).toBe('overloaded_error');
  });

  it('answers a request without max_tokens with a 400 naming the field', async () => {
    const error = await client.messages
      .create({
        model: 'claude-sonnet-4-0',
        messages: [{ role: 'user', content: 'Hi' }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
  });
});
