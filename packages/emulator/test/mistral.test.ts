import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';

// Field names from the Mistral AI API reference, https://docs.mistral.ai/api/ (chat completions,
// FIM completions, embeddings, error answers).

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

/** A response whose JSON body is read as the loosely typed wire object it is. */
type WireResponse = Omit<Response, 'json'> & { json(): Promise<any> };

const post = (path: string, body: unknown): Promise<WireResponse> =>
  fetch(`${emulator.mistralServerURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify(body),
  });

/** The JSON payloads of a data-only server-sent event stream, `[DONE]` left out. */
async function sseData(res: WireResponse): Promise<{ events: Array<Record<string, any>>; done: boolean }> {
  const text = await res.text();
  const data = text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
  return { events: data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d)), done: data.at(-1) === '[DONE]' };
}

describe('Mistral chat completions', () => {
  it('answers with a chat.completion whose usage counts the prompt and the reply', async () => {
    const res = await post('/v1/chat/completions', { model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('mistral-correlation-id')).toMatch(/^[0-9a-f]{32}$/);
    const body = await res.json();
    expect(body).toMatchObject({ object: 'chat.completion', model: 'mistral-small-latest' });
    expect(typeof body.id).toBe('string');
    expect(Number.isInteger(body.created)).toBe(true);
    expect(body.choices).toHaveLength(1);
    expect(body.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', tool_calls: null, prefix: false },
    });
    const { prompt_tokens, completion_tokens, total_tokens } = body.usage;
    expect(prompt_tokens).toBeGreaterThan(0);
    expect(completion_tokens).toBeGreaterThan(0);
    expect(total_tokens).toBe(prompt_tokens + completion_tokens);
  });

  it('reports cached prompt tokens in usage.prompt_tokens_details.cached_tokens when asked to', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'mistral-medium-latest',
      messages: [{ role: 'user', content: 'A long shared prefix, then a question [emulate cached=8]' }],
    });
    const body = await res.json();
    expect(body.usage.prompt_tokens_details).toEqual({ cached_tokens: 8 });
  });

  it('counts reasoning tokens in completion_tokens and reports them in completion_tokens_details', async () => {
    const body = await (
      await post('/v1/chat/completions', {
        model: 'magistral-medium-latest',
        messages: [{ role: 'user', content: 'Think [emulate reasoning=40 output_tokens=10]' }],
      })
    ).json();
    expect(body.usage.completion_tokens).toBe(50);
    expect(body.usage.completion_tokens_details).toEqual({ reasoning_tokens: 40 });
  });

  it('stops at max_tokens with finish_reason length', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 3,
    });
    const body = await res.json();
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(3);
  });

  it('streams chat.completion.chunk events with the usage in the last chunk, then [DONE]', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Hello [emulate output_tokens=5]' }],
      stream: true,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const { events, done } = await sseData(res);
    expect(done).toBe(true);
    expect(events.every((e) => e.object === 'chat.completion.chunk')).toBe(true);
    expect(events[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const content = events.filter((e) => e.choices[0].delta.content);
    expect(content).toHaveLength(5);
    expect(events.slice(0, -1).every((e) => e.usage === undefined)).toBe(true);
    const last = events.at(-1)!;
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.usage.completion_tokens).toBe(5);
    expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + 5);
  });

  it('sends an error object and closes the stream at stream_error_after', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Hello [emulate stream_error_after=2]' }],
      stream: true,
    });
    const { events, done } = await sseData(res);
    expect(done).toBe(false);
    expect(events.at(-1)).toMatchObject({ object: 'error', type: 'internal_server_error' });
  });
});

describe('Mistral FIM completions', () => {
  it('counts the prompt and the suffix as prompt tokens', async () => {
    const withSuffix = await (
      await post('/v1/fim/completions', { model: 'codestral-latest', prompt: 'def f(x):', suffix: 'return y' })
    ).json();
    const without = await (await post('/v1/fim/completions', { model: 'codestral-latest', prompt: 'def f(x):' })).json();
    expect(withSuffix.object).toBe('chat.completion');
    expect(withSuffix.usage.prompt_tokens).toBeGreaterThan(without.usage.prompt_tokens);
  });

  it('answers 400 in the Mistral error shape when the prompt is missing', async () => {
    const res = await post('/v1/fim/completions', { model: 'codestral-latest' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ object: 'error', param: 'prompt' });
  });
});

describe('Mistral embeddings', () => {
  it('embeds each input with 1024 dimensions and reports prompt tokens only', async () => {
    const res = await post('/v1/embeddings', { model: 'mistral-embed', input: ['road bike', 'gravel bike'] });
    const body = await res.json();
    expect(body).toMatchObject({ object: 'list', model: 'mistral-embed' });
    expect(body.data.map((d: { index: number; object: string }) => [d.index, d.object])).toEqual([
      [0, 'embedding'],
      [1, 'embedding'],
    ]);
    expect(body.data[0].embedding).toHaveLength(1024);
    expect(body.usage.completion_tokens).toBe(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens);
  });
});

describe('Mistral errors', () => {
  it('answers an error directive with { object: error, message, type, param, code } and retry-after on 429', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'x [emulate error=429]' }],
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('0');
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'message', 'object', 'param', 'type']);
    expect(body).toMatchObject({ object: 'error', type: 'rate_limited' });
  });

  it('keeps Mistral paths apart from the OpenAI API the emulator serves under /v1', async () => {
    expect(emulator.requests.at(-1)?.provider).toBe('mistral_ai');
    const res = await post('/v1/unknown', {});
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ object: 'error' });
  });
});
