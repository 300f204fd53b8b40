import OpenAI, { AuthenticationError, BadRequestError, InternalServerError, RateLimitError, APIError } from 'openai';
import { countTokens } from '@tokenomics/tokens';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

let emulator: Emulator;
let client: OpenAI;

beforeAll(async () => {
  emulator = await startEmulator();
  client = new OpenAI({ apiKey: 'sk-test-key', baseURL: emulator.openaiBaseURL, maxRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.requests.length = 0;
});

// Prompt token counts below follow OpenAI's chat accounting, derived once with tiktoken:
// 3 per message + role (1) + content + 3 reply priming. In o200k_base 'Hello, world!' is 4
// tokens, so [{ role: 'user', content: 'Hello, world!' }] is 3 + 1 + 4 + 3 = 11.
describe('chat completions (non-streaming)', () => {
  it('reports exact usage with every detail field and the dated snapshot model', async () => {
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, world!' }] })
      .withResponse();
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
    expect(completion.service_tier).toBe('default');
    expect(completion.system_fingerprint).toMatch(/^fp_[0-9a-f]{10}$/);
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.choices[0].logprobs).toBeNull();
    expect(completion.choices[0].message.role).toBe('assistant');
    // The reply for this prompt is two fixed corpus sentences of 25 tokens in o200k_base.
    expect(completion.choices[0].message.content).toBe(
      'The team can see the spend for each model in one place. You can set a limit for each team and each project.',
    );
    expect(completion.usage).toEqual({
      prompt_tokens: 11,
      completion_tokens: 25,
      total_tokens: 36,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(Number(response.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(0);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('gives the same reply for the same prompt and counts completion tokens with tiktoken', async () => {
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'What does a call cost?' }] };
    const first = await client.chat.completions.create(request);
    const second = await client.chat.completions.create(request);
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content);
    expect(first.usage?.completion_tokens).toBe(countTokens(first.choices[0].message.content ?? '', 'gpt-4o').tokens);
  });

  it('echoes unknown model names and snapshots other aliases', async () => {
    const unknown = await client.chat.completions.create({ model: 'my-finetune', messages: [{ role: 'user', content: 'Hi' }] });
    expect(unknown.model).toBe('my-finetune');
    const gpt4o = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(gpt4o.model).toBe('gpt-4o-2024-08-06');
  });

  it('counts the directive text toward the prompt and replies with exactly output_tokens tokens', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi [emulate output_tokens=7]' },
      ],
    });
    // (3 + 1 + 'You are terse.' 4) + (3 + 1 + 'Hi [emulate output_tokens=7]' 9) + 3 = 24
    expect(completion.usage?.prompt_tokens).toBe(24);
    expect(completion.usage?.completion_tokens).toBe(7);
    expect(countTokens(completion.choices[0].message.content ?? '', 'gpt-4o').tokens).toBe(7);
  });

  it('reports cached tokens capped at the prompt and adds reasoning tokens to the completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'o4-mini',
      messages: [{ role: 'user', content: 'Think [emulate cached=1000 reasoning=64 output_tokens=5]' }],
    });
    const promptTokens = completion.usage?.prompt_tokens ?? 0;
    // 3 + 1 + 'Think [emulate cached=1000 reasoning=64 output_tokens=5]' (16) + 3 = 23
    expect(promptTokens).toBe(23);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(23);
    expect(completion.usage?.completion_tokens).toBe(69);
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(64);
    expect(completion.usage?.total_tokens).toBe(92);
    expect(completion.model).toBe('o4-mini-2025-04-16');
  });

  it('cuts the reply at max_completion_tokens with finish_reason length', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      max_completion_tokens: 5,
      messages: [{ role: 'user', content: 'Hello, world!' }],
    });
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.choices[0].message.content).toBe('The team can see the');
    expect(completion.usage?.completion_tokens).toBe(5);
  });

  it('returns n choices and bills all of them', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      n: 3,
      messages: [{ role: 'user', content: 'Hello [emulate output_tokens=4]' }],
    });
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1, 2]);
    expect(completion.usage?.completion_tokens).toBe(12);
  });

  it('echoes a requested service tier', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      service_tier: 'flex',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.service_tier).toBe('flex');
  });

  it('takes directives from the x-emulate header as well', async () => {
    const completion = await client.chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello, world!' }] },
      { headers: { 'x-emulate': 'output_tokens=3;cached=4' } },
    );
    expect(completion.usage?.prompt_tokens).toBe(11);
    expect(completion.usage?.completion_tokens).toBe(3);
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(4);
  });

  it('reads directives only from the last user message', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: '[emulate output_tokens=2]' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'Hello [emulate output_tokens=9]' },
      ],
    });
    expect(completion.usage?.completion_tokens).toBe(9);
  });

  it('records the request with its body and directives and redacts the API key', async () => {
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate output_tokens=2]' }] });
    expect(emulator.requests).toHaveLength(1);
    const [recorded] = emulator.requests;
    expect(recorded.method).toBe('POST');
    expect(recorded.path).toBe('/v1/chat/completions');
    expect(recorded.httpVersion).toBe('1.1');
    expect(recorded.provider).toBe('openai');
    expect(recorded.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(recorded)).not.toContain('sk-test-key');
    expect(recorded.body).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate output_tokens=2]' }] });
    expect(recorded.directives).toEqual({ output_tokens: '2' });
    expect(recorded.status).toBe(200);
    expect(recorded.clientAborted).toBe(false);
  });
});

describe('chat completions (streaming)', () => {
  it('streams one token per chunk, role first, finish_reason last, and no usage key without include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Hello, world!' }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    // role chunk + 25 content chunks + finish chunk
    expect(chunks).toHaveLength(27);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices[0].delta).toEqual({});
    for (const chunk of chunks) {
      expect('usage' in chunk).toBe(false);
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk.model).toBe('gpt-4o-mini-2024-07-18');
      expect(chunk.id).toBe(chunks[0].id);
    }
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('The team can see the spend for each model in one place. You can set a limit for each team and each project.');
    expect(chunks[1].choices[0].delta.content).toBe('The');
    expect(chunks[2].choices[0].delta.content).toBe(' team');
  });

  it('with include_usage sends usage null on every chunk and a final chunk with no choices and the usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hello, world! [emulate output_tokens=4 cached=3 reasoning=2]' }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    // role + 4 content + finish + usage
    expect(chunks).toHaveLength(7);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    // 3 + 1 + 'Hello, world! [emulate output_tokens=4 cached=3 reasoning=2]' (18) + 3 = 25
    expect(last?.usage).toEqual({
      prompt_tokens: 25,
      completion_tokens: 6,
      total_tokens: 31,
      prompt_tokens_details: { cached_tokens: 3, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });

  it('sends the SSE wire format with data lines and a [DONE] terminator', async () => {
    const response = await fetch(`${emulator.openaiBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi [emulate output_tokens=2]' }] }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const body = await response.text();
    const events = body.split('\n\n').filter((event) => event.length > 0);
    expect(events).toHaveLength(5);
    for (const event of events) expect(event.startsWith('data: ')).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('surfaces stream_error_after as an APIError after N content chunks', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'Hi [emulate stream_error_after=3]' }],
    });
    const contents: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) contents.push(content);
      }
    };
    const error = await consume().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('server_error');
    expect((error as APIError).message).toContain('The server had an error while processing your request');
    expect(contents).toHaveLength(3);
  });

  it('stalls after stall_after chunks until the client aborts, and records the abort', async () => {
    // The SDK ends iteration quietly when its own signal aborts the stream.
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi [emulate stall_after=2]' }] },
      { signal: controller.signal },
    );
    const contents: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content;
        if (content) contents.push(content);
        if (contents.length === 2) setTimeout(() => controller.abort(), 50);
      }
    };
    const started = Date.now();
    await consume();
    expect(contents).toHaveLength(2);
    expect(controller.signal.aborted).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    await expect.poll(() => emulator.requests[0]?.clientAborted).toBe(true);
  });

  it('waits ttfc_ms before the first chunk', async () => {
    const started = Date.now();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'Hi [emulate ttfc_ms=300 output_tokens=1]' }],
    });
    let firstChunkAt = 0;
    for await (const chunk of stream) {
      if (firstChunkAt === 0) firstChunkAt = Date.now();
      void chunk;
    }
    expect(firstChunkAt - started).toBeGreaterThanOrEqual(290);
  });
});

describe('OpenAI errors', () => {
  it('answers error=400 with a BadRequestError carrying the invalid_request_error type', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate error=400]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
    expect((error as BadRequestError).type).toBe('invalid_request_error');
    expect((error as BadRequestError).requestID).toMatch(/^req_/);
  });

  it('answers error=401 with an AuthenticationError and code invalid_api_key', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate error=401]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).code).toBe('invalid_api_key');
  });

  it('answers error=429 with retry-after 0 and rate-limit headers, so SDK retries are immediate', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 2 });
    const started = Date.now();
    const error = await retrying.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate error=429]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.code).toBe('rate_limit_exceeded');
    expect(rateLimit.headers?.get('retry-after')).toBe('0');
    expect(rateLimit.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(emulator.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('honours retry_after: the SDK waits that many seconds before retrying', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 1 });
    const started = Date.now();
    const error = await retrying.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate error=429 retry_after=1]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers?.get('retry-after')).toBe('1');
    expect(emulator.requests).toHaveLength(2);
    expect(emulator.requests[1].receivedAt - emulator.requests[0].receivedAt).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('fails only the first error_times attempts so a retry succeeds', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-test', baseURL: emulator.openaiBaseURL, maxRetries: 2 });
    const completion = await retrying.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Retry me [emulate error=429 error_times=1 output_tokens=2]' }],
    });
    expect(completion.usage?.completion_tokens).toBe(2);
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 200]);
  });

  it('answers error=500 with an InternalServerError of type server_error', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate error=500]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(500);
    expect((error as InternalServerError).type).toBe('server_error');
  });

  it('rejects an unknown directive with a 400 naming the key and the accepted keys', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate output_tokenz=3]' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain("emulate directive key 'output_tokenz' is unknown; accepted keys: error,");
  });

  it('rejects a directive value that is not a non-negative integer', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi [emulate output_tokens=-2]' }] })
      .catch((caught: unknown) => caught);
    expect((error as BadRequestError).message).toContain('emulate directive output_tokens=-2 is invalid; accepted: a non-negative integer');
  });

  it('answers a request without messages with missing_required_parameter on param messages', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o' } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe('messages');
    expect((error as BadRequestError).code).toBe('missing_required_parameter');
  });

  it('answers an unknown path with a 404 invalid_request_error', async () => {
    const response = await fetch(`${emulator.openaiBaseURL}/nothing`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: 'Invalid URL (POST /v1/nothing)', type: 'invalid_request_error', param: null, code: null },
    });
  });
});
